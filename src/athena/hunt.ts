import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Clock } from '../clock.js';
import type { Logger } from '../context.js';
import { openEventStore, type EventStore } from '../store/store.js';
import { summarizeStore, type StoreSummary } from '../store/summary.js';
import type { CoverageEntry } from '../trail/coverage.js';
import type { IngestReport } from '../trail/ingest.js';
import type { RecordFilter } from '../trail/sql.js';
import { forEachBounded } from '../trail/workers.js';
import { resultDigest, resultPages, startQuery, waitForQuery, type AthenaTarget } from './client.js';
import { prepareTables, type TableSliceEstimate } from './prepare.js';
import { loadPage, queryEvidence, recordQuery, type QueryEvidence } from './load.js';
import { huntQuery } from './sql.js';

export type { TableSliceEstimate } from './prepare.js';

export interface AthenaHuntOptions {
  /** The trail bucket, `s3://bucket[/prefix]`. */
  source: string;
  filter: RecordFilter;
  athena: AthenaClient;
  glue: GlueClient;
  s3: S3Client;
  workGroup: string;
  database: string;
  output: string | undefined;
  /** Refuse when the estimate is above this many bytes, unless `confirm` says yes. */
  maxScan: number;
  /** Asked when the estimate is above maxScan (`--yes`, or the person at the terminal). */
  confirm(estimate: string): Promise<boolean>;
  /** Keep the events in this DuckDB file; default a temporary file removed by `close()`. */
  storeFile?: string | undefined;
  clock: Clock;
  log: Logger;
  /** Queries in flight at once (Athena's default quota is 20 active DML queries). */
  concurrency?: number;
}

/** An Athena hunt: the store with what the queries returned, per-query evidence and coverage. */
export interface AthenaHunt {
  store: EventStore;
  summary: StoreSummary;
  /** The loader's report in the shape of a file hunt's (files are the queries' result files). */
  ingest: IngestReport;
  database: string;
  /** The Glue tables queried: one per folder of account folders (the bucket's, each organisation's). */
  tables: string[];
  estimate: { bytes: number; objects: number; slices: TableSliceEstimate[] };
  queries: QueryEvidence[];
  coverage: CoverageEntry[];
  close(): void;
}

const SINCE_EVER = '2013-11-01T00:00:00Z';

/** The event store of a hunt by query: the given file, or a temporary one `close()` removes. */
export async function huntStore(file: string | undefined): Promise<{ store: EventStore; close: () => void }> {
  const temp = file ? undefined : mkdtempSync(join(tmpdir(), 'tq-query-hunt-'));
  const store = await openEventStore(file ?? join(temp!, 'hunt.duckdb'));
  return {
    store,
    close: () => {
      store.close();
      if (temp) rmSync(temp, { recursive: true, force: true });
    },
  };
}

/** A loader's report in the shape of a file hunt's, for a hunt whose "files" are query results. */
export function queryIngestReport(): IngestReport {
  return {
    ingestId: randomUUID(),
    files: 0,
    records: 0,
    inserted: 0,
    duplicates: 0,
    badRecords: 0,
    badRecordDetails: [],
    badFiles: [],
    skipped: [],
    perFile: new Map(),
    memorySplits: 0,
    mentions: [],
    slowFiles: [],
  };
}

/** The window a hunt's coverage lines name: its bounds, from CloudTrail's start to now when open. */
export function coverageWindow(filter: RecordFilter, now: Date): { from: string; to: string } {
  return { from: filter.since ?? SINCE_EVER, to: filter.until ?? now.toISOString() };
}

/**
 * Hunt a trail bucket in place with Athena: find its accounts and regions, make the Glue
 * database and projected CloudTrail table, estimate the bytes the queries scan from the S3
 * object sizes and refuse above `maxScan` unless confirmed, then run one query per account and
 * region (a few at a time), page each result into the store and keep the query id, statistics
 * and result file sha256 as evidence. A query Athena fails is a coverage line with its id and
 * reason; the others go on.
 */
export async function huntWithAthena(o: AthenaHuntOptions): Promise<AthenaHunt> {
  const { tables, estimates, bytes, objects } = await prepareTables(o, o.filter);

  const { store, close } = await huntStore(o.storeFile);
  const target: AthenaTarget = { ...o, clock: o.clock };
  const ingest = queryIngestReport();
  const queries: QueryEvidence[] = [];
  const coverage: CoverageEntry[] = [];
  const { from, to } = coverageWindow(o.filter, o.clock.now());
  try {
    // A store takes one writer: queries run a few at a time, their results are stored one at a time.
    let tail: Promise<unknown> = Promise.resolve();
    const serially = <T>(work: () => Promise<T>): Promise<T> => {
      const run = tail.then(work, work);
      tail = run.catch(() => undefined);
      return run;
    };
    await forEachBounded(estimates, o.concurrency ?? 4, async (e) => {
      const sql = huntQuery(o.database, e.table, e.slice, o.filter);
      const queryId = await startQuery(target, sql);
      const done = await waitForQuery(target, queryId);
      const scope = `account ${e.slice.account}`;
      const line = (
        status: CoverageEntry['status'],
        reason: string | null,
        records: number,
      ): CoverageEntry => ({
        source: `athena ${o.database}.${e.table} query ${queryId}`,
        region: e.slice.region,
        scope,
        from,
        to,
        status,
        reason,
        records,
      });
      const evidence = queryEvidence(done, {
        scope: `${scope} ${e.slice.region}`,
        sql,
        estimatedBytes: e.bytes,
        finishedAt: o.clock.now().toISOString(),
      });
      if (done.state === 'SUCCEEDED') {
        await serially(async () => {
          for await (const page of resultPages(target, queryId)) {
            const loaded = await loadPage(store, page.columns, page.rows, queryId, ingest.ingestId);
            evidence.records += page.rows.length;
            ingest.inserted += loaded.inserted;
            ingest.duplicates += loaded.duplicates;
          }
          if (done.resultLocation) {
            const digest = await resultDigest(target, done.resultLocation);
            evidence.resultSha256 = digest.sha256;
            evidence.resultBytes = digest.bytes;
          }
          ingest.files++;
          ingest.records += evidence.records;
          ingest.perFile.set(`athena:${queryId}`, evidence.records);
          coverage.push(line('complete', null, evidence.records));
        });
      } else {
        coverage.push(line('failed', `Athena query ${queryId} ${done.state}: ${done.reason ?? ''}`, 0));
      }
      queries.push(evidence);
      await serially(() => recordQuery(store, evidence));
    });
    const summary = await summarizeStore(store);
    const order = (a: { scope: string }, b: { scope: string }): number => a.scope.localeCompare(b.scope);
    return {
      store,
      summary,
      ingest,
      database: o.database,
      tables,
      estimate: { bytes, objects, slices: estimates },
      queries: queries.sort(order),
      coverage: coverage.sort((a, b) => `${a.scope} ${a.region}`.localeCompare(`${b.scope} ${b.region}`)),
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}
