import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { CaseContext } from '../context.js';
import type { CoverageEntry } from './coverage.js';

/** The evidence folder trail objects are copied into, under their bucket and key. */
export const BUCKET_DIR = 'trail-bucket';
const DOWNLOADS_IN_FLIGHT = 8;

/** A trail's log location: `s3://bucket/[prefix/]AWSLogs/…`. */
interface TrailLocation {
  trail: string;
  bucket: string;
  prefix: string;
  region: string;
}

export interface BucketCollection {
  coverage: CoverageEntry[];
  /** Objects copied into the evidence, with the evidence path → `s3://` URL map for provenance. */
  objects: Map<string, string>;
  trails: string[];
  /**
   * A multi-region trail was logging for the whole window (GetTrailStatus: logging now, started
   * before the window): its bucket then holds every region's management events.
   */
  wholeWindow: boolean;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const dayPath = (d: Date): string =>
  `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/`;

/**
 * Copy the trail bucket's log files for the window into the case. Trails are found with
 * DescribeTrails (shadow trails included, so a multi-region or organisation trail homed elsewhere
 * is seen once per bucket). CloudTrail writes `[prefix/]AWSLogs/<account>/CloudTrail/<region>/
 * <yyyy>/<mm>/<dd>/…json.gz`, or `AWSLogs/<org-id>/<account>/…` for an organisation trail: the
 * region folders are listed with a delimiter and each is read from the window's first day on
 * (StartAfter), so days before the window are never listed.
 */
export async function collectTrailBuckets(
  ctx: CaseContext,
  account: string,
  window: { from: Date; to: Date },
): Promise<BucketCollection> {
  const out: BucketCollection = { coverage: [], objects: new Map(), trails: [], wholeWindow: false };
  let trails: Trail[];
  try {
    const ct = ctx.aws.get(CloudTrailClient);
    trails = (await ct.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  } catch (error) {
    const c = classifyAwsError(error);
    if (c.kind === 'other') throw error;
    out.coverage.push(entry('trail bucket', '*', window, 'failed', `DescribeTrails: ${describeAwsError(c)}`));
    return out;
  }
  const seen = new Set<string>();
  const locations: TrailLocation[] = [];
  for (const t of trails) {
    if (!t.S3BucketName) continue;
    const prefix = t.S3KeyPrefix ? `${t.S3KeyPrefix.replace(/\/$/, '')}/` : '';
    const id = `${t.S3BucketName}/${prefix}`;
    if (seen.has(id)) continue;
    seen.add(id);
    locations.push({
      trail: t.Name ?? t.TrailARN ?? '?',
      bucket: t.S3BucketName,
      prefix,
      region: t.HomeRegion ?? ctx.aws.defaultRegion,
    });
  }
  out.trails = locations.map((l) => l.trail);
  for (const t of trails)
    if (t.IsMultiRegionTrail && t.S3BucketName && (await loggedThroughout(ctx, t, window.from)))
      out.wholeWindow = true;
  for (const location of locations) await collectLocation(ctx, location, account, window, out);
  return out;
}

async function collectLocation(
  ctx: CaseContext,
  loc: TrailLocation,
  account: string,
  window: { from: Date; to: Date },
  out: BucketCollection,
): Promise<void> {
  const s3 = ctx.aws.get(S3Client, loc.region);
  const source = `trail ${loc.trail} s3://${loc.bucket}/${loc.prefix}`;
  let regionFolders: string[];
  try {
    regionFolders = [];
    for (const base of await accountBases(s3, loc, account))
      regionFolders.push(...(await childFolders(s3, loc.bucket, base)));
  } catch (error) {
    const c = classifyAwsError(error);
    if (c.kind === 'other' && (c.credentialsRejected || c.network)) throw error;
    out.coverage.push(entry(source, '*', window, 'failed', describeAwsError(c)));
    return;
  }
  const until = dayPath(window.to);
  for (const folder of regionFolders) {
    const region = folder.split('/').at(-2) ?? '?';
    try {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: loc.bucket,
            Prefix: folder,
            StartAfter: `${folder}${dayPath(window.from)}`,
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? []) {
          const key = o.Key ?? '';
          if (!key.endsWith('.json.gz') && !key.endsWith('.json')) continue;
          if (key.slice(folder.length, folder.length + until.length) > until) continue;
          keys.push(key);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await download(ctx, s3, loc.bucket, keys, out);
      out.coverage.push(entry(source, region, window, 'complete', null));
    } catch (error) {
      const c = classifyAwsError(error);
      if (c.kind === 'other' && (c.credentialsRejected || c.network)) throw error;
      out.coverage.push(entry(source, region, window, 'failed', describeAwsError(c)));
    }
  }
}

async function loggedThroughout(ctx: CaseContext, trail: Trail, from: Date): Promise<boolean> {
  try {
    const ct = ctx.aws.get(CloudTrailClient, trail.HomeRegion ?? ctx.aws.defaultRegion);
    const status = await ct.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name }));
    const started = status.StartLoggingTime?.getTime();
    return status.IsLogging === true && started !== undefined && started <= from.getTime();
  } catch (error) {
    const c = classifyAwsError(error);
    if (c.kind === 'other') throw error;
    return false;
  }
}

/** `AWSLogs/<account>/CloudTrail/` and, for organisation trails, `AWSLogs/<org-id>/<account>/CloudTrail/`. */
async function accountBases(s3: S3Client, loc: TrailLocation, account: string): Promise<string[]> {
  const root = `${loc.prefix}AWSLogs/`;
  const bases: string[] = [];
  for (const child of await childFolders(s3, loc.bucket, root)) {
    const name = child.slice(root.length, -1);
    if (name === account) bases.push(`${child}CloudTrail/`);
    else if (name.startsWith('o-')) bases.push(`${child}${account}/CloudTrail/`);
  }
  return bases;
}

async function childFolders(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
    );
    folders.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? '').filter(Boolean));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return folders;
}

/** Copy objects into the evidence (sha256 in the manifest), a bounded number at a time. */
async function download(
  ctx: CaseContext,
  s3: S3Client,
  bucket: string,
  keys: string[],
  out: BucketCollection,
): Promise<void> {
  const task = ctx.progress.start(`Trail bucket ${bucket}`, keys.length);
  for (let i = 0; i < keys.length; i += DOWNLOADS_IN_FLIGHT) {
    const batch = keys.slice(i, i + DOWNLOADS_IN_FLIGHT);
    const items = await Promise.all(
      batch.map(async (key) => {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await object.Body!.transformToByteArray();
        return { path: `${BUCKET_DIR}/${bucket}/${key}`, content: bytes, source: `s3://${bucket}/${key}` };
      }),
    );
    const written = await ctx.case.addEvidenceMany(items);
    for (const [n, w] of written.entries()) out.objects.set(w.path, items[n]!.source);
    task.tick(batch.length);
  }
  task.done(`${keys.length} log files`);
}

function entry(
  source: string,
  region: string,
  window: { from: Date; to: Date },
  state: CoverageEntry['state'],
  reason: string | null,
): CoverageEntry {
  return { source, region, from: window.from.toISOString(), to: window.to.toISOString(), state, reason };
}
