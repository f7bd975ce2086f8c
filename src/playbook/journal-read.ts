import { JOURNAL_FILE, type CaseFolder } from '../case/case.js';
import { readJournal, type JournalEntry } from '../case/journal.js';

/** The journal lines of one kind, oldest first (the record a re-run resumes from). */
export function journalEntries(folder: CaseFolder, kind: string): JournalEntry[] {
  return readJournal(folder.path(JOURNAL_FILE))
    .map((line) => JSON.parse(line) as JournalEntry)
    .filter((e) => e.kind === kind);
}
