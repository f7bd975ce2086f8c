import { existsSync } from 'node:fs';
import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type CommonPrefix,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import { paginate } from '../aws/paginate.js';
import type { ClientPool } from '../aws/pool.js';
import { EVIDENCE_DIR, type CaseFolder } from '../case/case.js';
import { safeEvidencePath } from '../case/evidence.js';
import type { Logger, Progress } from '../context.js';
import { UsageError } from '../errors.js';
import type { EventStore } from '../store/store.js';
import { wholeWindowLine, type CoverageEntry } from './coverage.js';
import { ingestPaths } from './ingest.js';
import { addTrailEvidence } from './redact.js';
import { endsCollection, forEachBounded } from './workers.js';

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

const DELIVERY_DELAY_MS = 60 * 60_000;

/** A date folder of CloudTrail's layout, `yyyy/mm/dd/` (UTC delivery time). */
const dayFolder = (iso: string): string => `${iso.slice(0, 10).replace(/-/g, '/')}/`;

/**
 * Collect a trail bucket's log files for the window: find the account folders under
 * `AWSLogs/` (organisation trails write `AWSLogs/<o-id>/<account>/`), list each enabled region's
 * folder from the window's first day (StartAfter) and stop at the first key past its last day
 * (keys sort by date), download with a bound on parallel requests, keep every object in the case
 * evidence (sha256 in the manifest), then load them. One coverage line per account and region.
 */
/**
 * Where an object of a trail bucket is kept in the case, or undefined for a key that would
 * leave the evidence folder (`../`): whoever can write to the bucket chooses its keys, and a path
 * outside the case must be neither read as "already kept" nor written.
 */
export function evidencePathOfKey(bucket: string, key: string): string | undefined {
  try {
    const path = safeEvidencePath(`cloudtrail/s3/${bucket}/${key}`);
    return path.startsWith(`cloudtrail/s3/${bucket}/`) ? path : undefined;
  } catch {
    return undefined;
  }
}

export async function collectFromBucket(o: BucketCollection): Promise<BucketResult> {
  const s3 = o.pool.get(S3Client);
  const label = `s3://${o.source.bucket}/${o.source.prefix}`;
  const result: BucketResult = { coverage: [], records: 0, interrupted: false };
  const scope = o.account ? `account ${o.account}` : 'all accounts';
  const whole = (status: CoverageEntry['status'], reason: string): CoverageEntry =>
    wholeWindowLine({ source: label, scope, since: o.since, until: o.until }, status, reason);
  let roots: { account: string; root: string }[];
  try {
    roots = await accountRoots(s3, o.source, o.account);
  } catch (error) {
    const e = classifyAwsError(error);
    if (endsCollection(e)) throw error;
    result.coverage.push(whole(e.kind === 'denied' ? 'partial' : 'failed', describeAwsError(e)));
    return result;
  }
  if (roots.length === 0) {
    const where = `${label}AWSLogs/${o.account ? ` for account ${o.account}` : ''}`;
    result.coverage.push(whole('failed', `no CloudTrail folder under ${where}`));
    return result;
  }
  const task = o.progress?.start(`Trail bucket ${label}`, roots.length * o.regions.length);
  for (const { account, root } of roots) {
    for (const region of o.regions) {
      const line = o.signal?.aborted
        ? regionLine(o, label, account, region, 'partial', 'interrupted: run the collection again', 0)
        : await collectRegion(o, s3, label, account, `${root}CloudTrail/${region}/`, region, result);
      result.coverage.push(line);
      task?.tick(1, `${account} ${region}`);
    }
  }
  if (o.signal?.aborted) result.interrupted = true;
  task?.done(`${result.records} records from ${label}`);
  return result;
}

function regionLine(
  o: BucketCollection,
  label: string,
  account: string,
  region: string,
  status: CoverageEntry['status'],
  reason: string | null,
  records: number,
): CoverageEntry {
  return {
    source: label,
    region,
    scope: `account ${account}`,
    from: o.since,
    to: o.until,
    status,
    reason,
    records,
  };
}

