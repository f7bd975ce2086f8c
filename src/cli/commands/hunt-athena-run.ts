import { resolve } from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { callerIdentity } from '../../aws/identity.js';
import { huntWithAthena, type AthenaHunt } from '../../athena/hunt.js';
import { formatSize, splitS3 } from '../../athena/layout.js';
import { sigmaFor } from '../../detect/sigma/bundled.js';
import { UsageError } from '../../errors.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import { athenaSettings, requireAthenaEngine } from './athena-settings.js';
import { huntFilter, queryHuntOutcome } from './hunt-run.js';
import type { HuntInput } from './hunt.js';

/** Run `tourniquet hunt --engine athena s3://bucket[/prefix]`: the hunt, with Athena reading the bucket in place. */
export async function runAthenaHunt({ options, args }: HuntInput, env: RunEnv): Promise<Outcome> {
  requireAthenaEngine(options.engine);
  if (args.length !== 1)
    throw new UsageError(
      '--engine athena reads one trail bucket.',
      'Name it as s3://BUCKET or s3://BUCKET/PREFIX.',
    );
  const source = args[0]!;
  splitS3(source, 'PATH');
  const settings = athenaSettings(options, env);
  const filter = huntFilter(options, env.clock.now());
  const sigma = await sigmaFor({
    noSigma: options['no-sigma'] === true,
    ...(options.rules ? { extraDir: resolve(env.cwd, options.rules) } : {}),
  });
  const pool = await env.aws();
  // Unusable credentials are one line here, not an SDK error from the first S3 listing.
  await callerIdentity(pool);
  const hunt = await huntWithAthena({
    source,
    filter,
    athena: pool.get(AthenaClient),
    glue: pool.get(GlueClient),
    s3: pool.get(S3Client),
    ...settings,
    storeFile: options.store === undefined ? undefined : resolve(env.cwd, options.store),
    clock: env.clock,
    log: env.log,
  });
  try {
    return await queryHuntOutcome(
      hunt,
      { filter, key: options.key, sigma },
      { engine: 'athena', athena: athenaSection(hunt) },
      athenaBlocks(hunt),
    );
  } finally {
    hunt.close();
  }
}

function athenaSection(hunt: AthenaHunt) {
  return {
    database: hunt.database,
    tables: hunt.tables,
    estimatedBytes: hunt.estimate.bytes,
    estimatedObjects: hunt.estimate.objects,
    scannedBytes: hunt.queries.reduce((s, q) => s + q.scannedBytes, 0),
    queries: hunt.queries,
  };
}

/** What Athena read and how completely, in place of a file hunt's "CloudTrail read". */
function athenaBlocks(hunt: AthenaHunt): Block[] {
  const scanned = hunt.queries.reduce((s, q) => s + q.scannedBytes, 0);
  return [
    {
      kind: 'fields',
      title: 'CloudTrail read with Athena',
      fields: [
        [
          hunt.tables.length === 1 ? 'Table' : 'Tables',
          hunt.tables.map((t) => `${hunt.database}.${t}`).join(', '),
        ],
        ['Estimated scan', `${formatSize(hunt.estimate.bytes)} in ${hunt.estimate.objects} objects`],
        ['Scanned', formatSize(scanned)],
        ['Queries', hunt.queries.length],
        ['Records', hunt.ingest.records],
        ['Duplicates', hunt.ingest.duplicates],
        ['First event', hunt.summary.timeRange.first],
        ['Last event', hunt.summary.timeRange.last],
      ],
    },
    {
      kind: 'table',
      title: 'Coverage (one Athena query per account and region)',
      columns: ['REGION', 'SCOPE', 'STATUS', 'RECORDS', 'SCANNED', 'QUERY', 'RESULT SHA256', 'REASON'],
      rows: hunt.coverage.map((c) => {
        const q = hunt.queries.find((x) => c.source.endsWith(x.queryId))!;
        return [
          c.region,
          c.scope,
          c.status,
          c.records,
          formatSize(q.scannedBytes),
          q.queryId,
          q.resultSha256 ? q.resultSha256.slice(0, 16) : '-',
          c.reason ?? '',
        ];
      }),
    },
  ];
}
