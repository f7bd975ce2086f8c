import type { Step } from '../types.js';

/** One simulated minute and hour, in milliseconds from the attack's start. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** A timed call made by the scenario's `attacker` actor. */
export const attackerStep = (
  at: number,
  service: Step['service'],
  op: string,
  input: Step['input'],
  extra: Partial<Step> = {},
): Step => ({
  at,
  actor: 'attacker',
  service,
  op,
  input,
  ...extra,
});
