import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { verifyCase } from '../../case/verify.js';
import type { Demo } from '../../cli/commands/test-support/demo.js';
import { ATTACKED_STATE_FILE } from '../../cli/commands/demo-run.js';
import { bedFromDemo, type ScenarioBed } from '../../scope/test-support/respond.js';
import { SimState, VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import { checkCleanState, type Truth } from '../../sim/scenarios/index.js';
import type { runCli, TestCreds } from '../../test-support/cli.js';
import { createdByAttacker, inventory } from './inventory.js';

const running: RunningSim[] = [];

/**
 * The bar's describe block (split over several files so they run side by side): every account
 * `fromDemo` serves is stopped after the file's tests.
 */
export function eradicationBar(tests: () => void): void {
  describe(
    'respond --yes (scope → eradicate → recover) on every scenario, then the account read back',
    { timeout: 600_000 },
    () => {
      afterAll(async () => {
        for (const s of running.splice(0)) await s.stop();
      });
      tests();
    },
  );
}

/** A scenario answered by `respond --yes`, with what the bar checks it against. */
export interface Played {
  sim: RunningSim;
  truth: Truth;
  responder: TestCreds;
  dir: string;
  /** What existed before the response that the attacker did not create. */
  preExisting: Set<string>;
  /** Responder's CloudTrail write events so far. */
  writes(): number;
  cli(args: string[]): ReturnType<typeof runCli>;
  manifest(): string[];
}

export interface EradicateJson {
  state: string;
  plan?: { steps: { id: string; action: string; noop: boolean; params: Record<string, string> }[] };
  manual: string[];
}

/**
 * A scenario a `tourniquet demo` run answered (respond --yes as the security team), for the bar:
 * the account served again from the state the demo saved (`bedFromDemo`), and what existed
 * before the response read from the state it saved before responding (`sim-state-attacked.json`).
 */
export async function fromDemo(demo: Demo): Promise<Played> {
  const bed = await bedFromDemo(demo);
  running.push(bed.sim);
  return playedOn(bed, demo);
}

/** The bar's view of a demo's account already served again (scope's files share their bed). */
export function playedOn(bed: ScenarioBed, demo: Demo): Played {
  const before = inventory(SimState.load(join(demo.dir, ATTACKED_STATE_FILE)), VICTIM_ACCOUNT);
  const created = createdByAttacker(demo.truth);
  return {
    sim: bed.sim,
    truth: demo.truth,
    responder: bed.responder,
    dir: demo.dir,
    preExisting: new Set([...before].filter((x) => !created.has(x))),
    cli: (args) => bed.cli(args),
    writes: () => responderWrites(bed.sim),
    manifest: () => manifestPaths(demo.dir),
  };
}

/**
 * The responder's CloudTrail write events so far, in every account (eradication acts in the
 * accounts its role enters). Entering one (STS AssumeRole) changes nothing there: not counted.
 */
export function responderWrites(sim: RunningSim): number {
  return sim.state
    .accounts()
    .flatMap((a) => a.cloudtrail.events)
    .filter(
      (e) =>
        e.readOnly !== true &&
        e.eventSource !== 'sts.amazonaws.com' &&
        (e.userAgent ?? '').includes('tourniquet/'),
    ).length;
}

/** The paths a case's evidence manifest lists. */
export function manifestPaths(dir: string): string[] {
  return readFileSync(join(dir, 'evidence', 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { path: string }).path);
}

/** The bar of issue 13, for any scenario: clean state, pre-existing intact, case verifies, idempotent. */
export async function checkBar(
  p: Played,
  unmetAllowed: (c: { check: string }) => boolean = () => false,
  /** Given to both eradicate runs (e.g. `--account-role NAME` for a case spanning accounts). */
  args: string[] = [],
): Promise<EradicateJson> {
  const clean = checkCleanState(p.sim.state, p.truth);
  expect(clean.unmet.filter((c) => !unmetAllowed(c))).toEqual([]);
  const now = inventory(p.sim.state, VICTIM_ACCOUNT);
  expect([...p.preExisting].filter((x) => !now.has(x))).toEqual([]);
  expect((await verifyCase(p.dir)).ok).toBe(true);
  const verified = JSON.parse(
    (await p.cli(['eradicate', '--case', p.dir, '--verify', '--json', ...args])).out,
  ) as EradicateJson;
  expect(['verified', 'nothing-to-do']).toContain(verified.state);
  // A second apply changes nothing: every step a no-op, no write reaches AWS.
  const before = p.writes();
  const again = await p.cli(['eradicate', '--case', p.dir, '--apply', '--json', ...args]);
  const second = JSON.parse(again.out) as EradicateJson;
  expect((second.plan?.steps ?? []).filter((s) => !s.noop)).toEqual([]);
  expect(p.writes()).toBe(before);
  return second;
}
