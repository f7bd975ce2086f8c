import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { ClientPool } from '../../../aws/pool.js';
import { CaseFolder } from '../../../case/case.js';
import { verifyCase } from '../../../case/verify.js';
import { systemClock } from '../../../clock.js';
import { silentLogger } from '../../../context.js';
import { createUserWithKey, startSim, VICTIM_ACCOUNT, type RunningSim } from '../../../sim/index.js';
import type { Creds } from '../../../sim/test-support/aws.js';
import type { ActionEnv } from '../../action.js';
import { applyPlan, makePlan, registryOf, type ApplyResult, type StepRequest } from '../../engine.js';
import type { PlanRecord } from '../../journal-view.js';
import { ERADICATION_ACTIONS } from '../index.js';

export const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const A = VICTIM_ACCOUNT;

/** A simulated account with an admin responder, and the tool's own pool on it. */
export interface Bed {
  sim: RunningSim;
  responder: Creds;
  pool: ClientPool;
  env: ActionEnv;
  iam: IAMClient;
  /** An SDK client of any service as the responder (the test's own reads, not the tool's). */
  client<C>(Client: new (config: Record<string, unknown>) => C, region?: string): C;
  stop(): Promise<void>;
}

/** Start the account and the responder's pool. */
export async function startBed(seed = 'eradicate'): Promise<Bed> {
  const sim = await startSim({ port: 0, seed, lookupEventsPerSecond: 50 });
  const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: [ADMIN] });
  return bedOn(sim, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
}

/** A bed on an account already running (a loaded scenario), with its responder's credentials. */
export async function bedOn(sim: RunningSim, responder: Creds): Promise<Bed> {
  const pool = await ClientPool.create(
    { endpointUrl: sim.endpoint, region: 'us-east-1', credentials: responder, maxAttempts: 3 },
    systemClock,
  );
  const env: ActionEnv = { clock: systemClock, log: silentLogger, poolFor: () => Promise.resolve(pool) };
  const client = <C>(Client: new (config: Record<string, unknown>) => C, region = 'us-east-1') =>
    new Client({
      region,
      endpoint: sim.endpoint,
      credentials: responder,
      maxAttempts: 1,
      forcePathStyle: true,
    });
  return {
    sim,
    responder,
    pool,
    env,
    iam: client(IAMClient),
    client,
    async stop() {
      pool.destroy();
      await sim.stop();
    },
  };
}

/** One plan and its apply in a fresh case folder. */
export interface Run {
  dir: string;
  plan: PlanRecord;
  apply: ApplyResult;
  /** The evidence manifest's paths. */
  evidence: string[];
}

const registry = registryOf(ERADICATION_ACTIONS);

/** Plan the requests in a case (a new one, or `dir`), apply, close; the case is verified. */
export async function planAndApply(bed: Bed, requests: StepRequest[], dir?: string): Promise<Run> {
  const caseDir = dir ?? join(mkdtempSync(join(tmpdir(), 'tq-eradicate-')), 'case');
  const folder = dir
    ? CaseFolder.open(caseDir, { clock: systemClock })
    : CaseFolder.create(caseDir, { clock: systemClock });
  try {
    const plan = await makePlan(bed.env, folder, registry, 'eradicate', requests);
    const apply = await applyPlan(bed.env, folder, registry, plan);
    return { dir: caseDir, plan, apply, evidence: evidenceOf(caseDir) };
  } finally {
    folder.close();
  }
}

/** Paths listed in a case's evidence manifest. */
export function evidenceOf(dir: string): string[] {
  const file = join(dir, 'evidence', 'manifest.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { path: string }).path);
}

/** `case verify` of a folder. */
export async function caseVerifies(dir: string): Promise<boolean> {
  const result = await verifyCase(dir);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return true;
}

/** The AWS error name of a call, or `ok`. */
export async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return (error as { name?: string }).name ?? 'error';
  }
}
