import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVIDENCE_DIR, JOURNAL_FILE, readCaseFile } from '../case/case.js';
import { readJournal, type JournalEntry } from '../case/journal.js';
import { verifyCase } from '../case/verify.js';
import { FROM_EVENTS, PRINCIPAL } from '../detect/events.js';
import { SEVERITIES, type Finding } from '../detect/finding.js';
import { FINDINGS_FILE, INVESTIGATION_FILE } from '../detect/save.js';
import { openEventStore, STORE_FILE, type SqlParam } from '../store/store.js';
import { ToolError } from './context.js';

/** Files a case holds once each phase has run (what `case_status` reports present or missing). */
const PHASE_FILES = {
  triage: join(EVIDENCE_DIR, 'triage.json'),
  events: STORE_FILE,
  coverage: 'coverage.json',
  findings: FINDINGS_FILE,
  investigation: INVESTIGATION_FILE,
  report: 'report.md',
  scope: 'scope.json',
} as const;

/** A case's journal entries, read without taking its lock. */
export function journalOf(dir: string): JournalEntry[] {
  return readJournal(join(dir, JOURNAL_FILE)).map((l) => JSON.parse(l) as JournalEntry);
}

/** A case's state: case.json, phase times, the journal's tail, integrity, what has been produced, its alerts. */
export async function caseStatus(dir: string) {
  const info = readCaseFile(dir);
  const journal = journalOf(dir);
  const integrity = await verifyCase(dir);
  const last = journal.at(-1);
  return {
    dir,
    case: info,
    journal: {
      lines: journal.length,
      last: last ? { seq: last.seq, at: last.at, kind: last.kind } : null,
    },
    integrity: {
      ok: integrity.ok,
      journalLines: integrity.journalLines,
      evidenceFiles: integrity.evidenceFiles,
      problems: integrity.problems.slice(0, 20),
    },
    files: Object.fromEntries(Object.entries(PHASE_FILES).map(([k, f]) => [k, existsSync(join(dir, f))])),
    alerts: journal
      .filter((e) => e.kind === 'alert.received')
      .map((e) => ({ at: e.at, ...(e.data as object) })),
  };
}

/** The investigation's findings, filtered; missing when the investigation has not run. */
export function caseFindings(
  dir: string,
  filter: {
    minSeverity?: (typeof SEVERITIES)[number] | undefined;
    category?: string | undefined;
    attributedOnly?: boolean | undefined;
  },
) {
  const file = join(dir, FINDINGS_FILE);
  if (!existsSync(file))
    throw new ToolError(
      `the investigation has not run on ${dir} (no ${FINDINGS_FILE}); run \`tourniquet investigate\`.`,
    );
  const all = (JSON.parse(readFileSync(file, 'utf8')) as { findings: (Finding & { attributed?: boolean })[] })
    .findings;
  const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
  const findings = all.filter(
    (f) =>
      (filter.minSeverity === undefined || rank(f.severity) >= rank(filter.minSeverity)) &&
      (filter.category === undefined || f.category === filter.category) &&
      (!filter.attributedOnly || f.attributed !== false),
  );
  return { total: all.length, returned: findings.length, findings };
}

/** Filters of an event query: each narrows; none = every event of the case. */
export interface EventFilter {
  accessKeyId?: string | undefined;
  principal?: string | undefined;
  eventName?: string | undefined;
  eventSource?: string | undefined;
  sourceIp?: string | undefined;
  region?: string | undefined;
  errorsOnly?: boolean | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** Each filter as SQL over the Athena CloudTrail columns, values bound, never spliced. */
const FILTERS: { [K in keyof EventFilter]-?: (v: NonNullable<EventFilter[K]>) => [string, SqlParam[]] } = {
  accessKeyId: (v) => ['e.useridentity.accesskeyid = ?', [v]],
  principal: (v) => [`strpos(coalesce(${PRINCIPAL}, ''), ?) > 0`, [v]],
  eventName: (v) => ['e.eventname = ?', [v]],
  eventSource: (v) => ['e.eventsource = ?', [v]],
  sourceIp: (v) => ['e.sourceipaddress = ?', [v]],
  region: (v) => ['e.awsregion = ?', [v]],
  errorsOnly: (v) => [v ? 'e.errorcode IS NOT NULL' : 'TRUE', []],
  since: (v) => ['e.eventtime >= ?', [v]],
  until: (v) => ['e.eventtime <= ?', [v]],
};

/** Events of a case's store that match every filter, oldest first (the store opened read-only). */
export async function caseEvents(dir: string, filter: EventFilter, limit: number) {
  const file = join(dir, STORE_FILE);
  if (!existsSync(file))
    throw new ToolError(`no events collected in ${dir} (no ${STORE_FILE}); run \`tourniquet collect\`.`);
  const where: string[] = [];
  const params: SqlParam[] = [];
  for (const [name, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const [sql, values] = (FILTERS[name as keyof EventFilter] as (v: unknown) => [string, SqlParam[]])(value);
    where.push(sql);
    params.push(...values);
  }
  const condition = where.length ? where.join(' AND ') : 'TRUE';
  let store;
  try {
    store = await openEventStore(file, { readOnly: true });
  } catch (error) {
    throw new ToolError(
      `cannot read ${file} now (${(error as Error).message.split('\n')[0]}); another command may be writing it: try again when it ends.`,
    );
  }
  try {
    const [count] = await store.query<{ n: bigint }>(
      `SELECT count(*) AS n FROM ${FROM_EVENTS} WHERE ${condition}`,
      params,
    );
    const rows = await store.query<Record<string, unknown>>(
      `SELECT e.eventid AS "eventId", e.eventtime AS "time", e.awsregion AS region, e.eventsource AS "eventSource",
              e.eventname AS "eventName", e.sourceipaddress AS "sourceIp", e.useragent AS "userAgent",
              e.errorcode AS "errorCode", e.useridentity.accesskeyid AS "accessKeyId", ${PRINCIPAL} AS principal,
              e.requestparameters AS "requestParameters"
       FROM ${FROM_EVENTS} WHERE ${condition} ORDER BY e.eventtime, e.eventid LIMIT ${limit}`,
      params,
    );
    return { total: Number(count?.n ?? 0), returned: rows.length, events: rows };
  } finally {
    store.close();
  }
}
