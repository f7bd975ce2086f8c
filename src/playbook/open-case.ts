import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_FILE, CaseFolder, newCaseId } from '../case/case.js';
import { listCases } from '../case/list.js';
import { openCaseOfSubject } from '../case/open-subject.js';
import type { Clock } from '../clock.js';
import type { Phase } from '../case/schema.js';
import { parseSubject } from '../triage/subject.js';

/** Where `respond` keeps the case: a folder named by the responder, or one under the cases root. */
export interface CaseLocation {
  /** `--case DIR`: continue the case there, or create it there. */
  dir?: string | undefined;
  /** Folder of case folders (`$TOURNIQUET_CASES` or `./cases`). */
  root: string;
}

/**
 * Open the case for `subject`: the named folder (which must be this subject's case if it exists),
 * else the newest case of the same subject under the root with one of `phases` not completed (a re-run continues it), else
 * a new case. Returns whether an existing case was resumed.
 */
export function openCaseFor(
  raw: string,
  phases: readonly Phase[],
  where: CaseLocation,
  clock: Clock,
  awareness: Date | undefined,
): { folder: CaseFolder; resumed: boolean } {
  const subject = parseSubject(raw);
  let dir = where.dir;
  if (dir === undefined) {
    const unfinished = listCases(where.root).find(
      (c) => c.case?.subject?.input === subject.input && phases.some((p) => !c.case?.phases[p]?.completed),
    );
    dir = unfinished?.dir;
  }
  if (dir !== undefined && existsSync(join(dir, CASE_FILE))) {
    const folder = openCaseOfSubject(dir, subject.input, clock);
    return { folder, resumed: true };
  }
  const now = clock.now();
  const id = newCaseId(now);
  const folder = CaseFolder.create(dir ?? join(where.root, id), {
    clock,
    id,
    subject,
    awareness: awareness ?? now,
  });
  return { folder, resumed: false };
}
