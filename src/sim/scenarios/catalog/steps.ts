import type { Step } from '../types.js';

/** One simulated minute and hour, in milliseconds from the attack's start. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** Timed calls made by one actor of the scenario (or of the account's normal users: `admin`). */
export const stepBy =
  (actor: string) =>
  (
    at: number,
    service: Step['service'],
    op: string,
    input: Step['input'],
    extra: Partial<Step> = {},
  ): Step => ({
    at,
    actor,
    service,
    op,
    input,
    ...extra,
  });

/** A timed call made by the scenario's `attacker` actor. */
export const attackerStep = stepBy('attacker');
