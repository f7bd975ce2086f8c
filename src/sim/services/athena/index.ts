import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import type { SimState } from '../../state.js';
import type { GlueState } from '../glue/index.js';
import { bucketIfExists } from '../s3/buckets.js';
import { simWorld } from '../s3/store.js';
import { AthenaQueryError, runSelect } from './engine.js';
import { fromCsv, toCsv } from './results.js';
import { splitS3Url } from './tables.js';

type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** One query execution, as GetQueryExecution reports it (the rows live in the result CSV in S3). */
export interface QueryRecord {
  id: string;
  account: string;
  region: string;
  query: string;
  workGroup: string;
  database: string;
  catalog: string;
  outputLocation: string;
  state: QueryState;
  reason?: string | undefined;
  error?: { category: number; type: number; message: string } | undefined;
  submitted: string;
  completed?: string | undefined;
  stats?: { scanned: number; engineMs: number; totalMs: number; queueMs: number } | undefined;
  columns?: { name: string; type: string }[] | undefined;
  /** GetQueryExecution calls so far: the state shown advances at most one step per call. */
  polls?: number | undefined;
}

/** A workgroup: where results go, and whether that overrides the client's choice. */
export interface WorkGroupRecord {
  name: string;
  description?: string | undefined;
  outputLocation?: string | undefined;
  enforce: boolean;
  created: string;
}

/** One account's Athena: query executions by id, workgroups by `region/name`. */
export interface AthenaState {
  queries: Record<string, QueryRecord>;
  workgroups: Record<string, WorkGroupRecord>;
}

type Ctx = OpContext<AthenaState>;
type Op = OperationDef<AthenaState>;

function invalid(message: string, athenaErrorCode?: string): SimError {
  return new SimError(
    'InvalidRequestException',
    message,
    400,
    athenaErrorCode ? { AthenaErrorCode: athenaErrorCode } : undefined,
  );
}

/** The region's workgroup (`primary` exists everywhere, with no result location, as in a new account). */
function workGroup(ctx: Ctx, name: string): WorkGroupRecord {
  const key = `${ctx.region}/${name}`;
  if (!ctx.state.workgroups[key] && name === 'primary')
    ctx.state.workgroups[key] = { name, enforce: false, created: ctx.sim.nowIso() };
  const wg = ctx.state.workgroups[key];
  if (!wg) throw invalid(`WorkGroup ${name} is not found.`);
  return wg;
}

function queryOf(ctx: Ctx): QueryRecord {
  const id = bodyString(ctx.body.QueryExecutionId);
  const q = ctx.state.queries[id];
  if (!q || q.region !== ctx.region) throw invalid(`QueryExecution ${id} was not found`);
  return q;
}

function wgArn(ctx: Ctx, name: string): string {
  return `arn:aws:athena:${ctx.region}:${ctx.caller.accountId}:workgroup/${name}`;
}

/** Where a query's results go: the enforced workgroup location, else the request's, else the workgroup's. */
function outputOf(ctx: Ctx, wg: WorkGroupRecord): string {
  const asked = bodyString(
    (ctx.body.ResultConfiguration as { OutputLocation?: unknown } | undefined)?.OutputLocation,
  );
  const location = wg.enforce ? wg.outputLocation : asked || wg.outputLocation;
  if (!location)
    throw invalid(
      'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
    );
  const out = splitS3Url(location);
  if (!out) throw invalid(`${location} is not a valid S3 output location.`);
  if (!ctx.sim.objectStore?.bucketOwner(out.bucket))
    throw invalid(`Unable to verify/create output bucket ${out.bucket}`);
  return location;
}

function resultObject(q: QueryRecord): { bucket: string; key: string } {
  const out = splitS3Url(q.outputLocation)!;
  const prefix = out.prefix && !out.prefix.endsWith('/') ? `${out.prefix}/` : out.prefix;
  return { bucket: out.bucket, key: `${prefix}${q.id}.csv` };
}

function fail(q: QueryRecord, sim: SimState, code: string, message: string, type = 1000, category = 2): void {
  q.state = 'FAILED';
  q.reason = `${code}: ${message}`;
  q.error = { category, type, message: q.reason };
  q.completed = sim.nowIso();
}

/**
 * Run a query in the background: QUEUED until the next turn of the event loop, RUNNING while
 * DuckDB works, then SUCCEEDED (result CSV written to the output location) or FAILED with
 * Athena's error. A query stopped meanwhile stays CANCELLED.
 */
