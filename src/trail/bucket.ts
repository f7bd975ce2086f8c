import { existsSync } from 'node:fs';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type CommonPrefix,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  type _Object,
} from '@aws-sdk/client-s3';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import { paginate } from '../aws/paginate.js';
import type { ClientPool } from '../aws/pool.js';
import { EVIDENCE_DIR, type CaseFolder } from '../case/case.js';
import type { Logger, Progress } from '../context.js';
import { UsageError } from '../errors.js';
import type { EventStore } from '../store/store.js';
import type { CoverageEntry } from './coverage.js';
import { ingestPaths } from './ingest.js';

/** A trail bucket and the key prefix the trail writes under (`S3KeyPrefix`, may be empty). */
export interface S3Source {
  bucket: string;
  prefix: string;
}

/** Read `s3://bucket[/prefix]`; a usage error otherwise. */
export function parseS3Source(text: string): S3Source {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(text);
  if (!m) {
    throw new UsageError(`--source ${text} is not an S3 location.`, 'Use s3://BUCKET or s3://BUCKET/PREFIX.');
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : '' };
}

export interface BucketCollection {
  pool: ClientPool;
  store: EventStore;
  caseFolder: CaseFolder;
  source: S3Source;
  regions: string[];
  /** Only this account's folder (null: every account found under AWSLogs/). */
  account: string | null;
  since: string;
  until: string;
  log: Logger;
  progress?: Progress | undefined;
  /** Downloads at once. */
  concurrency?: number;
  signal?: AbortSignal | undefined;
}

export interface BucketResult {
  coverage: CoverageEntry[];
  records: number;
  interrupted: boolean;
}

/** The days of a window as `yyyy/mm/dd` (CloudTrail's folder names, by UTC delivery time). */
export function windowDays(since: string, until: string): string[] {
  const days: string[] = [];
  const end = Date.parse(until);
  for (let t = Date.parse(since.slice(0, 10)); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10).replace(/-/g, '/'));
  }
  return days;
}

/**
 * Collect a trail bucket's log files for the window: find the account folders under
 * `AWSLogs/` (organisation trails write `AWSLogs/<o-id>/<account>/`), list only the date
 * folders of the window in the enabled regions, download with a bound on parallel requests,
 * keep every object in the case evidence (sha256 in the manifest), then load them. One coverage
 * line per account and region.
 */
export async function collectFromBucket(o: BucketCollection): Promise<BucketResult> {
  const s3 = o.pool.get(S3Client);
  const label = `s3://${o.source.bucket}/${o.source.prefix}`;
  const result: BucketResult = { coverage: [], records: 0, interrupted: false };
  let roots: { account: string; root: string }[];
  try {
    roots = await accountRoots(s3, o.source, o.account);
  } catch (error) {
    const e = classifyAwsError(error);
    if (e.credentialsRejected) throw error;
    result.coverage.push({
      source: label,
      region: '*',
      scope: o.account ? `account ${o.account}` : 'all accounts',
      from: o.since,
      to: o.until,
      status: e.kind === 'denied' ? 'partial' : 'failed',
      reason: describeAwsError(e),
      records: 0,
    });
    return result;
  }
  if (roots.length === 0) {
    result.coverage.push({
      source: label,
      region: '*',
      scope: o.account ? `account ${o.account}` : 'all accounts',
      from: o.since,
      to: o.until,
      status: 'failed',
      reason: `no CloudTrail folder under ${label}AWSLogs/${o.account ? ` for account ${o.account}` : ''}`,
      records: 0,
    });
    return result;
  }
  const days = windowDays(o.since, o.until);
  const task = o.progress?.start(`Trail bucket ${label}`, roots.length * o.regions.length);
  for (const { account, root } of roots) {
    for (const region of o.regions) {
      if (o.signal?.aborted) {
        result.interrupted = true;
        return result;
      }
      result.coverage.push(
        await collectRegion(o, s3, label, account, `${root}CloudTrail/${region}/`, region, days, result),
      );
      task?.tick(1, `${account} ${region}`);
    }
  }
  task?.done(`${result.records} records from ${label}`);
  return result;
}

