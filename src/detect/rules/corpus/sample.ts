import type { CallSpec } from './record.js';

/**
 * One labelled case of the corpus: calls a rule must fire on (a positive) or a benign near miss it
 * must stay quiet on (the sibling call without the dangerous parameter). Each sample runs in its
 * own account, from its own addresses, two hours from any other, so no rule mixes two samples.
 */
export interface Sample {
  /** The rule the sample was written for. */
  rule: string;
  fires: boolean;
  /** What the calls show: why the rule must fire, or why the near miss is benign. */
  note: string;
  calls: CallSpec[];
}

type Calls = (CallSpec | CallSpec[])[];

/** A positive: `rule` must fire on these calls. */
export function fires(rule: string, note: string, ...calls: Calls): Sample {
  return { rule, fires: true, note, calls: calls.flat() };
}

/** A near miss: `rule` must not fire on these calls. */
export function quiet(rule: string, note: string, ...calls: Calls): Sample {
  return { rule, fires: false, note, calls: calls.flat() };
}
