import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATE_FILE } from '../../cli/commands/demo-run.js';
import type { Demo } from '../../cli/commands/test-support/demo.js';
import { SimState, startSim, VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import { loadScenario, type Truth } from '../../sim/scenarios/index.js';
import { runCli, type TestCreds } from '../../test-support/cli.js';
import type { ScopeDocument } from '../types.js';

/** A scenario laid into a fresh simulated account, and the responder's CLI against it. */
export interface ScenarioBed {
  sim: RunningSim;
  truth: Truth;
  root: string;
  responder: TestCreds;
  leaked: TestCreds | undefined;
  cli(args: string[], creds?: TestCreds): ReturnType<typeof runCli>;
  /** The case folder respond opened. */
  caseDir(): string;
}

/** Start an account whose clock runs from now (as the tool's does) and lay `name` into it. */
export async function scenarioBed(name: string): Promise<ScenarioBed> {
  const lookupRate = 100;
  const sim = await startSim({ port: 0, seed: 7, lookupEventsPerSecond: lookupRate });
  const loaded = await loadScenario(sim, name, { seed: 7 });
  const root = mkdtempSync(join(tmpdir(), `tq-scope-${name}-`));
  const responder = loaded.responderCredentials;
  return {
    sim,
    truth: loaded.truth,
    root,
    responder,
    leaked: loaded.leakedCredentials,
    cli: (args, creds = responder) => runCli(args, { endpoint: sim.endpoint, creds, root, lookupRate }),
    caseDir: () => {
      const cases = readdirSync(join(root, 'cases'));
      if (cases.length !== 1) throw new Error(`expected one case, found ${cases.length}`);
      return join(root, 'cases', cases[0]!);
    },
  };
}

/**
 * The account a `tourniquet demo` run answered (respond --yes), served again from the state the
 * demo saved, with the responder's CLI against it and the demo's case as the only case: scope's
 * checks read the same run as the demo's and the eradication bar's.
 */
export async function bedFromDemo(demo: Pick<Demo, 'dir' | 'root' | 'truth'>): Promise<ScenarioBed> {
  const sim = await startSim({ port: 0, state: SimState.load(join(demo.dir, STATE_FILE)) });
  const keys = Object.values(sim.state.accountOrThrow(VICTIM_ACCOUNT).iam.accessKeys);
  const key = (found: { accessKeyId: string; secretAccessKey: string } | undefined) =>
    found && { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey };
  const responder = key(keys.find((k) => k.userName === 'security-responder' && k.status === 'Active'))!;
  const leaked = key(keys.find((k) => k.accessKeyId === demo.truth.leakedAccessKeyId));
  return {
    sim,
    truth: demo.truth,
    root: demo.root,
    responder,
    leaked,
    cli: (args, creds = responder) => runCli(args, { endpoint: sim.endpoint, creds, root: demo.root }),
    caseDir: () => demo.dir,
  };
}

/** Run a command that must finish (0, or 3 for partial coverage) and parse its --json output. */
export async function jsonOf<T>(
  bed: ScenarioBed,
  args: string[],
  creds?: TestCreds,
): Promise<{ code: number; json: T }> {
  const run = await bed.cli([...args, '--json'], creds);
  if (run.code !== 0 && run.code !== 3) throw new Error(`${args.join(' ')} exited ${run.code}: ${run.err}`);
  return { code: run.code, json: JSON.parse(run.out) as T };
}

export type ScopeJson = Pick<ScopeDocument, 'inventory' | 'persistence' | 'coverage' | 'summary'>;
