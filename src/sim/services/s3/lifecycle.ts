import { childText, children, type XmlTree } from './xml-config.js';
import type { Bucket, S3Deps, S3World } from './model.js';
import { deleteLatest } from './versions.js';

/**
 * Lifecycle expiration on the simulated clock (S3 UG, "Expiring objects"): an object is due
 * `Days` days after it was written, rounded up to the next midnight UTC; expiry of the latest
 * version removes the object (unversioned) or adds a delete marker (versioned), and
 * `NoncurrentVersionExpiration` removes versions that many days after they became noncurrent.
 * S3 runs expiry asynchronously; the simulator runs it before each S3 request.
 */

const DAY = 86_400_000;

interface ExpiryRule {
  prefix: string;
  days?: number;
  noncurrentDays?: number;
}

function rulesOf(bucket: Bucket): ExpiryRule[] {
  const doc = bucket.configs?.LifecycleConfiguration;
  if (!doc || typeof doc === 'string') return [];
  return children(doc, 'Rule')
    .filter((r) => childText(r, 'Status') === 'Enabled')
    .map((r) => {
      const rule = r as Record<string, XmlTree>;
      const filter = rule.Filter as Record<string, XmlTree> | undefined;
      const prefix =
        childText(filter, 'Prefix') ?? childText(filter?.And, 'Prefix') ?? childText(rule, 'Prefix') ?? '';
      const days = Number(childText(rule.Expiration, 'Days'));
      const noncurrentDays = Number(childText(rule.NoncurrentVersionExpiration, 'NoncurrentDays'));
      return {
        prefix,
        ...(Number.isFinite(days) && days > 0 ? { days } : {}),
        ...(Number.isFinite(noncurrentDays) && noncurrentDays > 0 ? { noncurrentDays } : {}),
      };
    });
}

/** When an object written at `iso` is due after `days` days (the next midnight UTC after that). */
export function dueAt(iso: string, days: number): number {
  const t = new Date(iso).getTime() + days * DAY;
  return Math.ceil(t / DAY) * DAY;
}

/** Apply every bucket's expiration rules at the clock's time. */
export function expireByLifecycle(world: S3World, deps: S3Deps): void {
  const now = deps.now().getTime();
  for (const account of Object.values(world.accounts)) {
    for (const bucket of Object.values(account.buckets)) {
      const rules = rulesOf(bucket);
      if (rules.length) expireBucket(bucket, rules, now, deps);
    }
  }
}

function expireBucket(bucket: Bucket, rules: ExpiryRule[], now: number, deps: S3Deps): void {
  for (const rule of rules) {
    for (const object of Object.values(bucket.objects)) {
      if (!object.key.startsWith(rule.prefix) || rule.days === undefined) continue;
      if (dueAt(object.lastModified, rule.days) > now) continue;
      const at = {
        lastModified: new Date(dueAt(object.lastModified, rule.days)).toISOString(),
        ownerAccount: bucket.ownerAccount,
      };
      deleteLatest(bucket, object.key, at, () => deps.versionId?.() ?? 'null');
    }
    if (rule.noncurrentDays === undefined || !bucket.versions) continue;
    for (const [key, versions] of Object.entries(bucket.versions)) {
      if (!key.startsWith(rule.prefix)) continue;
      // A version becomes noncurrent when the next newer one is written.
      const days = rule.noncurrentDays;
      bucket.versions[key] = versions.filter(
        (_v, i) => i === 0 || dueAt(versions[i - 1]!.lastModified, days) > now,
      );
    }
  }
}