async function collectRegion(
  o: BucketCollection,
  s3: S3Client,
  label: string,
  account: string,
  regionRoot: string,
  region: string,
  days: string[],
  result: BucketResult,
): Promise<CoverageEntry> {
  const line = (status: CoverageEntry['status'], reason: string | null, records: number): CoverageEntry => ({
    source: label,
    region,
    scope: `account ${account}`,
    from: o.since,
    to: o.until,
    status,
    reason,
    records,
  });
  const keys: string[] = [];
  try {
    for (const day of days) {
      for await (const item of paginate<ListObjectsV2CommandInput, ListObjectsV2CommandOutput, _Object>({
        send: (input: ListObjectsV2CommandInput) => s3.send(new ListObjectsV2Command(input)),
        input: { Bucket: o.source.bucket, Prefix: `${regionRoot}${day}/` },
        inputToken: 'ContinuationToken',
        nextToken: (page) => page.NextContinuationToken,
        items: (page) => page.Contents,
      })) {
        if (item.Key?.endsWith('.json.gz')) keys.push(item.Key);
      }
    }
  } catch (error) {
    const e = classifyAwsError(error);
    if (e.credentialsRejected) throw error;
    return line(e.kind === 'denied' ? 'partial' : 'failed', `listing: ${describeAwsError(e)}`, 0);
  }
  const failures: string[] = [];
  const local: string[] = [];
  const queue = [...keys];
  const workers = Array.from({ length: Math.min(o.concurrency ?? 8, queue.length) }, async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      if (o.signal?.aborted) return;
      const relative = `cloudtrail/s3/${o.source.bucket}/${key}`;
      const file = o.caseFolder.path(EVIDENCE_DIR, relative);
      // Already kept by an earlier, interrupted run: its sha256 is in the manifest.
      if (!existsSync(file)) {
        try {
          const object = await s3.send(new GetObjectCommand({ Bucket: o.source.bucket, Key: key }));
          const bytes = await object.Body!.transformToByteArray();
          await o.caseFolder.addEvidence(relative, bytes, `s3://${o.source.bucket}/${key}`);
        } catch (error) {
          const e = classifyAwsError(error);
          if (e.credentialsRejected) throw error;
          failures.push(`${key}: ${describeAwsError(e)}`);
          continue;
        }
      }
      local.push(file);
    }
  });
  await Promise.all(workers);
  if (o.signal?.aborted) result.interrupted = true;
  let records = 0;
  let bad = 0;
  if (local.length > 0) {
    const prefix = o.caseFolder.path(EVIDENCE_DIR, `cloudtrail/s3/${o.source.bucket}/`);
    const report = await ingestPaths(o.store, local.sort(), {
      sourceKind: 's3',
      sourceRef: (path) => `s3://${o.source.bucket}/${path.slice(prefix.length)}`,
    });
    records = report.records;
    bad = report.badFiles.length + report.badRecords;
    result.records += records;
  }
  const reasons = [
    failures.length > 0
      ? `${failures.length} of ${keys.length} objects not downloaded (${failures[0]})`
      : null,
    bad > 0 ? `${bad} bad files or records` : null,
  ].filter((r): r is string => r !== null);
  return line(reasons.length > 0 ? 'partial' : 'complete', reasons.join('; ') || null, records);
}

/** The `AWSLogs/<account>/` folders to read (organisation trails add an `o-…/` level). */
async function accountRoots(
  s3: S3Client,
  source: S3Source,
  account: string | null,
): Promise<{ account: string; root: string }[]> {
  const base = `${source.prefix}AWSLogs/`;
  const roots: { account: string; root: string }[] = [];
  for (const first of await folders(s3, source.bucket, base)) {
    if (/^o-[a-z0-9]+$/.test(first)) {
      for (const acct of await folders(s3, source.bucket, `${base}${first}/`)) {
        if (/^\d{12}$/.test(acct)) roots.push({ account: acct, root: `${base}${first}/${acct}/` });
      }
    } else if (/^\d{12}$/.test(first)) {
      roots.push({ account: first, root: `${base}${first}/` });
    }
  }
  return account ? roots.filter((r) => r.account === account) : roots;
}

async function folders(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const p of paginate<ListObjectsV2CommandInput, ListObjectsV2CommandOutput, CommonPrefix>({
    send: (input: ListObjectsV2CommandInput) => s3.send(new ListObjectsV2Command(input)),
    input: { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
    inputToken: 'ContinuationToken',
    nextToken: (page) => page.NextContinuationToken,
    items: (page) => page.CommonPrefixes,
  })) {
    if (p.Prefix) out.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
  }
  return out;
}

/** A trail found by DescribeTrails, reduced to where it writes. */
export interface DiscoveredTrail {
  name: string;
  arn: string;
  homeRegion: string;
  multiRegion: boolean;
  organization: boolean;
  source: S3Source;
}

/**
 * The account's trails, from DescribeTrails in every region (a single-region trail is only
 * listed in its home region; `includeShadowTrails` adds multi-region and organisation trails
 * whose home is elsewhere), one entry per trail ARN. Regions that refuse are returned as such.
 */
export async function discoverTrails(
  pool: ClientPool,
  regions: string[],
): Promise<{ trails: DiscoveredTrail[]; refused: { region: string; reason: string }[] }> {
  const byArn = new Map<string, DiscoveredTrail>();
  const refused: { region: string; reason: string }[] = [];
  for (const region of regions) {
    try {
      const out = await pool
        .get(CloudTrailClient, region)
        .send(new DescribeTrailsCommand({ includeShadowTrails: true }));
      for (const t of out.trailList ?? []) {
        if (!t.TrailARN || !t.S3BucketName || byArn.has(t.TrailARN)) continue;
        const prefix = (t.S3KeyPrefix ?? '').replace(/^\/+|\/+$/g, '');
        byArn.set(t.TrailARN, {
          name: t.Name ?? t.TrailARN,
          arn: t.TrailARN,
          homeRegion: t.HomeRegion ?? region,
          multiRegion: t.IsMultiRegionTrail ?? false,
          organization: t.IsOrganizationTrail ?? false,
          source: { bucket: t.S3BucketName, prefix: prefix ? `${prefix}/` : '' },
        });
      }
    } catch (error) {
      const e = classifyAwsError(error);
      if (e.credentialsRejected) throw error;
      refused.push({ region, reason: describeAwsError(e) });
    }
  }
  return { trails: [...byArn.values()], refused };
}
