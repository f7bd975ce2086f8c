import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../sim/index.js';
import { loadScenario, type Truth } from '../sim/scenarios/index.js';
import { runCli } from '../test-support/cli.js';
import type { PersistenceItem } from './types.js';

/** The scenario truth's older names for two kinds. */
const TRUTH_KIND: Record<string, string> = {
  'console-password': 'login-profile',
  'ssh-key-pair': 'key-pair',
};

interface Loaded {
  sim: RunningSim;
  truth: Truth;
  root: string;
  cli: (args: string[]) => ReturnType<typeof runCli>;
}

async function respondTo(name: string): Promise<Loaded> {
  // The account's clock runs from now, as the tool's does: the scenario's history ends now.
  const sim = await startSim({ port: 0, seed: 7, lookupEventsPerSecond: 100 });
  const { truth, responderCredentials } = await loadScenario(sim, name, { seed: 7 });
  const root = mkdtempSync(join(tmpdir(), `tq-scope-${name}-`));
  const cli = (args: string[]) => runCli(args, { endpoint: sim.endpoint, creds: responderCredentials, root });
  return { sim, truth, root, cli };
}

describe('scope on the persistence scenario', () => {
  let s: Loaded;
  let persistence: PersistenceItem[];
  beforeAll(async () => {
    s = await respondTo('persistence');
    const subject = s.truth.leakedAccessKeyId!;
    const respond = await s.cli(['respond', subject, '--yes', '--json']);
    if (respond.code !== 0 && respond.code !== 3)
      throw new Error(`respond exit ${respond.code}: ${respond.err}`);
    const out = await s.cli(['scope', '--json']);
    expect([0, 3]).toContain(out.code);
    persistence = (JSON.parse(out.out) as { persistence: PersistenceItem[] }).persistence;
  }, 240_000);
  afterAll(() => s?.sim.stop());

  it('finds every planted backdoor with the attacker’s events', () => {
    const attacker = persistence.filter((p) => p.attribution === 'attacker');
    for (const t of s.truth.persistence) {
      const kind = TRUTH_KIND[t.kind] ?? t.kind;
      const found = attacker.find(
        (p) =>
          p.kind === kind &&
          (p.name === t.resource ||
            p.arn === t.resource ||
            p.name.includes(t.resource) ||
            t.resource.includes(p.name)),
      );
      expect(found, `${t.kind} ${t.resource}`).toBeDefined();
      expect(found!.eventIds.length).toBeGreaterThan(0);
    }
  });
});
