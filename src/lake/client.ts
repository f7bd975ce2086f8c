import { createHash } from 'node:crypto';
import {
  CancelQueryCommand,
  DescribeQueryCommand,
  GetEventDataStoreCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  type CloudTrailClient,
  type DescribeQueryCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { pollWithBackoff } from '../athena/poll.js';
import type { Clock } from '../clock.js';

/** Where Lake queries run. */
export interface LakeTarget {
  cloudtrail: CloudTrailClient;
  clock: Clock;
}

/** An event data store as the hunt names it. */
export interface EventDataStoreRef {
  arn: string;
  /** The last part of the ARN: what a query's FROM names. */
  id: string;
  name: string;
  region: string;
  status: string;
}

/** The errors with which CloudTrail says a store is not there (or not this account's). */
const NO_STORE = new Set(['EventDataStoreNotFoundException', 'EventDataStoreARNInvalidException']);

/** The event data store an ARN or id names, or why it cannot be used (no such store, wrong ARN). */
export async function findEventDataStore(
  cloudtrail: CloudTrailClient,
  arnOrId: string,
): Promise<{ found: EventDataStoreRef } | { missing: string }> {
  try {
    const got = await cloudtrail.send(new GetEventDataStoreCommand({ EventDataStore: arnOrId }));
    const arn = got.EventDataStoreArn!;
    return {
      found: {
        arn,
        id: arn.split('/').pop()!,
        name: got.Name ?? '',
        region: arn.split(':')[3] ?? '',
        status: got.Status ?? '',
      },
    };
  } catch (error) {
    if (error instanceof Error && NO_STORE.has(error.name))
      return { missing: `${error.name}: ${error.message}` };
    throw error;
  }
}

/** How one Lake query ended, with what DescribeQuery said about it. */
export interface LakeOutcome {
  /** Null when Lake refused the statement at StartQuery (it then has no id). */
  queryId: string | null;
  status: 'FINISHED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT' | 'REFUSED';
  /** Lake's ErrorMessage (or the StartQuery error) for a query that did not finish. */
  reason: string | null;
  eventsMatched: number;
  eventsScanned: number;
  bytesScanned: number;
  executionMs: number;
  creationTime: string | null;
}

/** StartQuery errors that refuse this statement (data, not a failure of Tourniquet). */
const REFUSALS = new Set([
  'InvalidQueryStatementException',
  'EventDataStoreNotFoundException',
  'InactiveEventDataStoreException',
  'MaxConcurrentQueriesException',
]);

function outcome(queryId: string, status: LakeOutcome['status'], d: DescribeQueryCommandOutput): LakeOutcome {
  const s = d.QueryStatistics;
  return {
    queryId,
    status,
    reason: status === 'FINISHED' ? null : (d.ErrorMessage ?? status),
    eventsMatched: s?.EventsMatched ?? 0,
    eventsScanned: s?.EventsScanned ?? 0,
    bytesScanned: s?.BytesScanned ?? 0,
    executionMs: s?.ExecutionTimeInMillis ?? 0,
    creationTime: s?.CreationTime?.toISOString() ?? null,
  };
}

/**
 * Start a query and poll DescribeQuery with growing waits (pollWithBackoff) until it ends; one
 * running past 30 minutes is cancelled. A statement Lake refuses at StartQuery is the outcome
 * REFUSED with Lake's error; never throws for a query Lake did not run.
 */
export async function runLakeQuery(t: LakeTarget, statement: string): Promise<LakeOutcome> {
  let queryId: string;
  try {
    queryId = (await t.cloudtrail.send(new StartQueryCommand({ QueryStatement: statement }))).QueryId!;
  } catch (error) {
    if (!(error instanceof Error) || !REFUSALS.has(error.name)) throw error;
    return {
      queryId: null,
      status: 'REFUSED',
      reason: `${error.name}: ${error.message}`,
      eventsMatched: 0,
      eventsScanned: 0,
      bytesScanned: 0,
      executionMs: 0,
      creationTime: null,
    };
  }
  let last: DescribeQueryCommandOutput = { $metadata: {} };
  return pollWithBackoff(
    t.clock,
    async () => {
      last = await t.cloudtrail.send(new DescribeQueryCommand({ QueryId: queryId }));
      const status = last.QueryStatus;
      return status === 'FINISHED' || status === 'FAILED' || status === 'CANCELLED' || status === 'TIMED_OUT'
        ? outcome(queryId, status, last)
        : undefined;
    },
    async () => {
      await t.cloudtrail.send(new CancelQueryCommand({ QueryId: queryId }));
      return { ...outcome(queryId, 'CANCELLED', last), reason: 'cancelled by Tourniquet after 30 minutes' };
    },
  );
}

/**
 * Every row of a finished query, a page (up to 1000 rows) at a time, each row a list of
 * `{column: value}`. `digest()` after the last page is the sha256 of the pages' QueryResultRows
 * as received, each serialised as JSON, one per line, in order.
 */
export function lakeResults(
  t: LakeTarget,
  queryId: string,
): { pages: AsyncGenerator<Record<string, string>[][]>; digest(): string } {
  const hash = createHash('sha256');
  async function* pages(): AsyncGenerator<Record<string, string>[][]> {
    let token: string | undefined;
    do {
      const page = await t.cloudtrail.send(
        new GetQueryResultsCommand({ QueryId: queryId, MaxQueryResults: 1000, NextToken: token }),
      );
      const rows = page.QueryResultRows ?? [];
      hash.update(`${JSON.stringify(rows)}\n`);
      yield rows;
      token = page.NextToken;
    } while (token);
  }
  return { pages: pages(), digest: () => hash.digest('hex') };
}
