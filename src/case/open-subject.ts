import { CaseFolder } from './case.js';
import type { Clock } from '../clock.js';
import { UserError } from '../errors.js';

/**
 * Open the existing case in `dir`, which must be about `subject` (the input the responder gave):
 * re-running triage or `respond` continues a case, never writes into another credential's case.
 */
export function openCaseOfSubject(dir: string, subject: string, clock: Clock): CaseFolder {
  const folder = CaseFolder.open(dir, { clock });
  const existing = folder.info.subject?.input;
  if (existing !== subject) {
    folder.close();
    throw new UserError(
      'CASE_SUBJECT',
      `${dir} is the case of ${existing ?? 'no subject'}, not ${subject}.`,
      {
        hint: 'Omit --case to open a new case, or name the right case folder.',
        exitCode: 2,
      },
    );
  }
  return folder;
}
