import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { ClientPool } from '../aws/pool.js';
import { EVIDENCE_DIR, type CaseFolder } from '../case/case.js';
import type { Logger } from '../context.js';
import { EVENTS_TABLE } from '../store/schema.js';
import type { EventStore } from '../store/store.js';
import type { DiscoveredTrail } from '../trail/bucket.js';
import { ingestPaths } from '../trail/ingest.js';
import { addTrailEvidence } from '../trail/redact.js';
import { endsCollection, forEachBounded } from '../trail/workers.js';

/**
 * Events reach Event history and trail files minutes after the call (CloudTrail User Guide: about
 * 5 minutes for Event history, up to 15 for log files): each poll reads again this far back, and
 * event ids keep the store and the alerts free of duplicates.
 */
export const LATE_ARRIVAL_MS = 15 * 60_000;

export interface PollSources {
  pool: ClientPool;
  /** The case's event store, opened on first use (most polls find nothing new). */
  store: () => Promise<EventStore>;
  folder: CaseFolder;
  regions: string[];
  trails: DiscoveredTrail[];
  /** Source name → how far it was read (ISO time for LookupEvents, last key for a bucket folder). */
  checkpoints: Record<string, string>;
  /** The watch's start: nothing before it is read. */
  since: string;
  now: Date;
  log: Logger;
}

export interface PollOutcome {
  checkpoints: Record<string, string>;
  /** Events stored that are not the responder's own calls. */
  events: number;
  notChecked: string[];
}

const lookupSource = (region: string) => `LookupEvents ${region}`;

/** The responder's own calls (the user agent the client pool adds) are not worth keeping here. */
function foreign(e: Event): boolean {
  return !(e.CloudTrailEvent ?? '').includes('tourniquet/');
}

/** How many of these events the store does not hold yet (the late-arrival margin reads some twice). */
async function unseen(store: EventStore, events: Event[]): Promise<number> {
  const ids = events.map((e) => e.EventId ?? '').filter(Boolean);
  if (!ids.length) return 0;
  const known = await store.query<{ eventid: string }>(
    `SELECT eventid FROM ${EVENTS_TABLE} WHERE eventid IN (${ids.map(() => '?').join(', ')})`,
    ids,
  );
  return ids.length - known.length;
}

/**
 * One poll: LookupEvents in every region since each region's checkpoint (less the late-arrival
 * margin), every page with someone else's calls kept as evidence and loaded; then the new log
 * files of each trail bucket. A region or bucket that refuses is reported, never fatal.
 */
export async function pollOnce(o: PollSources): Promise<PollOutcome> {
  const out: PollOutcome = { checkpoints: {}, events: 0, notChecked: [] };
  const until = o.now.toISOString();
  let persist: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = persist.then(work);
    persist = next.catch(() => undefined);
    return next;
  };
  await forEachBounded(o.regions, o.regions.length, async (region) => {
    const source = lookupSource(region);
    const last = o.checkpoints[source] ?? o.since;
    const from = new Date(Math.max(Date.parse(o.since), Date.parse(last) - LATE_ARRIVAL_MS));
    const client = o.pool.get(CloudTrailClient, region);
    let token: string | undefined;
    let page = 0;
    try {
      do {
        const answer = await client.send(
          new LookupEventsCommand({ StartTime: from, EndTime: o.now, MaxResults: 50, NextToken: token }),
        );
        token = answer.NextToken;
        page += 1;
        const events = answer.Events ?? [];
        const mine = events.filter(foreign);
        const theirs = mine.length ? await serial(async () => unseen(await o.store(), mine)) : 0;
        if (theirs > 0) {
          await serial(async () => {
            const stamp = until.replace(/[-:]/g, '').replace(/\.\d+/, '');
            const kept = await addTrailEvidence(
              o.folder,
              `cloudtrail/watch/${region}/${stamp}/page-${String(page).padStart(4, '0')}.json`,
              JSON.stringify({ Events: events }),
              `LookupEvents ${region} ${from.toISOString()}..${until} page ${page}`,
            );
            await ingestPaths(await o.store(), [o.folder.path(EVIDENCE_DIR, kept.path)], {
              sourceKind: 'lookup-events',
              sourceRef: () => `evidence/${kept.path}`,
            });
          });
          out.events += theirs;
        }
      } while (token);
      out.checkpoints[source] = until;
    } catch (error) {
      const e = classifyAwsError(error);
      if (endsCollection(e)) throw error;
      o.log.warn(`watch: ${source}: ${describeAwsError(e)}`);
      out.notChecked.push(`${source}: ${describeAwsError(e)}`);
    }
  });
  for (const trail of o.trails) await pollBucket(o, trail, out, serial);
  return out;
}

/** A date folder of CloudTrail's layout (`yyyy/mm/dd/`, UTC). */
const dayFolder = (ms: number): string => `${new Date(ms).toISOString().slice(0, 10).replace(/-/g, '/')}/`;

/**
 * The trail's new log files: per region folder, the keys after the last one read (CloudTrail
 * names files by delivery time, so keys of a day sort in time order), from the day of the
 * checkpoint to today; each file kept as evidence and loaded.
 */
async function pollBucket(
  o: PollSources,
  trail: DiscoveredTrail,
  out: PollOutcome,
  serial: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const s3 = o.pool.get(S3Client);
  const account = o.folder.info.account ?? o.folder.info.responder?.account;
  if (!account) return;
  const regions = trail.multiRegion ? o.regions : [trail.homeRegion];
  await forEachBounded(regions, 8, async (region) => {
    const root = `${trail.source.prefix}AWSLogs/${account}/CloudTrail/${region}/`;
    const source = `s3://${trail.source.bucket}/${root}`;
    const sinceMs = Date.parse(o.since) - LATE_ARRIVAL_MS;
    const startAfter = o.checkpoints[source] ?? `${root}${dayFolder(sinceMs)}`.replace(/\/$/, '');
    const keys: string[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: trail.source.bucket,
            Prefix: root,
            StartAfter: startAfter,
            ContinuationToken: token,
          }),
        );
        for (const item of page.Contents ?? []) if (item.Key?.endsWith('.json.gz')) keys.push(item.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      const files: string[] = [];
      for (const key of keys) {
        const object = await s3.send(new GetObjectCommand({ Bucket: trail.source.bucket, Key: key }));
        const bytes = await object.Body!.transformToByteArray();
        const kept = await serial(() =>
          addTrailEvidence(
            o.folder,
            `cloudtrail/s3/${trail.source.bucket}/${key}`,
            bytes,
            `s3://${trail.source.bucket}/${key}`,
          ),
        );
        files.push(o.folder.path(EVIDENCE_DIR, kept.path));
      }
      if (files.length) {
        const loaded = await serial(async () =>
          ingestPaths(await o.store(), files, {
            sourceKind: 's3',
            sourceRef: (path) => `s3://${trail.source.bucket}/${path}`,
          }),
        );
        out.events += loaded.records;
      }
      const lastKey = keys.at(-1);
      if (lastKey) out.checkpoints[source] = lastKey;
    } catch (error) {
      const e = classifyAwsError(error);
      if (endsCollection(e)) throw error;
      o.log.warn(`watch: ${source}: ${describeAwsError(e)}`);
      out.notChecked.push(`${source}: ${describeAwsError(e)}`);
    }
  });
}
