import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_FILE, JOURNAL_FILE, readCaseFile } from '../case/case.js';
import { readJournal, type JournalEntry } from '../case/journal.js';
import { listCases, type CaseSummary } from '../case/list.js';
import type { CaseFile } from '../case/schema.js';
import { verifyCase, type VerifyResult } from '../case/verify.js';
import { FROM_EVENTS } from '../detect/events.js';
import { messageOf } from '../errors.js';
import { buildFacts, type Facts } from '../report/index.js';
import type { Fact } from '../report/unknown.js';
import { readScope, SCOPE_FILE } from '../scope/scope.js';
import type { ScopeDocument } from '../scope/types.js';
import { openEventStore, STORE_FILE } from '../store/store.js';
import { readOwnerCalls, type OwnerCalls } from './owner-calls.js';

/** Where the dashboard finds cases: one case folder, or a folder of case folders. */
export type CaseSource = { case: string } | { cases: string };

/** Everything a case's pages show, read once per change of the case's files. */
export interface CaseData {
  dir: string;
  info: CaseFile;
  facts: Facts;
  journal: JournalEntry[];
  integrity: VerifyResult;
  /** undefined: scope has not run; a string: scope.json could not be read. */
  scope: ScopeDocument | string | undefined;
  /** The subject owner's own calls (not the attacker's), for the timeline's attacker/owner filter. */
  owner: Fact<OwnerCalls>;
}

/** Case folders the dashboard serves, with their ids (the only names a URL may use). */
export function servedCases(source: CaseSource): CaseSummary[] {
  if ('case' in source) {
    try {
      return [{ dir: source.case, case: readCaseFile(source.case) }];
    } catch (error) {
      return [{ dir: source.case, problem: messageOf(error) }];
    }
  }
  return listCases(source.cases);
}

/** A fingerprint of the files a case's pages come from: it changes when a phase writes. */
export function caseSignature(dir: string): string {
  return [CASE_FILE, JOURNAL_FILE, SCOPE_FILE, STORE_FILE, 'findings.json', 'coverage.json']
    .map((f) => {
      const file = join(dir, f);
      if (!existsSync(file)) return '-';
      const s = statSync(file);
      return `${s.size}:${s.mtimeMs}`;
    })
    .join('|');
}

const cache = new Map<string, { signature: string; data: CaseData }>();

/** Read a case for its pages (cached until its files change). Reads only; never takes the lock. */
export async function loadCase(dir: string, now: Date): Promise<CaseData> {
  const signature = caseSignature(dir);
  const hit = cache.get(dir);
  if (hit && hit.signature === signature) return hit.data;
  let scope: CaseData['scope'];
  try {
    scope = readScope({ path: (...parts: string[]) => join(dir, ...parts) });
  } catch (error) {
    scope = `${SCOPE_FILE} could not be read: ${messageOf(error)}`;
  }
  const data: CaseData = {
    dir,
    info: readCaseFile(dir),
    facts: await buildFacts(dir, { asOf: now }),
    journal: readJournal(join(dir, JOURNAL_FILE)).map((l) => JSON.parse(l) as JournalEntry),
    integrity: await verifyCase(dir),
    scope,
    owner: await readOwnerCalls(dir),
  };
  cache.set(dir, { signature, data });
  return data;
}

/** One event of the case's store as CloudTrail delivered it, or why it cannot be shown. */
export async function rawEvent(dir: string, eventId: string): Promise<unknown> {
  const file = join(dir, STORE_FILE);
  if (!existsSync(file)) return { error: 'no events collected in this case' };
  let store;
  try {
    store = await openEventStore(file, { readOnly: true });
  } catch (error) {
    return {
      error: `the event store is busy (${messageOf(error).split('\n')[0]}); try again when the phase ends`,
    };
  }
  try {
    const rows = await store.query<{ j: string }>(
      `SELECT to_json(e)::VARCHAR AS j FROM ${FROM_EVENTS} WHERE e.eventid = ? LIMIT 1`,
      [eventId],
    );
    return rows[0] ? (JSON.parse(rows[0].j) as unknown) : { error: `no event ${eventId} in this case` };
  } finally {
    store.close();
  }
}
