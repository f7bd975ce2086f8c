import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import type { OpContext, OperationDef } from '../../core/service.js';
import type { SimState } from '../../state.js';
import type { CloudTrailState } from '../model.js';
import { LakeDatabase, LakeStatementError } from './engine.js';
import type { LakeQuery, LakeQueryStatus } from './model.js';
import { findStore, notFound, pageBounds, pageToken, storeEvents, storesOf } from './stores.js';

type Ctx = OpContext<undefined>;

/** Lake runs at most 10 queries at once per account (MaxConcurrentQueriesException). */
const MAX_CONCURRENT = 10;
/** QueryStatement is 1 to 10,000 characters (CloudTrail API). */
const MAX_STATEMENT = 10_000;

function queriesOf(ct: CloudTrailState): Record<string, LakeQuery> {
  return (ct.lakeQueries ??= {});
}

function invalidStatement(message: string): SimError {
  return new SimError('InvalidQueryStatementException', message, 400);
}

function running(q: LakeQuery): boolean {
  return q.status === 'QUEUED' || q.status === 'RUNNING';
}

/** The query a request names, in the request's region. */
function queryOf(ctx: Ctx): LakeQuery {
  const id = bodyString(ctx.body.QueryId);
  if (!id) throw new SimError('InvalidParameterException', 'QueryId is required.', 400);
  const q = queriesOf(ctx.account.cloudtrail)[id];
  // The deprecated EventDataStore member, when given, must name a store the query reads.
  const store =
    ctx.body.EventDataStore === undefined ? undefined : findStore(ctx, bodyString(ctx.body.EventDataStore));
  if (!q || q.region !== ctx.region || (store && !q.stores.includes(store.arn)))
    throw new SimError(
      'QueryIdNotFoundException',
      'The query ID does not exist or does not map to a query.',
      400,
    );
  return q;
}

/**
 * The stores a statement reads: the account's stores of the region whose id it names. A
 * store-shaped id after FROM or JOIN that is no store of the region is EventDataStoreNotFound; a
 * statement naming none is not a Lake query.
 */
function storesNamed(ctx: Ctx, statement: string): { id: string; arn: string }[] {
  const stores = Object.values(storesOf(ctx.account.cloudtrail)).filter((s) => s.region === ctx.region);
  for (const m of statement.matchAll(/\b(?:FROM|JOIN)\s+"?([A-Za-z0-9]{8}-[A-Za-z0-9-]{27})"?/gi)) {
    if (!stores.some((s) => s.id === m[1])) throw notFound(m[1]!);
  }
  const named = stores.filter((s) => statement.includes(s.id));
  if (named.length === 0)
    throw invalidStatement('The query must name an event data store id in its FROM clause.');
  return named;
}

/**
 * Run a started query in the background: QUEUED until the next turn of the event loop, RUNNING
 * while DuckDB works, then FINISHED, FAILED with the error, or TIMED_OUT past the account's
 * `limits.lakeQueryTimeoutMs`. A query cancelled meanwhile stays CANCELLED.
 */
async function execute(sim: SimState, q: LakeQuery, db: LakeDatabase): Promise<void> {
  try {
    await new Promise((resolve) => setImmediate(resolve));
    if (q.status !== 'QUEUED') return;
    q.status = 'RUNNING';
    const answer = await db.run();
    if ((q.status as LakeQueryStatus) === 'CANCELLED') return;
    q.eventsScanned = answer.eventsScanned;
    q.bytesScanned = answer.bytesScanned;
    q.executionMs = answer.executionMs;
    if (answer.executionMs >= sim.limits.lakeQueryTimeoutMs) {
      q.status = 'TIMED_OUT';
      q.errorMessage = `Query timed out after ${answer.executionMs} ms.`;
      return;
    }
    q.rows = answer.rows;
    // Tourniquet's queries select events, one row each; for an aggregate this counts its rows.
    q.eventsMatched = answer.rows.length;
    q.status = 'FINISHED';
  } catch (error) {
    if (q.status === 'CANCELLED') return;
    q.status = 'FAILED';
    q.errorMessage = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  } finally {
    db.close();
  }
}

const STEPS: LakeQueryStatus[] = ['QUEUED', 'RUNNING'];

/** The status DescribeQuery shows: the true one, never more than one step past the last shown. */
function shownStatus(q: LakeQuery): LakeQueryStatus {
  const polls = q.polls;
  q.polls = polls + 1;
  if (q.status === 'CANCELLED') return q.status;
  const rank = STEPS.includes(q.status) ? STEPS.indexOf(q.status) : 2;
  return rank <= polls ? q.status : STEPS[Math.min(polls, 1)]!;
}

