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
];

/** The campaigns the findings name, once each, in the table's order. */
export function campaignsOf(findings: Finding[]): Campaign[] {
  const ids = new Set(findings.map((f) => f.ruleId));
  return CAMPAIGNS.filter((c) => c.rules.some((r) => ids.has(r))).map((c) => c.campaign);
}
