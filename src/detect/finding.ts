import type { Tactic } from './attack.js';

/** The categories of attacker activity, exactly these ids (the report groups findings by them). */
export const CATEGORIES = [
  'recon',
  'initial-access',
  'credential-access',
  'privilege-escalation',
  'persistence',
  'resource-creation',
  'crypto-mining',
  'data-access',
  'exfiltration',
  'defense-evasion',
  'lateral-movement',
  'execution',
  'impact',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One conclusion of the investigation, stored in the case and shown in every report. */
export interface Finding {
  id: string;
  ruleId: string;
  title: string;
  category: Category;
  /** MITRE ATT&CK technique id, e.g. `T1078.004`. */
  technique: string;
  /** The ATT&CK tactic (see ./attack.ts); findings saved before tactics were recorded lack it. */
  tactic?: Tactic;
  severity: Severity;
  eventIds: string[];
  principal: string | null;
  accessKey: string | null;
  region: string | null;
  firstSeen: string;
  lastSeen: string;
  /** The counts, regions and addresses, what they mean and what to do, in one line. */
  summary: string;
  /** What to do about it (the rule's remediation, also at the end of `summary`). */
  remediation?: string;
  /** Number of events (eventIds may be capped for very large findings). */
  eventCount?: number;
  /** Every region and source address of the events (the finding's `region` is set only when one). */
  regions?: string[];
  sourceIps?: string[];
  /** How many of the events failed (denied or errored): attempts still show intent. */
  failedEvents?: number;
  /** True when the events came from the subject key or a session derived from it (lineage). */
  attributed?: boolean;
  /**
   * The rule's own rating when the investigation of given credentials lowered it to `low`: the
   * finding's calls are not the subject's (see `investigate`).
   */
  ruleSeverity?: Severity;
  /** Built-in catalogue or a Sigma rule; Sigma findings carry the authors' attribution (DRL 1.1). */
  ruleSource?: 'builtin' | 'sigma';
  attribution?: string;
  /** Other rules (Sigma) that matched the same events, merged into this finding. */
  alsoMatched?: { ruleId: string; title: string; attribution: string | null }[];
}
