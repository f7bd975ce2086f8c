import type { Category, Severity } from '../finding.js';

/**
 * How a rule that needs several events fires: at least `count` matching events (or distinct values
 * of `distinct`) from one principal, each within `withinMinutes` of the previous one (a burst).
 */
export interface Threshold {
  count: number;
  withinMinutes: number;
  distinct?: 'eventname' | 'awsregion' | 'eventsource';
}

/** Where a rule comes from; Sigma rules carry their authors and licence (DRL 1.1 attribution). */
export type RuleSource =
  | { kind: 'builtin' }
  | { kind: 'sigma'; file: string; sigmaId: string | null; author: string | null; license: string };

/** One detection, as data: a predicate over a single CloudTrail record plus what it means. */
export interface DetectionRule {
  id: string;
  title: string;
  category: Category;
  /** MITRE ATT&CK technique id, e.g. `T1098.001`. */
  technique: string;
  severity: Severity;
  /** A predicate over one row of `cloudtrail_events`, in the portable SQL subset (see ../sql.ts). */
  where: string;
  /** One line a responder can act on. */
  explain: string;
  threshold?: Threshold;
  source?: RuleSource;
}

/** Declare a group of rules (a typed identity, so the tables stay plain data). */
export function rules(list: DetectionRule[]): DetectionRule[] {
  return list;
}
