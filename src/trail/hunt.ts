import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../context.js';
import type { EventStore } from '../store/store.js';
import type { Ranked, StoreSummary } from '../store/summary.js';
import { ingestPaths, type IngestReport, type Mention, type RecordFilter } from './ingest.js';

export interface HuntOptions {
  paths: string[];
  filter?: RecordFilter;
  /** Keep the events in this DuckDB file; default a temporary file removed by `close()`. */
  storeFile?: string;
  progress?: Progress;
}

/**
 * An offline hunt: the loaded store (still open, for the summary and detection rules) and what
 * was read.
 */
export interface Hunt {
  store: EventStore;
  ingest: IngestReport;
  /** Close the store and remove it if it was temporary. */
  close(): void;
}

/**
 * Load CloudTrail files into a store (a temporary one unless `storeFile` is given), filtered
 * during the scan. The caller summarises the store and runs detections on `hunt.store` (side by
 * side: `summarizeBeside`), then `close()`s. A temporary store opens (DuckDB's module loaded
 * first) while the prefilter's workers search.
 */
export async function huntFiles(options: HuntOptions): Promise<Hunt> {
  const temp = options.storeFile ? undefined : mkdtempSync(join(tmpdir(), 'tq-hunt-'));
  const file = options.storeFile ?? join(temp!, 'hunt.duckdb');
  const opening = openStore(file, temp !== undefined);
  // Awaited by ingestPaths or below: a failure meanwhile is not an unhandled rejection.
  opening.catch(() => undefined);
  const close = (store: EventStore | undefined): void => {
    store?.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
  };
  try {
    // A store the user named is opened first: a file DuckDB refuses stops the hunt before the scan.
    if (options.storeFile) await opening;
    const ingest = await ingestPaths(opening, options.paths, {
      filter: options.filter,
      progress: options.progress,
      sourceKind: 'file',
    });
    const store = await opening;
    return { store, ingest, close: () => close(store) };
  } catch (error) {
    close(await opening.catch(() => undefined));
    throw error;
  }
}

async function openStore(file: string, temporary: boolean): Promise<EventStore> {
  const { LOAD_MEMORY_LIMIT, openEventStore } = await import('../store/store.js');
  const store = await openEventStore(file, { memoryLimit: LOAD_MEMORY_LIMIT });
  // A temporary store is deleted on close: writing its tables to the file first is wasted.
  if (temporary) await store.run('PRAGMA disable_checkpoint_on_shutdown');
  return store;
}

/** The `--json` document of `tourniquet hunt` (findings are added by the caller). */
export interface HuntDocument {
  records: number;
  files: number;
  filter: RecordFilter;
  badFiles: { path: string; reason: string }[];
  badRecords: number;
  badRecordDetails: { path: string; reason: string; count: number }[];
  skipped: { path: string; reason: string }[];
  duplicates: number;
  /**
   * Key or user hunts: records holding the value that the subject did not make (CreateAccessKey's
   * response naming the key, an administrator acting on the user), not counted in `records`.
   */
  mentions: { count: number; events: Mention[] };
  /** Files read record by record by DuckDB instead of by the prefilter (damaged, or lookup-events output). */
  slowFiles: { path: string; reason: string }[];
  timeRange: { first: string | null; last: string | null };
  accounts: Ranked[];
  regions: Ranked[];
  principals: {
    arn: string;
    type: string | null;
    count: number;
    accessKeys: number;
    first: string;
    last: string;
  }[];
  accessKeys: { accessKeyId: string; principal: string | null; count: number; first: string; last: string }[];
  sourceIps: Ranked[];
  userAgents: Ranked[];
  eventNames: Ranked[];
  errorCodes: Ranked[];
  /** How many distinct values each list had before it was cut. */
  distinct: Record<string, number>;
}

/** Mentions listed in the document (all are counted). */
const MENTIONS_LISTED = 1000;

/** Shape the ingest report and summary into the hunt document. */
export function huntDocument(
  hunt: { ingest: IngestReport; summary: StoreSummary },
  filter: RecordFilter,
): HuntDocument {
  const { ingest, summary } = hunt;
  const l = summary.lists;
  return {
    records: summary.records,
    files: ingest.files,
    filter,
    badFiles: ingest.badFiles,
    badRecords: ingest.badRecords,
    badRecordDetails: ingest.badRecordDetails,
    skipped: ingest.skipped,
    duplicates: ingest.duplicates,
    mentions: { count: ingest.mentions.length, events: ingest.mentions.slice(0, MENTIONS_LISTED) },
    slowFiles: ingest.slowFiles,
    timeRange: summary.timeRange,
    accounts: l.accounts.top,
    regions: l.regions.top,
    principals: l.principals.top.map((p) => ({
      arn: p.value,
      type: (p.type as string | null) ?? null,
      count: p.count,
      accessKeys: p.accessKeys as number,
      first: p.first as string,
      last: p.last as string,
    })),
    accessKeys: l.accessKeys.top.map((k) => ({
      accessKeyId: k.value,
      principal: (k.principal as string | null) ?? null,
      count: k.count,
      first: k.first as string,
      last: k.last as string,
    })),
    sourceIps: l.sourceIps.top,
    userAgents: l.userAgents.top,
    eventNames: l.eventNames.top,
    errorCodes: l.errorCodes.top,
    distinct: Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.distinct])),
  };
}
