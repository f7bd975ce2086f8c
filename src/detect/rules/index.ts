import { TECHNIQUES } from '../attack.js';
import { CATEGORIES, SEVERITIES } from '../finding.js';
import { BEDROCK_RULES } from './bedrock.js';
import { COMPUTE_RULES } from './compute.js';
import { CONTAINER_RULES } from './containers.js';
import { IAM_RULES } from './iam.js';
import { IDENTITY_RULES } from './identity.js';
import { KMS_RULES } from './kms.js';
import { LAMBDA_RULES } from './lambda.js';
import { LOGGING_RULES } from './logging.js';
import { MESSAGING_RULES } from './messaging.js';
import { MINING_RULES } from './mining.js';
import { NETWORK_RULES } from './network.js';
import { RDS_RULES } from './rds.js';
import { RECON_RULES } from './recon.js';
import { REGION_RULES } from './regions.js';
import { S3_RULES } from './s3.js';
import { SECRETS_RULES } from './secrets.js';
import { SECURITY_SERVICE_RULES } from './security-services.js';
import { SIGNIN_RULES } from './signin.js';
import { SNAPSHOT_RULES } from './snapshots.js';
import type { DetectionRule } from './types.js';

export type { DetectionRule, RuleSource, Threshold } from './types.js';

/** The built-in rule catalogue, grouped by service or concern. */
export const BUILTIN_RULES: readonly DetectionRule[] = [
  ...IAM_RULES,
  ...IDENTITY_RULES,
  ...SIGNIN_RULES,
  ...RECON_RULES,
  ...REGION_RULES,
  ...LOGGING_RULES,
  ...SECURITY_SERVICE_RULES,
  ...COMPUTE_RULES,
  ...LAMBDA_RULES,
  ...MINING_RULES,
  ...BEDROCK_RULES,
  ...MESSAGING_RULES,
  ...SNAPSHOT_RULES,
  ...SECRETS_RULES,
  ...S3_RULES,
  ...RDS_RULES,
  ...NETWORK_RULES,
  ...KMS_RULES,
  ...CONTAINER_RULES,
];

/**
 * Problems with a rule list: duplicate ids, unknown categories or severities, a technique missing
 * from the ATT&CK table or listed under another tactic, explanations or remediations that are not
 * one sentence.
 */
export function checkRules(list: readonly DetectionRule[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const rule of list) {
    if (seen.has(rule.id)) problems.push(`${rule.id}: duplicate id`);
    seen.add(rule.id);
    if (!(CATEGORIES as readonly string[]).includes(rule.category))
      problems.push(`${rule.id}: unknown category`);
    if (!(SEVERITIES as readonly string[]).includes(rule.severity))
      problems.push(`${rule.id}: unknown severity`);
    const technique = TECHNIQUES[rule.technique];
    if (!technique) problems.push(`${rule.id}: technique ${rule.technique} is not in the ATT&CK table`);
    else if (!technique.tactics.includes(rule.tactic))
      problems.push(`${rule.id}: ${rule.technique} is not a technique of the tactic ${rule.tactic}`);
    for (const [what, text] of [
      ['explanation', rule.explain],
      ['remediation', rule.remediation],
    ] as const) {
      if (!/^\S[^\n]*[.)]$/.test(text)) problems.push(`${rule.id}: ${what} must be one sentence on one line`);
    }
  }
  return problems;
}
