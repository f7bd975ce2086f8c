import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CASE_FILE, readCaseFile } from './case.js';
import type { CaseFile } from './schema.js';
import { messageOf } from '../errors.js';

export interface CaseSummary {
  dir: string;
  case?: CaseFile;
  /** Why the folder could not be read, when it could not. */
  problem?: string;
}

/** The default folder that holds case folders: `$TOURNIQUET_CASES` or `./cases`. */
export function defaultCasesRoot(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.TOURNIQUET_CASES ?? 'cases');
}

/** Every case folder directly under `root`, newest first. */
export function listCases(root: string): CaseSummary[] {
  if (!existsSync(root)) return [];
  const out: CaseSummary[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, entry.name);
    if (!existsSync(join(dir, CASE_FILE))) continue;
    try {
      out.push({ dir, case: readCaseFile(dir) });
    } catch (error) {
      out.push({ dir, problem: messageOf(error) });
    }
  }
  return out.sort((a, b) => (b.case?.created ?? '').localeCompare(a.case?.created ?? ''));
}
