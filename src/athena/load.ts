import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ATHENA_COLUMNS, COLUMN_DECLS, EVENTS_TABLE, type SourceKind } from '../store/schema.js';
import type { EventStore } from '../store/store.js';
import { redactSql } from '../trail/redact.js';
import type { QueryOutcome } from './client.js';
import { STRUCT_COLUMNS } from './table.js';

/** The evidence table: one row per Athena query a hunt ran, kept in the store beside the events. */
export const QUERIES_TABLE = 'athena_queries';

const CREATE_QUERIES_TABLE = `CREATE TABLE IF NOT EXISTS ${QUERIES_TABLE} (
  queryid VARCHAR, scope VARCHAR, sql VARCHAR, state VARCHAR, reason VARCHAR,
  estimatedbytes BIGINT, scannedbytes BIGINT, enginems BIGINT, records BIGINT,
  resultlocation VARCHAR, resultsha256 VARCHAR, resultbytes BIGINT, finishedat VARCHAR)`;

/** One query's evidence row. */
export interface QueryEvidence {
  queryId: string;
  scope: string;
  sql: string;
  state: string;
  reason: string | null;
  estimatedBytes: number;
  scannedBytes: number;
  engineMs: number;
  records: number;
  resultLocation: string | null;
  resultSha256: string | null;
  resultBytes: number | null;
  finishedAt: string;
}

/** A finished query's evidence before its rows are read (records and result digest still to fill). */
export function queryEvidence(
  done: QueryOutcome,
  o: { scope: string; sql: string; estimatedBytes: number; finishedAt: string },
): QueryEvidence {
  return {
    queryId: done.queryId,
    ...o,
    state: done.state,
    reason: done.reason,
    scannedBytes: done.scannedBytes,
    engineMs: done.engineMs,
    records: 0,
    resultLocation: done.resultLocation,
    resultSha256: null,
    resultBytes: null,
  };
}

/** Record a query in the store's evidence table. */
export async function recordQuery(store: EventStore, q: QueryEvidence): Promise<void> {
  await store.run(CREATE_QUERIES_TABLE);
  await store.run(`INSERT INTO ${QUERIES_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    q.queryId,
    q.scope,
    q.sql,
    q.state,
    q.reason,
    q.estimatedBytes,
    q.scannedBytes,
    q.engineMs,
    q.records,
    q.resultLocation,
    q.resultSha256,
    q.resultBytes,
    q.finishedAt,
  ]);
}

/** What loading one page did. */
export interface PageLoad {
  inserted: number;
  duplicates: number;
}

/**
 * Store one page of an Athena hunt's rows (the table's columns as text, structs as JSON) as
 * events: staged as NDJSON and read back by DuckDB with the store's column types, responses
 * redacted as the local loader does, `sourcekind` s3 and `sourceref` `athena:<query id>` unless
 * `source` says otherwise (CloudTrail Lake: `lake`, `lake:<query id>`).
 * Records already stored (same event id) are counted, not stored twice.
 */
export async function loadPage(
  store: EventStore,
  columns: string[],
  rows: (string | null)[][],
  queryId: string,
  ingestId: string = randomUUID(),
  source: { kind: SourceKind; ref: string } = { kind: 's3', ref: `athena:${queryId}` },
): Promise<PageLoad> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0 };
  const structs = new Set<string>(STRUCT_COLUMNS);
  const lines = rows.map((row) =>
    JSON.stringify(
      Object.fromEntries(
        columns.map((c, i) => {
          const v = row[i] ?? null;
          return [c, v !== null && structs.has(c) ? (JSON.parse(v) as unknown) : v];
        }),
      ),
    ),
  );
  const dir = mkdtempSync(join(tmpdir(), 'tq-athena-'));
  const file = join(dir, 'page.ndjson');
  try {
    writeFileSync(file, `${lines.join('\n')}\n`);
    const types = ATHENA_COLUMNS.map((c) => `${c}: '${COLUMN_DECLS[c].type}'`).join(', ');
    const before = await store.count();
    await store.run(
      `INSERT INTO ${EVENTS_TABLE}
       SELECT ${ATHENA_COLUMNS.map((c) => (c === 'responseelements' ? redactSql(`p.${c}`) : `p.${c}`)).join(', ')},
         CAST(p.eventtime AS TIMESTAMPTZ), ?, ?, ?
       FROM read_json(?, format = 'newline_delimited', records = true, maximum_object_size = 67108864, columns = {${types}}) p
       WHERE p.eventid NOT IN (SELECT eventid FROM ${EVENTS_TABLE} WHERE eventid IS NOT NULL)
       QUALIFY row_number() OVER (PARTITION BY p.eventid ORDER BY p.eventtime) = 1`,
      [source.kind, source.ref, ingestId, file],
    );
    const inserted = (await store.count()) - before;
    return { inserted, duplicates: rows.length - inserted };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
