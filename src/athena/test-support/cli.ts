import { systemClock, type Clock } from '../../clock.js';
import type { RunningSim } from '../../sim/index.js';
import type { Creds } from '../../sim/test-support/aws.js';
import { runCli } from '../../test-support/cli.js';

/** Real time, but the Athena polls wait at most 10 ms (the backoff is not what these tests are about). */
export const quickPolls: Clock = {
  now: () => systemClock.now(),
  sleep: (ms) => systemClock.sleep(Math.min(ms, 10)),
};

/**
 * `tourniquet hunt ARGS --no-sigma --json` against the simulated account with quick polls:
 * detection is the local hunt's and is tested there, so these runs skip the Sigma rules.
 */
export function huntJson(sim: RunningSim, creds: Creds, root: string, args: string[]) {
  return runCli(['hunt', ...args, '--no-sigma', '--json'], {
    endpoint: sim.endpoint,
    creds,
    root,
    clock: quickPolls,
  });
}