async function execute(sim: SimState, q: QueryRecord): Promise<void> {
  const queued = Date.now();
  await new Promise((resolve) => setImmediate(resolve));
  if (q.state !== 'QUEUED') return;
  q.state = 'RUNNING';
  const started = Date.now();
  try {
    const glue = sim.serviceState<GlueState>(q.account, 'glue', () => ({ databases: {}, tables: {} }));
    const answer = await runSelect(sim, glue, q.region, q.database, q.query);
    if ((q.state as QueryState) === 'CANCELLED') return;
    const out = resultObject(q);
    if (!sim.objectStore?.bucketOwner(out.bucket)) {
      fail(
        q,
        sim,
        'GENERIC_INTERNAL_ERROR',
        `Unable to write the results: output bucket ${out.bucket} is gone`,
        401,
        1,
      );
      return;
    }
    const csv = toCsv(
      answer.columns.map((c) => c.name),
      answer.rows,
    );
    sim.objectStore.putObject(out.bucket, out.key, Buffer.from(csv, 'utf8'), 'text/csv');
    const done = Date.now();
    q.columns = answer.columns;
    q.stats = {
      scanned: answer.scannedBytes,
      engineMs: done - started,
      totalMs: done - queued,
      queueMs: started - queued,
    };
    q.state = 'SUCCEEDED';
    q.completed = sim.nowIso();
  } catch (error) {
    if ((q.state as QueryState) === 'CANCELLED') return;
    if (error instanceof AthenaQueryError)
      fail(q, sim, error.code, error.message.slice(error.code.length + 2), error.errorType, error.category);
    else
      fail(q, sim, 'GENERIC_INTERNAL_ERROR', error instanceof Error ? error.message : String(error), 200, 1);
  }
}

const STEPS: QueryState[] = ['QUEUED', 'RUNNING'];

/**
 * The state GetQueryExecution shows: the true one, but never more than one step past the last
 * shown (QUEUED on the first call, RUNNING at the earliest on the second), so every client sees
 * the transitions Athena's queries go through, however fast DuckDB was.
 */
function shownState(q: QueryRecord): QueryState {
  const polls = q.polls ?? 0;
  q.polls = polls + 1;
  if (q.state === 'CANCELLED') return q.state;
  const rank = STEPS.includes(q.state) ? STEPS.indexOf(q.state) : 2;
  return rank <= polls ? q.state : STEPS[Math.min(polls, 1)]!;
}

