import { gzipSync } from 'node:zlib';
import type { SimState } from '../state.js';
import type { CloudTrailRecord, Trail } from './model.js';

/** CloudTrail publishes log files about every 5 minutes (aws-facts §1.6). */
export const DELIVERY_INTERVAL_MS = 5 * 60 * 1000;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Object key of a log file:
 * `[prefix/]AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz`.
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
  return `${prefix}AWSLogs/${accountId}/CloudTrail/${region}/${y}/${m}/${d}/${accountId}_CloudTrail_${region}_${stamp}_${unique}.json.gz`;
}

/** Deliver one trail's pending records: one file per region, written through the object store. */
export function deliverTrail(sim: SimState, accountId: string, trail: Trail): string[] {
  const now = sim.clock.now();
  trail.lastDeliveryTime = sim.nowIso();
  if (trail.pending.length === 0) return [];
  const byRegion = new Map<string, CloudTrailRecord[]>();
  for (const r of trail.pending) {
    const list = byRegion.get(r.awsRegion) ?? [];
    list.push(r);
    byRegion.set(r.awsRegion, list);
  }
  trail.pending = [];
  const store = sim.objectStore;
  if (!store || store.bucketOwner(trail.s3BucketName) === undefined) {
    // AWS drops the files and reports the failure in GetTrailStatus.
    trail.lastDeliveryError = `NoSuchBucket: The specified bucket does not exist`;
    return [];
  }
  const keys: string[] = [];
  for (const [region, records] of [...byRegion.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const key = logFileKey(trail, accountId, region, now, sim.ids.token(16));
    store.putObject(
      trail.s3BucketName,
      key,
      gzipSync(JSON.stringify({ Records: records })),
      'application/json',
    );
    keys.push(key);
  }
  trail.lastDeliveryError = undefined;
  trail.latestDeliveredKey = keys.at(-1);
  return keys;
}

/**
 * Deliver every trail whose last delivery is at least 5 simulated minutes old (or all of them
 * with `force`). Nothing is pending for a trail while logging is stopped.
 */
export function deliverDueTrails(sim: SimState, force = false): string[] {
  const now = sim.clock.nowMs();
  const delivered: string[] = [];
  for (const account of sim.accounts()) {
    for (const trail of Object.values(account.cloudtrail.trails)) {
      if (trail.pending.length === 0) continue;
      const last = trail.lastDeliveryTime ? Date.parse(trail.lastDeliveryTime) : 0;
      if (force || now - last >= DELIVERY_INTERVAL_MS)
        delivered.push(...deliverTrail(sim, account.accountId, trail));
    }
  }
  return delivered;
}
