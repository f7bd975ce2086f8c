import type { Finding } from '../detect/finding.js';

/** A campaign seen in the wild that a rule names, and the one line the briefing gives it. */
export interface Campaign {
  name: string;
  line: string;
}

/** Campaigns by the rules that recognise them (declared here; extend with the next campaign). */
const CAMPAIGNS: { rules: string[]; campaign: Campaign }[] = [
  {
    rules: ['llmjacking-campaign'],
    campaign: {
      name: 'LLMjacking',
      line: 'LLMjacking: the stolen key ran Amazon Bedrock models on the account’s bill (model access probed, invocation logging removed, models unlocked and resold), a campaign seen in the wild since 2024.',
    },
  },
  {
    rules: ['ses-spam-campaign'],
    campaign: {
      name: 'SES spam',
      line: 'SES spam: the stolen key turned Amazon SES into a spam and phishing relay (sending quota probed across regions, sender identities verified, production access asked for); the mail itself is never in CloudTrail.',
    },
  },
  {
    rules: ['sms-pumping-campaign'],
    campaign: {
      name: 'SMS pumping',
      line: 'SMS pumping: the stolen key raised the SNS SMS spend limit after probing which regions are out of the SMS sandbox, to text premium-rate numbers on the account’s bill; the texts (Publish, a data event) are not in Event history.',
    },
  },
  {
    rules: ['s3-ransomware-campaign'],
    campaign: {
      name: 'S3 ransomware',
      line: 'S3 ransomware: the stolen key re-encrypted objects with its own SSE-C key, set the buckets to delete them and left a ransom note (the “Codefinger” campaign seen since January 2025); objects come back only from earlier versions.',
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
  return CAMPAIGNS.filter((c) => c.rules.some((r) => ids.has(r))).map((c) => c.campaign);
}
