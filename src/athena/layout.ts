import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../errors.js';
import type { RecordFilter } from '../trail/sql.js';
import { dayRange, type Slice } from './sql.js';
import { accountsFolder, type TrailLayout } from './table.js';

/** `s3://bucket/key` → bucket and key (key may be empty); a usage error naming the option otherwise. */
export function splitS3(url: string, option = 'location'): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m)
    throw new UsageError(
      `${option} ${url} is not an S3 location.`,
      'Use s3://BUCKET or s3://BUCKET/PREFIX/.',
    );
  return { bucket: m[1]!, key: m[2] ?? '' };
}

/**
 * The trail bucket a hunt names (`s3://bucket[/prefix]`, where the prefix is the trail's
 * S3KeyPrefix, with or without `AWSLogs/…` after it) as bucket and the key prefix before `AWSLogs/`.
 */
export function trailRoot(url: string): { bucket: string; base: string } {
  const { bucket, key } = splitS3(url, 'PATH');
  const cut = key.indexOf('AWSLogs');
  const base = (cut >= 0 ? key.slice(0, cut) : key).replace(/^\/+|\/+$/g, '');
  return { bucket, base: base ? `${base}/` : '' };
}

async function folders(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        Delimiter: '/',
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const p of page.CommonPrefixes ?? []) found.push(p.Prefix!.slice(prefix.length).replace(/\/$/, ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/** One table's worth of a trail bucket: a folder of account folders, and its account/region slices. */
export interface TrailTable {
  layout: TrailLayout;
  slices: Slice[];
}

/**
 * The tables a trail bucket needs and the accounts and regions each holds logs for, from its
 * folders: `AWSLogs/<account>/CloudTrail/<region>/` (an account's trails), and for each
 * organisation trail `AWSLogs/<o-id>/<account>/CloudTrail/<region>/`. Each folder of account
 * folders is one table, as a projected table has one location template.
 */
export async function discoverLayout(
  s3: S3Client,
  root: { bucket: string; base: string },
): Promise<TrailTable[]> {
  const top = await folders(s3, root.bucket, `${root.base}AWSLogs/`);
  const organisations = top.filter((f) => /^o-[a-z0-9]{10,32}$/.test(f));
  const tables: TrailTable[] = [];
  for (const organisation of [null, ...organisations]) {
    const accounts = organisation
      ? await folders(s3, root.bucket, `${root.base}AWSLogs/${organisation}/`)
      : top;
    const layout: TrailLayout = { ...root, organisation, accounts: [], regions: [] };
    const slices: Slice[] = [];
    for (const account of accounts.filter((f) => /^\d{12}$/.test(f)))
      for (const region of await folders(s3, root.bucket, `${accountsFolder(layout)}${account}/CloudTrail/`))
        if (/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) slices.push({ account, region });
    if (slices.length === 0) continue;
    layout.accounts = [...new Set(slices.map((s) => s.account))].sort();
    layout.regions = [...new Set(slices.map((s) => s.region))].sort();
    tables.push({ layout, slices });
  }
  return tables;
}

/** What one slice's query will read: the objects under its projected day folders. */
export interface SliceEstimate {
  slice: Slice;
  objects: number;
  bytes: number;
}

/**
 * The bytes a slice's query scans, from the S3 object sizes under the partitions it selects (the
 * trail files in the day folders of the window, as partition projection reads them): listed
 * from the first day folder on, stopping past the last.
 */
export async function estimateSlice(
  s3: S3Client,
  layout: TrailLayout,
  slice: Slice,
  filter: RecordFilter,
): Promise<SliceEstimate> {
  const prefix = `${accountsFolder(layout)}${slice.account}/CloudTrail/${slice.region}/`;
  const days = dayRange(filter);
  const file = /^(\d{4}\/\d{2}\/\d{2})\/([^/]+)$/;
  let objects = 0;
  let bytes = 0;
  let token: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: layout.bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : days.from ? { StartAfter: `${prefix}${days.from}` } : {}),
      }),
    );
    for (const o of page.Contents ?? []) {
      const m = file.exec(o.Key!.slice(prefix.length));
      if (!m || m[2]!.startsWith('_') || m[2]!.startsWith('.')) continue;
      if (days.to && m[1]! > days.to) return { slice, objects, bytes };
      if (days.from && m[1]! < days.from) continue;
      objects++;
      bytes += o.Size ?? 0;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (!token) return { slice, objects, bytes };
  }
}

const UNITS: [string, number][] = [
  ['TB', 1024 ** 4],
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['KB', 1024],
  ['B', 1],
];

/** `50GB`, `1MB`, `512KB`, `1000` (bytes; units are powers of 1024) → bytes; a usage error otherwise. */
export function parseSize(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?B)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${option} ${text} is not a size.`, 'Use e.g. 50GB, 500MB or 1MB.');
  const unit = UNITS.find(([u]) => u === (m[2] ?? 'B').toUpperCase())!;
  return Math.round(Number(m[1]) * unit[1]);
}

/** Bytes as a person reads them (`1.4 MB`, `312 B`). */
export function formatSize(bytes: number): string {
  const [unit, size] = UNITS.find(([, s]) => bytes >= s) ?? ['B', 1];
  return unit === 'B' ? `${bytes} B` : `${(bytes / size).toFixed(1)} ${unit}`;
}
