import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { coverageWindow, huntStore, queryIngestReport } from '../athena/hunt.js';
import { loadPage } from '../athena/load.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../context.js';
import type { EventStore } from '../store/store.js';
import { summarizeStore, type StoreSummary } from '../store/summary.js';
import type { CoverageEntry } from '../trail/coverage.js';
import type { IngestReport } from '../trail/ingest.js';
import type { RecordFilter } from '../trail/sql.js';
import { lakeResults, runLakeQuery, type EventDataStoreRef, type LakeOutcome } from './client.js';
import { lakeHuntQuery, storeRow } from './columns.js';

/** The evidence table: one row per Lake query a hunt ran, kept in the store beside the events. */
export const LAKE_QUERIES_TABLE = 'lake_queries';

/** One Lake query's evidence: what ran, what Lake said about it, and the digest of its rows. */
export interface LakeQueryEvidence extends Omit<LakeOutcome, 'queryId'> {
  queryId: string | null;
  eventDataStore: string;
  sql: string;
  /** Rows received (one per event). */
  records: number;
  /** sha256 of the rows as received (see `lakeResults`); null when none were read. */
  resultSha256: string | null;
  finishedAt: string;
}

/** The evidence table's columns: name, DuckDB type, the evidence field. */
const EVIDENCE_COLUMNS: [string, string, keyof LakeQueryEvidence][] = [
  ['queryid', 'VARCHAR', 'queryId'],
  ['eventdatastore', 'VARCHAR', 'eventDataStore'],
  ['sql', 'VARCHAR', 'sql'],
  ['status', 'VARCHAR', 'status'],
  ['reason', 'VARCHAR', 'reason'],
  ['eventsmatched', 'BIGINT', 'eventsMatched'],
  ['eventsscanned', 'BIGINT', 'eventsScanned'],
  ['bytesscanned', 'BIGINT', 'bytesScanned'],
  ['executionms', 'BIGINT', 'executionMs'],
  ['creationtime', 'VARCHAR', 'creationTime'],
  ['records', 'BIGINT', 'records'],
  ['resultsha256', 'VARCHAR', 'resultSha256'],
  ['finishedat', 'VARCHAR', 'finishedAt'],
];

async function recordLakeQuery(store: EventStore, q: LakeQueryEvidence): Promise<void> {
  await store.run(
    `CREATE TABLE IF NOT EXISTS ${LAKE_QUERIES_TABLE} (${EVIDENCE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})`,
  );
  await store.run(
    `INSERT INTO ${LAKE_QUERIES_TABLE} VALUES (${EVIDENCE_COLUMNS.map(() => '?').join(', ')})`,
    EVIDENCE_COLUMNS.map(([, , f]) => q[f]),
  );
}

export interface LakeHuntOptions {
  eventDataStore: EventDataStoreRef;
  filter: RecordFilter;
  cloudtrail: CloudTrailClient;
  /** Keep the events in this DuckDB file; default a temporary file removed by `close()`. */
  storeFile?: string | undefined;
  clock: Clock;
  log: Logger;
}

/** A Lake hunt: the store with what the query returned, its evidence and coverage. */
export interface LakeHunt {
  store: EventStore;
  summary: StoreSummary;
  ingest: IngestReport;
  eventDataStore: EventDataStoreRef;
  queries: LakeQueryEvidence[];
  coverage: CoverageEntry[];
  close(): void;
}

/**
 * Hunt a CloudTrail Lake event data store in place: one query in Lake's schema for the filter's
 * records, polled with backoff, its rows rebuilt into CloudTrail records (`columns.ts` says what
 * cannot be rebuilt exactly) and paged into the store, its id, statistics and the sha256 of its
 * rows kept as evidence. A query Lake refuses or fails is a failed coverage line with Lake's
 * reason and the query id. Lake has no dry run: what a query scans is known only after it ends.
 */
export async function huntWithLake(o: LakeHuntOptions): Promise<LakeHunt> {
  const { store, close } = await huntStore(o.storeFile);
  try {
    const ingest = queryIngestReport();
    const target = { cloudtrail: o.cloudtrail, clock: o.clock };
    const eds = o.eventDataStore;
    const sql = lakeHuntQuery(eds.id, o.filter);
    o.log.info(
      `CloudTrail Lake has no dry run: the bytes this query scans (and is billed for) are known only after it ends (DescribeQuery BytesScanned).`,
    );
    const done = await runLakeQuery(target, sql);
    const evidence: LakeQueryEvidence = {
      ...done,
      eventDataStore: eds.arn,
      sql,
      records: 0,
      resultSha256: null,
      finishedAt: o.clock.now().toISOString(),
    };
    if (done.status === 'FINISHED' && done.queryId) {
      const results = lakeResults(target, done.queryId);
      for await (const rows of results.pages) {
        const built = rows.map(storeRow);
        const loaded = await loadPage(
          store,
          built[0]?.columns ?? [],
          built.map((r) => r.values),
          done.queryId,
          ingest.ingestId,
          { kind: 'lake', ref: `lake:${done.queryId}` },
        );
        evidence.records += rows.length;
        ingest.inserted += loaded.inserted;
        ingest.duplicates += loaded.duplicates;
      }
      evidence.resultSha256 = results.digest();
      ingest.files = 1;
      ingest.records = evidence.records;
      ingest.perFile.set(`lake:${done.queryId}`, evidence.records);
    }
    await recordLakeQuery(store, evidence);
    const { from, to } = coverageWindow(o.filter, o.clock.now());
    const coverage: CoverageEntry[] = [
      {
        source: `lake ${eds.arn} query ${done.queryId ?? '(none: refused at StartQuery)'}`,
        region: eds.region,
        scope: `event data store ${eds.name}`,
        from,
        to,
        status: done.status === 'FINISHED' ? 'complete' : 'failed',
        reason:
          done.status === 'FINISHED'
            ? null
            : `Lake query ${done.queryId ?? '(not started)'} ${done.status}: ${done.reason ?? ''}`,
        records: evidence.records,
      },
    ];
    return {
      store,
      summary: await summarizeStore(store),
      ingest,
      eventDataStore: eds,
      queries: [evidence],
      coverage,
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}
