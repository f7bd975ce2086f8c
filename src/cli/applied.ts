import type { ApplyResult } from '../actions/engine.js';
import type { Block } from './spec.js';

/** The result of an applied plan, one row a step: what happened and what reading it back showed. */
export function appliedBlock(apply: ApplyResult): Block {
  return {
    kind: 'table',
    title: apply.resumed ? 'Applied (resumed an interrupted run)' : 'Applied',
    columns: ['STEP', 'RESULT', 'VERIFIED', 'OBSERVED'],
    rows: apply.results.map((x) => [
      x.step.id,
      x.error ? `failed: ${x.error}` : x.outcome,
      x.outcome === 'refused' ? '-' : x.verify?.ok ? 'yes' : 'NO',
      x.verify?.observed,
    ]),
  };
}
