import type { Finding } from './finding.js';

/** The campaign's own containment (`tourniquet contain --campaign NAME`), when it has one. */
export interface CampaignContainment {
  /** The `--campaign` value. */
  campaign: string;
  /** The containment actions it adds: once one is applied, nothing more to suggest. */
  steps: string[];
  /** What it does, in a few words. */
  does: string;
  /** What the command must name: the regions of the campaign's calls, or the buckets it encrypted. */
  needs?: 'regions' | 'buckets';
}

/** A campaign seen in the wild that a rule names, and the one line the briefing gives it. */
export interface Campaign {
  name: string;
  line: string;
  /** The rules that recognise it. */
  rules: string[];
  contain?: CampaignContainment;
}

/** Campaigns by the rules that recognise them (declared here; extend with the next campaign). */
const CAMPAIGNS: { rules: string[]; campaign: Omit<Campaign, 'rules'> }[] = [
  {
    rules: ['llmjacking-campaign'],
    campaign: {
      name: 'LLMjacking',
      line: 'LLMjacking: the stolen key ran Amazon Bedrock models on the account’s bill (model access probed, invocation logging removed, models unlocked and resold), a campaign seen in the wild since 2024.',
      contain: {
        campaign: 'llmjacking',
        steps: ['user-deny-bedrock', 'role-deny-bedrock'],
        does: 'denies bedrock:* to the credential and the roles its sessions reached',
      },
    },
  },
  {
    rules: ['ses-spam-campaign'],
    campaign: {
      name: 'SES spam',
      line: 'SES spam: the stolen key turned Amazon SES into a spam and phishing relay (sending quota probed across regions, sender identities verified, production access asked for); the mail itself is never in CloudTrail.',
      contain: {
        campaign: 'ses-spam',
        steps: ['pause-ses-sending'],
        does: 'pauses the account’s SES sending in those regions',
        needs: 'regions',
      },
    },
  },
  {
    rules: ['sms-pumping-campaign'],
    campaign: {
      name: 'SMS pumping',
      line: 'SMS pumping: the stolen key raised the SNS SMS spend limit after probing which regions are out of the SMS sandbox, to text premium-rate numbers on the account’s bill; the texts (Publish, a data event) are not in Event history.',
      contain: {
        campaign: 'sms-pumping',
        steps: ['lower-sms-spend-limit'],
        does: 'lowers the SNS SMS monthly spend limit in those regions',
        needs: 'regions',
      },
    },
  },
  {
    rules: ['s3-ransomware-campaign'],
    campaign: {
      name: 'S3 ransomware',
      line: 'S3 ransomware: the stolen key re-encrypted objects with its own SSE-C key, set the buckets to delete them and left a ransom note (the “Codefinger” campaign seen since January 2025); objects come back only from earlier versions.',
      contain: {
        campaign: 's3-ransomware',
        steps: ['refuse-sse-c'],
        does: 'adds a bucket-policy deny of SSE-C writes to those buckets',
        needs: 'buckets',
      },
    },
  },
  {
    rules: ['rds-exfil-campaign'],
    campaign: {
      name: 'RDS data theft',
      line: 'RDS data theft: the stolen key snapshotted a database and took the copy out of the account (shared with another account or everyone, often after a copy under a KMS key that account may use, or exported to an S3 bucket); treat the database as disclosed.',
    },
  },
];

/** The campaigns the findings name, once each, in the table's order. */
export function campaignsOf(findings: Finding[]): Campaign[] {
  const ids = new Set(findings.map((f) => f.ruleId));
  return CAMPAIGNS.filter((c) => c.rules.some((r) => ids.has(r))).map((c) => ({
    ...c.campaign,
    rules: c.rules,
  }));
}

/** The rules that recognise the campaign `contain --campaign NAME` contains. */
export function campaignRules(containName: string): string[] {
  return CAMPAIGNS.find((c) => c.campaign.contain?.campaign === containName)?.rules ?? [];
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The regions of the findings of these rules, sorted, once each (what `--campaign-region` names). */
export function campaignRegions(
  findings: { ruleId?: unknown; region?: unknown; regions?: unknown }[],
  rules: string[],
): string[] {
  const regions = new Set<string>();
  for (const f of findings.filter((x) => rules.includes(x.ruleId as string)))
    for (const r of [...(Array.isArray(f.regions) ? (f.regions as unknown[]) : []), f.region])
      if (typeof r === 'string' && REGION.test(r)) regions.add(r);
  return [...regions].sort();
}
