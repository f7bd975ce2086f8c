import { resolve } from 'node:path';
import { defaultCasesRoot, listCases } from '../case/list.js';
import { UserError } from '../errors.js';
import type { CaseFolder } from '../case/case.js';
import type { CaseContext } from '../context.js';
import type { RunEnv } from './spec.js';

/** The case folder a command works on: `--case DIR`, else the newest case under the cases root. */
export function resolveCaseDir(env: RunEnv): string {
  if (env.globals.case) return resolve(env.cwd, env.globals.case);
  const root = defaultCasesRoot(env.env, env.cwd);
  const newest = listCases(root).find((c) => c.case);
  if (!newest) {
    throw new UserError('NO_CASE', `No case found under ${root}.`, {
      hint: 'Pass --case DIR, or start one with `tourniquet triage SUBJECT`.',
      exitCode: 2,
    });
  }
  env.log.info(`Using the newest case: ${newest.dir}`);
  return newest.dir;
}

/** The context of a command working on an open case: AWS calls tagged with the case id. */
export async function caseContext(env: RunEnv, folder: CaseFolder): Promise<CaseContext> {
  const pool = await env.aws();
  pool.caseId = folder.id;
  return { clock: env.clock, log: env.log, progress: env.progress, case: folder, aws: pool };
}