function execution(q: QueryRecord) {
  const state = shownState(q);
  const final = state === q.state;
  return {
    QueryExecutionId: q.id,
    Query: q.query,
    StatementType: 'DML',
    ResultConfiguration: { OutputLocation: `${resultUrl(q)}` },
    QueryExecutionContext: { Database: q.database, Catalog: q.catalog },
    Status: {
      State: state,
      ...(final && q.reason ? { StateChangeReason: q.reason } : {}),
      SubmissionDateTime: new Date(q.submitted),
      ...(final && q.completed ? { CompletionDateTime: new Date(q.completed) } : {}),
      ...(final && q.error
        ? {
            AthenaError: {
              ErrorCategory: q.error.category,
              ErrorType: q.error.type,
              Retryable: false,
              ErrorMessage: q.error.message,
            },
          }
        : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: q.stats?.engineMs ?? 0,
      DataScannedInBytes: q.stats?.scanned ?? 0,
      TotalExecutionTimeInMillis: q.stats?.totalMs ?? 0,
      QueryQueueTimeInMillis: q.stats?.queueMs ?? 0,
      ServiceProcessingTimeInMillis: 0,
    },
    WorkGroup: q.workGroup,
    EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
  };
}

function resultUrl(q: QueryRecord): string {
  const o = resultObject(q);
  return `s3://${o.bucket}/${o.key}`;
}

const operations: Record<string, Op> = {
  StartQueryExecution: {
    auth: {
      resource: (ctx) => wgArn(ctx, bodyString(ctx.body.WorkGroup) || 'primary'),
    },
    handler(ctx) {
      const query = bodyString(ctx.body.QueryString);
      if (!query.trim()) throw invalid('Query string must not be empty.');
      if (Buffer.byteLength(query) > 262144) throw invalid('Query string is longer than 262144 bytes.');
      const wg = workGroup(ctx, bodyString(ctx.body.WorkGroup) || 'primary');
      const context = (ctx.body.QueryExecutionContext ?? {}) as { Database?: unknown; Catalog?: unknown };
      const q: QueryRecord = {
        id: ctx.sim.ids.uuid(),
        account: ctx.caller.accountId,
        region: ctx.region,
        query,
        workGroup: wg.name,
        database: bodyString(context.Database) || 'default',
        catalog: bodyString(context.Catalog) || 'AwsDataCatalog',
        outputLocation: outputOf(ctx, wg),
        state: 'QUEUED',
        submitted: ctx.sim.nowIso(),
      };
      ctx.state.queries[q.id] = q;
      void execute(ctx.sim, q);
      ctx.trail.responseElements = { queryExecutionId: q.id };
      return { QueryExecutionId: q.id };
    },
  },
  GetQueryExecution: {
    handler: (ctx) => ({ QueryExecution: execution(queryOf(ctx)) }),
  },
  GetQueryResults: {
    handler(ctx) {
      const q = queryOf(ctx);
      if (q.state === 'QUEUED' || q.state === 'RUNNING')
        throw invalid(`Query has not yet finished. Current state: ${q.state}`);
      if (q.state !== 'SUCCEEDED')
        throw invalid(
          `Query did not finish successfully. Final query state: ${q.state}${q.reason ? `\n${q.reason}` : ''}`,
        );
      const max = ctx.body.MaxResults === undefined ? 1000 : Number(ctx.body.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > 1000)
        throw new SimError(
          'InvalidRequestException',
          `1 validation error detected: Value '${String(ctx.body.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
          400,
        );
      const out = resultObject(q);
      const object = bucketIfExists(simWorld(ctx.sim), out.bucket)?.objects[out.key];
      if (!object) throw invalid(`Unable to read query results at ${resultUrl(q)}: the result file is gone.`);
      const rows = fromCsv(Buffer.from(object.body, 'base64').toString('utf8'));
      const token = bodyString(ctx.body.NextToken);
      const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(start) || start < 0 || start > rows.length)
        throw invalid('The NextToken is not valid.');
      const end = Math.min(rows.length, start + max);
      return {
        UpdateCount: 0,
        ResultSet: {
          Rows: rows
            .slice(start, end)
            .map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
          ResultSetMetadata: {
            ColumnInfo: (q.columns ?? []).map((c) => ({
              CatalogName: 'hive',
              SchemaName: '',
              TableName: '',
              Name: c.name,
              Label: c.name,
              Type: c.type,
              Precision: c.type === 'varchar' ? 2147483647 : 0,
              Scale: 0,
              Nullable: 'UNKNOWN',
              CaseSensitive: c.type === 'varchar',
            })),
          },
        },
        ...(end < rows.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}),
      };
    },
  },
  StopQueryExecution: {
    handler(ctx) {
      const q = queryOf(ctx);
      if (q.state === 'QUEUED' || q.state === 'RUNNING') {
        q.state = 'CANCELLED';
        q.reason = 'Query cancelled by user';
        q.completed = ctx.sim.nowIso();
      }
      return {};
    },
  },
  GetWorkGroup: {
    auth: { resource: (ctx) => wgArn(ctx, bodyString(ctx.body.WorkGroup)) },
    handler(ctx) {
      const wg = workGroup(ctx, bodyString(ctx.body.WorkGroup));
      return {
        WorkGroup: {
          Name: wg.name,
          State: 'ENABLED',
          Configuration: {
            ResultConfiguration: wg.outputLocation ? { OutputLocation: wg.outputLocation } : {},
            EnforceWorkGroupConfiguration: wg.enforce,
            PublishCloudWatchMetricsEnabled: false,
            RequesterPaysEnabled: false,
            EngineVersion: {
              SelectedEngineVersion: 'AUTO',
              EffectiveEngineVersion: 'Athena engine version 3',
            },
          },
          ...(wg.description ? { Description: wg.description } : {}),
          CreationTime: new Date(wg.created),
        },
      };
    },
  },
  CreateWorkGroup: {
    auth: { resource: (ctx) => wgArn(ctx, bodyString(ctx.body.Name)) },
    handler(ctx) {
      const name = bodyString(ctx.body.Name);
      if (!/^[a-zA-Z0-9._-]{1,128}$/.test(name)) throw invalid(`WorkGroup name ${name} is not valid.`);
      if (ctx.state.workgroups[`${ctx.region}/${name}`] || name === 'primary')
        throw invalid('WorkGroup is already created', 'ALREADY_EXISTS');
      const config = (ctx.body.Configuration ?? {}) as {
        ResultConfiguration?: { OutputLocation?: unknown };
        EnforceWorkGroupConfiguration?: unknown;
      };
      const outputLocation = bodyString(config.ResultConfiguration?.OutputLocation) || undefined;
      if (outputLocation && !splitS3Url(outputLocation))
        throw invalid(`${outputLocation} is not a valid S3 output location.`);
      ctx.state.workgroups[`${ctx.region}/${name}`] = {
        name,
        description: bodyString(ctx.body.Description) || undefined,
        outputLocation,
        enforce: config.EnforceWorkGroupConfiguration !== false,
        created: ctx.sim.nowIso(),
      };
      return {};
    },
  },
};

/**
 * Amazon Athena (awsJson1.1, `AmazonAthena`), a test double: SELECT queries over the tables of
 * the account's Glue Data Catalog, run by DuckDB over the simulated S3 objects with the
 * Trino-compatibility macros (see README "Athena and Glue").
 */
export const athenaService = defineService<AthenaState>({
  signingName: 'athena',
  protocol: 'json',
  targetPrefix: 'AmazonAthena',
  eventSource: 'athena.amazonaws.com',
  apiVersion: '2017-05-18',
  endpointHost: (region) => `athena.${region}.amazonaws.com`,
  initState: () => ({ queries: {}, workgroups: {} }),
  operations,
});
