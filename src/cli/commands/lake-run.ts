import { resolve } from 'node:path';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { formatSize } from '../../athena/layout.js';
import type { ClientPool } from '../../aws/pool.js';
import { callerIdentity } from '../../aws/identity.js';
import { CaseFolder } from '../../case/case.js';
import { sigmaFor } from '../../detect/sigma/bundled.js';
import { UsageError } from '../../errors.js';
import { findEventDataStore, type EventDataStoreRef } from '../../lake/client.js';
import { collectWithLake } from '../../lake/collect.js';
import { huntWithLake, type LakeHunt, type LakeQueryEvidence } from '../../lake/hunt.js';
import { checkWindow, parseTimeBound } from '../../trail/window.js';
import { caseContext, resolveCaseDir } from '../case-dir.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import { coverageBlock } from './collect-run.js';
import type { CollectInput } from './collect.js';
import { huntFilter, queryHuntOutcome } from './hunt-run.js';
import type { HuntInput } from './hunt.js';

type LakeOptions = HuntInput['options'] | CollectInput['options'];

/** Options of other engines that `--engine lake` refuses rather than ignores. */
const NOT_FOR_LAKE = ['athena-workgroup', 'athena-output', 'athena-database'] as const;

/**
 * The event data store of `--engine lake`, checked before any query: the option is there, the
 * other engines' options are not, and GetEventDataStore finds the store (in the ARN's region).
 */
async function lakeStore(
  options: LakeOptions,
  env: RunEnv,
): Promise<{ pool: ClientPool; store: EventDataStoreRef }> {
  const given = options['event-data-store'];
  if (!given)
    throw new UsageError(
      '--engine lake needs --event-data-store ARN|ID.',
      'Pass the event data store to query (aws cloudtrail list-event-data-stores lists them).',
    );
  if (options['max-scan'] !== undefined)
    throw new UsageError(
      '--max-scan is for --engine athena: CloudTrail Lake has no dry run, a query scans what it scans and DescribeQuery says how much only after it ends.',
      'Leave --max-scan out and bound the scan with --since/--until.',
    );
  for (const o of NOT_FOR_LAKE)
    if (options[o] !== undefined)
      throw new UsageError(`--${o} is for --engine athena.`, 'Leave it out with --engine lake.');
  const pool = await env.aws();
  // Unusable credentials are one line here, not an SDK error from GetEventDataStore.
  await callerIdentity(pool);
  // An ARN names its region; an id is looked for in the region of the run.
  const region = /^arn:[^:]+:cloudtrail:([^:]+):/.exec(given)?.[1];
  const found = await findEventDataStore(pool.get(CloudTrailClient, region ?? pool.defaultRegion), given);
  if ('missing' in found)
    throw new UsageError(
      `--event-data-store ${given}: no such event data store here (${found.missing}).`,
      'List the stores with aws cloudtrail list-event-data-stores and pass one ARN (or its id with --region its region).',
    );
  return { pool, store: found.found };
}

function scanned(queries: LakeQueryEvidence[]): string {
  return `${formatSize(queries.reduce((s, q) => s + q.bytesScanned, 0))} (DescribeQuery BytesScanned, known only after the query)`;
}

/** Run `tourniquet hunt --engine lake --event-data-store ARN|ID`. */
export async function runLakeHunt({ options, args }: HuntInput, env: RunEnv): Promise<Outcome> {
  if (args.length > 0)
    throw new UsageError(
      '--engine lake reads no files.',
      'Leave PATH out: the event data store is the source.',
    );
  const filter = huntFilter(options, env.clock.now());
  const sigma = await sigmaFor({
    noSigma: options['no-sigma'] === true,
    ...(options.rules ? { extraDir: resolve(env.cwd, options.rules) } : {}),
  });
  const { pool, store } = await lakeStore(options, env);
  const hunt = await huntWithLake({
    eventDataStore: store,
    filter,
    cloudtrail: pool.get(CloudTrailClient, store.region),
    storeFile: options.store === undefined ? undefined : resolve(env.cwd, options.store),
    clock: env.clock,
    log: env.log,
  });
  try {
    return await queryHuntOutcome(
      hunt,
      { filter, key: options.key, sigma },
      { engine: 'lake', lake: { eventDataStore: store, queries: hunt.queries } },
      lakeBlocks(hunt),
    );
  } finally {
    hunt.close();
  }
}

/** What Lake read and how completely, in place of a file hunt's "CloudTrail read". */
function lakeBlocks(hunt: LakeHunt): Block[] {
  const q = hunt.queries[0]!;
  return [
    {
      kind: 'fields',
      title: 'CloudTrail read with CloudTrail Lake',
      fields: [
        ['Event data store', `${hunt.eventDataStore.name} (${hunt.eventDataStore.arn})`],
        ['Query', `${q.queryId ?? '-'} ${q.status}`],
        ['Scanned', scanned(hunt.queries)],
        ['Events scanned', q.eventsScanned],
        ['Events matched', q.eventsMatched],
        ['Records', hunt.ingest.records],
        ['Rows sha256', q.resultSha256 ?? '-'],
        ['Duplicates', hunt.ingest.duplicates],
        ['First event', hunt.summary.timeRange.first],
        ['Last event', hunt.summary.timeRange.last],
      ],
    },
    coverageBlock(hunt.coverage),
  ];
}

/** Run `tourniquet collect --engine lake --event-data-store ARN|ID`. */
export async function runLakeCollect({ options }: CollectInput, env: RunEnv): Promise<Outcome> {
  if (options.source !== undefined)
    throw new UsageError(
      '--source is not read by --engine lake.',
      'Leave it out: the event data store is the source.',
    );
  const now = env.clock.now();
  const since = options.since === undefined ? undefined : parseTimeBound(options.since, 'since', now);
  const until = options.until === undefined ? undefined : parseTimeBound(options.until, 'until', now);
  checkWindow(since, until);
  const { store } = await lakeStore(options, env);
  const caseFolder = CaseFolder.open(resolveCaseDir(env), { clock: env.clock });
  try {
    const ctx = await caseContext(env, caseFolder);
    const result = await collectWithLake(ctx, { eventDataStore: store, since, until });
    return {
      exitCode: result.incomplete ? 3 : 0,
      json: { case: caseFolder.id, engine: 'lake', ...result },
      blocks: [
        {
          kind: 'fields',
          title: `Collection for ${caseFolder.id} with CloudTrail Lake (${store.name})`,
          fields: [
            ['Events in the case store', result.storedEvents],
            ['Records read now', result.recordsRead],
            ['Scanned', scanned(result.queries)],
          ],
        },
        coverageBlock(result.coverage),
      ],
    };
  } finally {
    caseFolder.close();
  }
}