/** StartQuery, DescribeQuery, GetQueryResults and CancelQuery (CloudTrail Lake). */
export const queryOperations: Record<string, OperationDef<undefined>> = {
  StartQuery: {
    async handler(ctx) {
      if (ctx.body.QueryAlias !== undefined || ctx.body.DeliveryS3Uri !== undefined)
        throw new SimError(
          'UnsupportedOperationException',
          'The simulated CloudTrail Lake runs query statements only (no QueryAlias, no DeliveryS3Uri).',
          400,
        );
      const statement = bodyString(ctx.body.QueryStatement);
      if (!statement.trim() || statement.length > MAX_STATEMENT)
        throw new SimError(
          'InvalidParameterException',
          `QueryStatement must be 1 to ${MAX_STATEMENT} characters.`,
          400,
        );
      if (!/^\s*(\(\s*)*(SELECT|WITH)\b/i.test(statement.replace(/^\s*(--[^\n]*\n\s*)*/, '')))
        throw invalidStatement('Only SELECT statements are supported.');
      const named = storesNamed(ctx, statement);
      const queries = queriesOf(ctx.account.cloudtrail);
      if (Object.values(queries).filter(running).length >= MAX_CONCURRENT)
        throw new SimError(
          'MaxConcurrentQueriesException',
          'You are already running the maximum number of concurrent queries. Wait a minute for some queries to finish, and then run the query again.',
          400,
        );
      const all = storesOf(ctx.account.cloudtrail);
      const tables = named.map((s) => ({ id: s.id, events: storeEvents(ctx.sim, ctx.account, all[s.arn]!) }));
      let db: LakeDatabase;
      try {
        db = await LakeDatabase.open(tables, statement);
      } catch (error) {
        if (error instanceof LakeStatementError) throw invalidStatement(error.message);
        throw error;
      }
      const q: LakeQuery = {
        id: ctx.sim.ids.uuid(),
        region: ctx.region,
        statement,
        stores: named.map((s) => s.arn),
        status: 'QUEUED',
        created: ctx.sim.nowIso(),
        eventsScanned: 0,
        bytesScanned: 0,
        eventsMatched: 0,
        executionMs: 0,
        rows: [],
        polls: 0,
      };
      queries[q.id] = q;
      void execute(ctx.sim, q, db);
      return { QueryId: q.id };
    },
  },
  DescribeQuery: {
    handler(ctx) {
      const q = queryOf(ctx);
      const status = shownStatus(q);
      const final = status === q.status;
      return {
        QueryId: q.id,
        QueryString: q.statement,
        QueryStatus: status,
        QueryStatistics: {
          EventsMatched: final ? q.eventsMatched : 0,
          EventsScanned: final ? q.eventsScanned : 0,
          BytesScanned: final ? q.bytesScanned : 0,
          ExecutionTimeInMillis: final ? q.executionMs : 0,
          CreationTime: new Date(q.created),
        },
        ...(final && q.errorMessage ? { ErrorMessage: q.errorMessage } : {}),
      };
    },
  },
  GetQueryResults: {
    handler(ctx) {
      const q = queryOf(ctx);
      const max = ctx.body.MaxQueryResults === undefined ? 1000 : Number(ctx.body.MaxQueryResults);
      if (!Number.isInteger(max) || max < 1 || max > 1000)
        throw new SimError('InvalidMaxResultsException', 'MaxQueryResults must be between 1 and 1000.', 400);
      if (q.status !== 'FINISHED')
        return { QueryStatus: q.status, ...(q.errorMessage ? { ErrorMessage: q.errorMessage } : {}) };
      const { start, end } = pageBounds(bodyString(ctx.body.NextToken), max, q.rows.length);
      return {
        QueryStatus: q.status,
        QueryStatistics: {
          ResultsCount: end - start,
          TotalResultsCount: q.rows.length,
          BytesScanned: q.bytesScanned,
        },
        QueryResultRows: q.rows.slice(start, end),
        ...(end < q.rows.length ? { NextToken: pageToken(end) } : {}),
      };
    },
  },
  CancelQuery: {
    handler(ctx) {
      const q = queryOf(ctx);
      if (!running(q))
        throw new SimError(
          'InactiveQueryException',
          `The query cannot be canceled because it is in the ${q.status} state.`,
          400,
        );
      q.status = 'CANCELLED';
      return { QueryId: q.id, QueryStatus: q.status };
    },
  },
};
