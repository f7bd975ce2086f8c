import { createHash } from 'node:crypto';
import type { AthenaClient } from '@aws-sdk/client-athena';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Clock } from '../clock.js';
import { splitS3 } from './layout.js';
import { pollWithBackoff } from './poll.js';

/** Where and how queries run. */
export interface AthenaTarget {
  athena: AthenaClient;
  s3: S3Client;
  workGroup: string;
  database: string;
  /** Result location; undefined leaves it to the workgroup. */
  output: string | undefined;
  clock: Clock;
}

/** How one query ended, with what Athena said about it. */
export interface QueryOutcome {
  queryId: string;
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  /** Athena's StateChangeReason for a query that did not succeed. */
  reason: string | null;
  scannedBytes: number;
  engineMs: number;
  resultLocation: string | null;
}

/** Start a query; resolves with its id. */
export async function startQuery(t: AthenaTarget, sql: string): Promise<string> {
  const started = await t.athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: t.workGroup,
      QueryExecutionContext: { Database: t.database, Catalog: 'AwsDataCatalog' },
      ...(t.output ? { ResultConfiguration: { OutputLocation: t.output } } : {}),
    }),
  );
  return started.QueryExecutionId!;
}

/**
 * Poll a query with growing waits (pollWithBackoff) until it leaves QUEUED/RUNNING; one running
 * past 30 minutes is stopped. Returns the outcome; never throws for a failed query.
 */
export async function waitForQuery(t: AthenaTarget, queryId: string): Promise<QueryOutcome> {
  let last: QueryExecution = {};
  return pollWithBackoff(
    t.clock,
    async () => {
      const got = await t.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }));
      last = got.QueryExecution!;
      const state = last.Status?.State;
      return state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED'
        ? outcome(queryId, state, last)
        : undefined;
    },
    async () => {
      await t.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
      return { ...outcome(queryId, 'CANCELLED', last), reason: 'stopped by Tourniquet after 30 minutes' };
    },
  );
}

function outcome(queryId: string, state: QueryOutcome['state'], q: QueryExecution): QueryOutcome {
  return {
    queryId,
    state,
    reason:
      state === 'SUCCEEDED'
        ? null
        : (q.Status?.StateChangeReason ?? q.Status?.AthenaError?.ErrorMessage ?? state),
    scannedBytes: q.Statistics?.DataScannedInBytes ?? 0,
    engineMs: q.Statistics?.EngineExecutionTimeInMillis ?? 0,
    resultLocation: q.ResultConfiguration?.OutputLocation ?? null,
  };
}

/**
 * Every data row of a query's results, a page (up to 1000 rows) at a time; the header Athena
 * puts first on the first page is checked against the column names and left out.
 */
export async function* resultPages(
  t: AthenaTarget,
  queryId: string,
): AsyncGenerator<{ columns: string[]; types: string[]; rows: (string | null)[][] }> {
  let token: string | undefined;
  let first = true;
  do {
    const page = await t.athena.send(
      new GetQueryResultsCommand({
        QueryExecutionId: queryId,
        MaxResults: 1000,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    const columns = info.map((c) => c.Name ?? '');
    const types = info.map((c) => c.Type ?? 'varchar');
    let rows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
    if (first && rows.length > 0 && rows[0]!.every((v, i) => v === columns[i])) rows = rows.slice(1);
    first = false;
    yield { columns, types, rows };
    token = page.NextToken;
  } while (token);
}

/** The sha256 and size of a query's result file in S3 (the evidence that the rows came from it). */
export async function resultDigest(
  t: AthenaTarget,
  location: string,
): Promise<{ sha256: string; bytes: number }> {
  const { bucket, key } = splitS3(location);
  const got = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of got.Body as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
