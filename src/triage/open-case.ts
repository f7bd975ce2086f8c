import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CallerIdentity } from '../aws/identity.js';
import { CASE_FILE, CaseFolder, newCaseId } from '../case/case.js';
import { openCaseOfSubject } from '../case/open-subject.js';
import type { Subject } from '../case/schema.js';
import type { Clock } from '../clock.js';

export interface OpenTriageCaseOptions {
  /** The case folder to use; when absent, a new folder named by the case id under `casesRoot`. */
  dir?: string;
  casesRoot: string;
  subject: Subject;
  awareness: Date;
  responder: CallerIdentity;
  clock: Clock;
}

/**
 * The case a triage writes to: a new one (subject, awareness time, responder identity), or the
 * existing case in `dir` when it is about the same subject (a re-run of triage or `respond`).
 */
export function openTriageCase(options: OpenTriageCaseOptions): CaseFolder {
  const { subject, clock } = options;
  const id = newCaseId(clock.now());
  const dir = options.dir ?? join(options.casesRoot, id);
  let folder: CaseFolder;
  if (existsSync(join(dir, CASE_FILE))) {
    folder = openCaseOfSubject(dir, subject.input, clock);
  } else {
    folder = CaseFolder.create(dir, { clock, id, subject, awareness: options.awareness });
  }
  if (!folder.info.responder) {
    const { arn, account, userId } = options.responder;
    folder.update({ responder: { arn, account, userId } });
  }
  return folder;
}
