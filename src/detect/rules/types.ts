import type { Tactic } from '../attack.js';
import type { Category, Severity } from '../finding.js';

/**
 * How a rule that needs several events fires: at least `count` matching events (or distinct values
 * of `distinct`) from one actor, each within `withinMinutes` of the previous one (a burst).
 */
export interface Threshold {
  count: number;
  withinMinutes: number;
  /**
   * Count distinct values of this expression over the row (a column, e.g. `awsregion`, or SQL over
   * the table's columns, unqualified: the request, the identity, the API, the region).
   */
  distinct?: string;
  /**
   * Whose burst it is: the calling principal (default), the source address (password spraying
   * tries many users from one place), or the account (a sweep spread over many principals).
   */
  by?: 'principal' | 'sourceip' | 'account';
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
  /** The ATT&CK tactic the rule reports the technique under (one of the technique's tactics). */
  tactic: Tactic;
  severity: Severity;
  /** A predicate over one row of `cloudtrail_events`, in the portable SQL subset (see ../sql.ts). */
  where: string;
  /**
   * For a predicate with a sub-query whose APIs cannot be named (`gateSql` finds no gate): the rows
   * it can match at all, as a condition over `e` whose own sub-queries are uncorrelated (computed
   * once). The local engine scans the rule over these rows only: DuckDB decorrelates a sub-query
   * over every row its scan hands on, and region-first-use's cost 2-3 s of CPU per scan of a
   * million rows.
   */
  rows?: string;
  /** What the matched events mean, in one sentence. */
  explain: string;
  /** What to do about them, in one sentence a responder can act on. */
  remediation: string;
  threshold?: Threshold;
  source?: RuleSource;
}

/** Declare a group of rules (a typed identity, so the tables stay plain data). */
export function rules(list: DetectionRule[]): DetectionRule[] {
  return list;
}
