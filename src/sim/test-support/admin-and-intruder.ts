import { SimClock } from '../clock.js';
import { startSim, type RunningSim } from '../index.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { createUserWithKey } from '../services/iam/entities.js';
import type { Creds } from './aws.js';

/**
 * A simulated account on a frozen clock (2026-02-02 08:00 UTC) with an administrator and an
 * intruder (the intruder's policy given), each with an access key: the cast of the hunt tests.
 */
export async function simWithAdminAndIntruder(
  seed: string,
  intruderPolicy = 'arn:aws:iam::aws:policy/ReadOnlyAccess',
): Promise<{ sim: RunningSim; admin: Creds; intruder: Creds }> {
  const sim = await startSim({
    port: 0,
    seed,
    clock: new SimClock({ start: '2026-02-02T08:00:00Z', frozen: true }),
  });
  const key = (name: string, policy: string): Creds =>
    createUserWithKey(sim.state, VICTIM_ACCOUNT, name, { managedPolicies: [policy] }).key;
  return {
    sim,
    admin: key('admin', 'arn:aws:iam::aws:policy/AdministratorAccess'),
    intruder: key('intruder', intruderPolicy),
  };
}