async function collectRegion(
  o: BucketCollection,
  s3: S3Client,
  label: string,
  account: string,
  regionRoot: string,
  region: string,
  result: BucketResult,
): Promise<CoverageEntry> {
  const line = (status: CoverageEntry['status'], reason: string | null, records: number): CoverageEntry =>
    regionLine(o, label, account, region, status, reason, records);
  const keys: string[] = [];
  // CloudTrail delivers a file up to about 15 minutes after its events (User Guide, "How do
  // CloudTrail log files get delivered"): the last event of a day can sit in the next day's folder.
  const lastDay = dayFolder(new Date(Date.parse(o.until) + DELIVERY_DELAY_MS).toISOString());
  // Keys after `…/<last day>/~` belong to later days ('~' sorts after every digit and '/').
  const last = `${regionRoot}${lastDay}~`;
  try {
    let token: string | undefined;
    listing: do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: o.source.bucket,
          Prefix: regionRoot,
          // Everything before the window's first day folder is skipped by S3 itself.
          StartAfter: `${regionRoot}${dayFolder(o.since)}`.replace(/\/$/, ''),
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) {
        const key = item.Key ?? '';
        if (key > last) break listing;
        if (key.endsWith('.json.gz')) keys.push(key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    const e = classifyAwsError(error);
    if (endsCollection(e)) throw error;
    return line(e.kind === 'denied' ? 'partial' : 'failed', `listing: ${describeAwsError(e)}`, 0);
  }
  const failures: string[] = [];
  const local: string[] = [];
  await forEachBounded(keys, o.concurrency ?? 8, async (key, stop) => {
    if (o.signal?.aborted || stop.aborted) return;
    const relative = evidencePathOfKey(o.source.bucket, key);
    if (relative === undefined) {
      failures.push(`${key}: not a file name the case can hold (.. or absolute); not read`);
      return;
    }
    const file = o.caseFolder.path(EVIDENCE_DIR, relative);
    // Already kept by an earlier, interrupted run: its sha256 is in the manifest.
    if (!existsSync(file)) {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: o.source.bucket, Key: key }), {
          // When another download's failure ends the run, one waiting in its retries ends too.
          abortSignal: stop,
        });
        const bytes = await object.Body!.transformToByteArray();
        await addTrailEvidence(o.caseFolder, relative, bytes, `s3://${o.source.bucket}/${key}`);
      } catch (error) {
        if (stop.aborted) return;
        const e = classifyAwsError(error);
        if (endsCollection(e)) throw error;
        failures.push(`${key}: ${describeAwsError(e)}`);
        return;
      }
    }
    local.push(file);
  });
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
  const missed = keys.length - local.length - failures.length;
  const reasons = [
    failures.length > 0
      ? `${failures.length} of ${keys.length} objects not downloaded (${failures[0]})`
      : null,
    missed > 0 ? `interrupted: ${missed} of ${keys.length} objects not downloaded yet` : null,
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
 * The account's trails, from DescribeTrails in every region at once (a single-region trail is
 * only listed in its home region; `includeShadowTrails` adds multi-region and organisation
 * trails whose home is elsewhere), one entry per trail ARN. Regions that refuse are returned as such.
 */
export async function discoverTrails(
  pool: ClientPool,
  regions: string[],
): Promise<{ trails: DiscoveredTrail[]; refused: { region: string; reason: string }[] }> {
  const byArn = new Map<string, DiscoveredTrail>();
  const refused: { region: string; reason: string }[] = [];
  await forEachBounded(regions, regions.length, async (region) => {
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
      if (endsCollection(e)) throw error;
      refused.push({ region, reason: describeAwsError(e) });
    }
  });
  const trails = [...byArn.values()].sort((a, b) => a.arn.localeCompare(b.arn));
  return { trails, refused: refused.sort((a, b) => a.region.localeCompare(b.region)) };
}

/**
 * Whether a multi-region trail has been logging since `from` without a break: GetTrailStatus
 * says it logs now and its latest StartLogging is no later than `from` (a StopLogging in between
 * would have moved StartLoggingTime on restart). Its bucket then holds every region's management
 * events of the window. Unknown (refused) counts as no.
 */
export async function loggingThroughout(
  pool: ClientPool,
  trail: DiscoveredTrail,
  from: string,
): Promise<boolean> {
  if (!trail.multiRegion) return false;
  try {
    const status = await pool
      .get(CloudTrailClient, trail.homeRegion)
      .send(new GetTrailStatusCommand({ Name: trail.arn }));
    const started = status.StartLoggingTime?.getTime();
    return status.IsLogging === true && started !== undefined && started <= Date.parse(from);
  } catch (error) {
    const e = classifyAwsError(error);
    if (endsCollection(e)) throw error;
    return false;
  }
}
