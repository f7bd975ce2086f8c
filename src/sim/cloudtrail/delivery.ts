import { gzipSync } from 'node:zlib';
import { isoSeconds } from '../clock.js';
import type { SimState } from '../state.js';
import type { CloudTrailRecord, Trail } from './model.js';

/** CloudTrail publishes log files about every 5 minutes (aws-facts §1.6). */
export const DELIVERY_INTERVAL_MS = 5 * 60 * 1000;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Object key of a log file:
 * `[prefix/]AWSLogs/[<o-id>/]<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`
 * (an organisation trail's files have the organisation's id before each account's folder).
 */
export function logFileKey(
  trail: Trail,
  accountId: string,
  region: string,
  at: Date,
  unique: string,
): string {
  const y = at.getUTCFullYear();
  const m = pad(at.getUTCMonth() + 1);
  const d = pad(at.getUTCDate());
  const stamp = `${y}${m}${d}T${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}Z`;
  const prefix = trail.s3KeyPrefix ? `${trail.s3KeyPrefix.replace(/\/+$/, '')}/` : '';
  const folder = trail.organizationId ? `${trail.organizationId}/${accountId}` : accountId;
  return `${prefix}AWSLogs/${folder}/CloudTrail/${region}/${y}/${m}/${d}/${accountId}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

const windowEnds = new WeakMap<CloudTrailRecord, number>();

/** The end of the 5-minute delivery window a record falls in. */
function windowEnd(r: CloudTrailRecord): number {
  let end = windowEnds.get(r);
  if (end === undefined) {
    end = (Math.floor(Date.parse(r.eventTime) / DELIVERY_INTERVAL_MS) + 1) * DELIVERY_INTERVAL_MS;
    windowEnds.set(r, end);
  }
  return end;
}

/**
 * Deliver a trail's pending records whose 5-minute window has closed (all of them with `force`):
 * one file per region and window (and account, for an organisation trail), stamped with the
 * window's end, so weeks of simulated history land as a realistic series of 5-minute files.
 * Written through the object store.
 */
export function deliverTrail(sim: SimState, accountId: string, trail: Trail, force = false): string[] {
  const now = sim.clock.nowMs();
  // Asked after every request: one pass over what is pending, each record's window end parsed once.
  const due: CloudTrailRecord[] = [];
  const waiting: CloudTrailRecord[] = [];
  for (const r of trail.pending) (force || windowEnd(r) <= now ? due : waiting).push(r);
  if (due.length === 0) return [];
  trail.pending = waiting;
  const groups = new Map<
    string,
    { account: string; region: string; at: number; records: CloudTrailRecord[] }
  >();
  for (const r of due) {
    const at = Math.min(windowEnd(r), now);
    const account = trail.isOrganizationTrail ? r.recipientAccountId : accountId;
    const id = `${at}/${r.awsRegion}/${account}`;
    const g = groups.get(id) ?? { account, region: r.awsRegion, at, records: [] };
    g.records.push(r);
    groups.set(id, g);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => a.at - b.at || a.region.localeCompare(b.region) || a.account.localeCompare(b.account),
  );
  trail.lastDeliveryTime = isoSeconds(ordered.at(-1)!.at);
  const store = sim.objectStore;
  if (!store || store.bucketOwner(trail.s3BucketName) === undefined) {
    // AWS drops the files and reports the failure in GetTrailStatus.
    trail.lastDeliveryError = 'NoSuchBucket: The specified bucket does not exist';
    return [];
  }
  const keys: string[] = [];
  for (const g of ordered) {
    const key = logFileKey(trail, g.account, g.region, new Date(g.at), sim.ids.token(16));
    store.putObject(
      trail.s3BucketName,
      key,
      gzipSync(JSON.stringify({ Records: g.records })),
      'application/json',
    );
    keys.push(key);
  }
  trail.lastDeliveryError = undefined;
  trail.latestDeliveredKey = keys.at(-1);
  return keys;
}

/**
 * Deliver every trail's records whose 5-minute window has closed (or everything, with `force`).
 * Nothing is pending for a trail while logging is stopped.
 */
export function deliverDueTrails(sim: SimState, force = false): string[] {
  const delivered: string[] = [];
  for (const account of sim.accounts()) {
    for (const trail of Object.values(account.cloudtrail.trails)) {
      if (trail.pending.length) delivered.push(...deliverTrail(sim, account.accountId, trail, force));
    }
  }
  return delivered;
}
