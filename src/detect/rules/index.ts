import { CATEGORIES, SEVERITIES } from '../finding.js';
import { COMPUTE_RULES } from './compute.js';
import { DATA_RULES } from './data.js';
import { IAM_RULES } from './iam.js';
import { IDENTITY_RULES } from './identity.js';
import { LOGGING_RULES } from './logging.js';
import type { DetectionRule } from './types.js';

export type { DetectionRule, RuleSource, Threshold } from './types.js';

/** The built-in rule catalogue, grouped by service or concern. */
export const BUILTIN_RULES: readonly DetectionRule[] = [
  ...IAM_RULES,
  ...IDENTITY_RULES,
  ...LOGGING_RULES,
  ...COMPUTE_RULES,
  ...DATA_RULES,
];

/** Problems with a rule list (duplicate ids, unknown categories or severities, bad technique ids). */
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
    if (!/^T\d{4}(\.\d{3})?$/.test(rule.technique))
      problems.push(`${rule.id}: bad technique ${rule.technique}`);
    if (!rule.explain.trim() || rule.explain.includes('\n'))
      problems.push(`${rule.id}: explanation must be one line`);
  }
  return problems;
}
