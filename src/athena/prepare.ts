import type { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../context.js';
import { classifyAwsError } from '../aws/errors.js';
import { UserError } from '../errors.js';
import type { RecordFilter } from '../trail/sql.js';
import { ensureCloudTrailTable, tableNameFor } from './catalog.js';
import {
  discoverLayout,
  estimateSlice,
  formatSize,
  trailRoot,
  type SliceEstimate,
  type TrailTable,
} from './layout.js';

/** What preparing a trail bucket for Athena needs. */
export interface PrepareOptions {
  /** The trail bucket, `s3://bucket[/prefix]`. */
  source: string;
  s3: S3Client;
  glue: GlueClient;
  database: string;
  /** Refuse when the estimate is above this many bytes, unless `confirm` says yes. */
  maxScan: number;
  confirm(estimate: string): Promise<boolean>;
  log: Logger;
}

/** A slice's estimate and the table its query reads. */
export interface TableSliceEstimate extends SliceEstimate {
  table: string;
}

/** The bucket's Glue tables, ready to query, and what reading the window's partitions costs. */
export interface PreparedTables {
  layouts: TrailTable[];
  /** The Glue table names, one per folder of account folders. */
  tables: string[];
  estimates: TableSliceEstimate[];
  /** Bytes and objects under the window's partitions (one full read). */
  bytes: number;
  objects: number;
}

/**
 * Find a trail bucket's accounts and regions, estimate from the S3 object sizes what reading the
 * window's partitions scans and refuse above `maxScan` unless confirmed, then make (or update)
 * one projected CloudTrail table per folder of account folders. `statements` is how often the
 * work reads the partitions whole: one query per slice (a hunt) reads them once; a detection run
 * reads all of them in each of its statements.
 */
export async function prepareTables(
  o: PrepareOptions,
  filter: RecordFilter,
  reads: { statements: number; what: string } | null = null,
): Promise<PreparedTables> {
  const layouts = await discoverLayout(o.s3, trailRoot(o.source)).catch((error: unknown) => {
    const aws = classifyAwsError(error);
    if (aws.kind !== 'denied') throw error;
    throw new UserError(
      'TRAIL_BUCKET_DENIED',
      `Listing ${o.source} was denied (${aws.code}): an organisation's trail bucket usually sits in its log-archive account.`,
      {
        hint: "Run with credentials of the bucket's account (--profile), or let these read it (s3:ListBucket, s3:GetObject in its bucket policy).",
        cause: error,
      },
    );
  });
  if (layouts.length === 0)
    throw new UserError(
      'NO_TRAIL_FILES',
      `${o.source} holds no CloudTrail folders (AWSLogs/<account>/CloudTrail/<region>/, or AWSLogs/<o-id>/<account>/… for an organisation trail): name the trail's bucket and S3 key prefix.`,
    );
  const estimates: TableSliceEstimate[] = [];
  for (const { layout, slices } of layouts)
    for (const slice of slices)
      estimates.push({ ...(await estimateSlice(o.s3, layout, slice, filter)), table: tableNameFor(layout) });
  const bytes = estimates.reduce((s, e) => s + e.bytes, 0);
  const objects = estimates.reduce((s, e) => s + e.objects, 0);
  const total = bytes * (reads?.statements ?? 1);
  const estimate = reads
    ? `${formatSize(total)} (${formatSize(bytes)} in ${objects} objects, read by each of at least ${reads.statements} ${reads.what})`
    : `${formatSize(bytes)} in ${objects} objects, ${estimates.length} ${estimates.length === 1 ? 'query' : 'queries'}`;
  o.log.info(`Athena scan estimate: ${estimate} (limit ${formatSize(o.maxScan)}).`);
  if (total > o.maxScan && !(await o.confirm(estimate)))
    throw new UserError(
      'SCAN_OVER_LIMIT',
      `The Athena queries would scan ${estimate}, above --max-scan ${formatSize(o.maxScan)}: narrow --since/--until, raise --max-scan, or pass --yes.`,
      { exitCode: 2 },
    );
  for (const { layout } of layouts) {
    const table = tableNameFor(layout);
    const made = await ensureCloudTrailTable(o.glue, o.database, table, layout);
    const what = layout.organisation ? `organisation trail ${layout.organisation}` : 'account trails';
    o.log.info(`Glue table ${o.database}.${table} (${what}): ${made}.`);
  }
  return { layouts, tables: layouts.map((t) => tableNameFor(t.layout)), estimates, bytes, objects };
}
