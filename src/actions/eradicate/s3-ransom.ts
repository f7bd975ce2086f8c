import {
  CopyObjectCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  type BucketLifecycleConfiguration,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ClientPool } from '../../aws/pool.js';
import type { ActionDef, StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, CLOCK_SLACK_MS, listParam, removal, restoration } from './declare.js';
import { bucketExists, s3For } from './s3.js';

/**
 * S3 ransomware (the "Codefinger" pattern) undone: the attacker's lifecycle rules taken off (the
 * configuration before the attack put back), the objects it re-encrypted with its own SSE-C key
 * copied back from the version before, the ransom note kept and removed.
 */

interface Lifecycle {
  rules: LifecycleRule[] | null;
}

const errorName = (error: unknown): string => (error as { name?: string }).name ?? '';
const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** The bucket's lifecycle rules; null when it has no configuration. */
async function readLifecycle(s3: S3Client, bucket: string | undefined): Promise<Lifecycle> {
  try {
    const out = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    return { rules: out.Rules ?? [] };
  } catch (error) {
    if (errorName(error) === 'NoSuchLifecycleConfiguration') return { rules: null };
    throw error;
  }
}

const ids = (rules: { ID?: string | undefined }[] | null | undefined): string[] =>
  (rules ?? []).map((r) => r.ID ?? '').sort();

/**
 * What the configuration should be: the prior one (`prior`: the SDK's configuration as JSON, or
 * `none`) when Event history has it, else the current one without the attacker's rules.
 */
function wantedRules(s: Lifecycle, p: StepParams): LifecycleRule[] | null {
  if (p.prior === 'none') return null;
  if (p.prior) return (JSON.parse(p.prior) as BucketLifecycleConfiguration).Rules ?? null;
  const attacker = new Set(listParam(p, 'attackerRules'));
  const kept = (s.rules ?? []).filter((r) => !attacker.has(r.ID ?? ''));
  return kept.length ? kept : null;
}

const named = (rules: LifecycleRule[] | null): string =>
  rules?.length ? `rule(s) ${ids(rules).join(', ')}` : 'no configuration';

/**
 * Take the attacker's lifecycle rules (every object set to expire) off a bucket that stays: the
 * configuration from before the attack put back when Event history has it, else the attacker's
 * rules removed and the others kept. The configuration document is kept first.
 */
export const restoreBucketLifecycle = restoration<Lifecycle>({
  name: 'restore-bucket-lifecycle',
  summary:
    "keep the lifecycle configuration, then put back the bucket's own (the attacker's expiry rules off)",
  irreversibleBecause:
    "the attacker's rules expire the bucket's objects; they are kept as evidence, never set again",
  target: (p) => `${p.bucket ?? '?'}/lifecycle`,
  async read(pool, p) {
    const s3 = await bucketExists(pool, p);
    return s3 ? readLifecycle(s3, p.bucket) : undefined;
  },
  restored: (s, p) => JSON.stringify(ids(s.rules)) === JSON.stringify(ids(wantedRules(s, p))),
  describe: (s, p) => {
    const from = p.prior
      ? 'as it was before the attack (Event history)'
      : "without the attacker's rules (no earlier configuration in the 90 days of Event history)";
    return `keep the configuration (${named(s.rules)}), leave ${named(wantedRules(s, p))}: ${from}`;
  },
  evidence: (s) => [{ file: 'bucket-lifecycle.json', content: asJson(s) }],
  async write(pool, p, s) {
    const s3 = await s3For(pool, p);
    const rules = wantedRules(s, p);
    if (rules === null) await s3.send(new DeleteBucketLifecycleCommand({ Bucket: p.bucket }));
    else
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: p.bucket,
          LifecycleConfiguration: { Rules: rules },
        }),
      );
    return { rules: ids(rules) };
  },
});

/** One version as ListObjectVersions gives it (delete markers included). */
interface Version {
  key: string;
  versionId: string;
  latest: boolean;
  lastModified: string;
  etag?: string | undefined;
  size?: number | undefined;
  deleteMarker: boolean;
}

/** An object whose current version is encrypted with a customer key, and its way back if any. */
export interface Encrypted {
  key: string;
  versionId: string;
  lastModified: string;
  /** The newest earlier version S3 can read without a customer key. */
  from?: { versionId: string; etag?: string | undefined; lastModified: string };
  /** Why there is none. */
  lost?: string;
}

interface EncryptedState {
  bucket: string;
  versioning: string;
  versions: Version[];
  encrypted: Encrypted[];
}

/** Every version and delete marker of a bucket, newest first per key (ListObjectVersions pages). */
async function listVersions(s3: S3Client, bucket: string): Promise<Version[]> {
  const out: Version[] = [];
  let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, ...marker }));
    const at = (v: { Key?: string; VersionId?: string; IsLatest?: boolean; LastModified?: Date }) => ({
      key: v.Key ?? '',
      versionId: v.VersionId ?? 'null',
      latest: v.IsLatest ?? false,
      lastModified: v.LastModified?.toISOString() ?? '',
    });
    for (const v of page.Versions ?? [])
      out.push({ ...at(v), etag: v.ETag, size: v.Size, deleteMarker: false });
    for (const m of page.DeleteMarkers ?? []) out.push({ ...at(m), deleteMarker: true });
    if (!page.IsTruncated) break;
    marker = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
  // Per key: the latest first, then the older ones newest first.
  return out.sort(
    (a, b) =>
      a.key.localeCompare(b.key) ||
      Number(b.latest) - Number(a.latest) ||
      b.lastModified.localeCompare(a.lastModified),
  );
}

/**
 * Whether S3 wants a customer key to read this version: a HEAD without one answers 400 for an
 * object stored with SSE-C (S3 UG, "Using SSE-C"), and nothing else answers 400 to a plain HEAD.
 */
async function needsCustomerKey(s3: S3Client, bucket: string, v: Version, latest: boolean): Promise<boolean> {
  try {
    await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: v.key, ...(latest ? {} : { VersionId: v.versionId }) }),
    );
    return false;
  } catch (error) {
    if (statusOf(error) === 400) return true;
    throw error;
  }
}

/**
 * The bucket's objects whose current version (written since the attack, `createdAfter`) only a
 * customer key reads, each with the newest earlier version readable without one.
 */
async function readEncrypted(pool: ClientPool, p: StepParams): Promise<EncryptedState | undefined> {
  const s3 = await bucketExists(pool, p);
  if (!s3) return undefined;
  const bucket = p.bucket!;
  const versioning =
    (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status ?? 'never enabled';
  const versions = await listVersions(s3, bucket);
  const cutoff = p.createdAfter ? Date.parse(p.createdAfter) - CLOCK_SLACK_MS : -Infinity;
  const encrypted: Encrypted[] = [];
  for (const latest of versions.filter((v) => v.latest && !v.deleteMarker)) {
    if (Date.parse(latest.lastModified) < cutoff) continue;
    if (!(await needsCustomerKey(s3, bucket, latest, true))) continue;
    const older = versions.filter((v) => v.key === latest.key && !v.latest && !v.deleteMarker);
    let from: Encrypted['from'];
    for (const v of older)
      if (!(await needsCustomerKey(s3, bucket, v, false))) {
        from = { versionId: v.versionId, etag: v.etag, lastModified: v.lastModified };
        break;
      }
    const lost =
      from !== undefined
        ? undefined
        : older.length
          ? 'every earlier version is encrypted with a customer key too'
          : versioning === 'Enabled' || versioning === 'Suspended'
            ? 'no earlier version'
            : `versioning ${versioning}: no earlier copy`;
    encrypted.push({
      key: latest.key,
      versionId: latest.versionId,
      lastModified: latest.lastModified,
      ...(from ? { from } : {}),
      ...(lost ? { lost } : {}),
    });
  }
  return { bucket, versioning, versions, encrypted };
}

const recoverable = (s: EncryptedState) => s.encrypted.filter((e) => e.from);
const lostOnes = (s: EncryptedState) => s.encrypted.filter((e) => !e.from);

/** The keys S3 cannot give back, named (never silently skipped). */
function lostLine(s: EncryptedState): string {
  const lost = lostOnes(s);
  if (!lost.length) return '';
  const why = [...new Set(lost.map((e) => e.lost))].join('; ');
  return `${lost.length} object(s) of ${s.bucket} encrypted with a customer key cannot be restored (${why}): ${lost.map((e) => e.key).join(', ')} — restore them from a backup`;
}

/**
 * Copy back, byte for byte, the version from before the attack of every object the attacker
 * re-encrypted with its own SSE-C key (CopyObject from that VersionId: the encrypted version stays
 * underneath as evidence); the version listing is kept first. Objects with no readable earlier
 * version are named in the plan and the result.
 */
export const restoreEncryptedObjects: ActionDef = {
  name: 'restore-encrypted-objects',
  summary:
    "keep the version listing, then copy back each object's version from before the customer-key encryption",
  irreversibleBecause:
    'the encrypted versions stay in the bucket under the restored ones; putting them back on top is never wanted',
  target: (p) => `${p.bucket ?? '?'}/objects-encrypted-with-a-customer-key`,
  async plan(env, account, params) {
    const s = await readEncrypted(await env.poolFor(account), params);
    if (!s) return { before: { exists: false }, change: 'no longer exists: nothing to restore', noop: true };
    const before = {
      exists: true,
      versioning: s.versioning,
      encrypted: s.encrypted,
      recoverable: recoverable(s).map((e) => e.key),
      unrecoverable: lostOnes(s).map((e) => e.key),
    };
    const back = recoverable(s);
    const lost = lostLine(s);
    if (!s.encrypted.length)
      return { before, change: 'no object is encrypted with a customer key: already restored', noop: true };
    const manual = lost ? { manual: `${lost}.` } : {};
    if (!back.length) return { before, change: lost, noop: true, ...manual };
    const change = `keep the version listing, copy back ${back.length} object(s) from their version before the attack (${back.map((e) => e.key).join(', ')})`;
    return { before, change: lost ? `${change}; ${lost}` : change, noop: false, ...manual };
  },
  async apply(env, step, context) {
    const pool = await env.poolFor(step.account);
    const s = await readEncrypted(pool, step.params);
    if (!s) return { restored: [], reason: 'no longer exists' };
    const unrecoverable = lostOnes(s).map((e) => ({ key: e.key, why: e.lost }));
    const back = recoverable(s);
    if (!back.length) return { restored: [], unrecoverable, reason: 'nothing left to restore' };
    const evidence = await context.keep(
      'object-versions.json',
      asJson({ bucket: s.bucket, versioning: s.versioning, versions: s.versions, encrypted: s.encrypted }),
      `s3:ListObjectVersions ${s.bucket}`,
    );
    const s3 = await s3For(pool, step.params);
    const restored: { key: string; from: string; versionId?: string | undefined }[] = [];
    for (const e of back) {
      const out = await s3.send(
        new CopyObjectCommand({
          Bucket: s.bucket,
          Key: e.key,
          CopySource: `${s.bucket}/${encodeURIComponent(e.key)}?versionId=${encodeURIComponent(e.from!.versionId)}`,
        }),
      );
      restored.push({ key: e.key, from: e.from!.versionId, versionId: out.VersionId });
    }
    return { evidence, restored, unrecoverable };
  },
  async verify(env, step) {
    const s = await readEncrypted(await env.poolFor(step.account), step.params);
    if (!s) return { ok: true, observed: 'the bucket no longer exists' };
    const left = recoverable(s);
    if (left.length)
      return {
        ok: false,
        observed: `still encrypted, with an earlier version: ${left.map((e) => e.key).join(', ')}`,
      };
    return { ok: true, observed: lostLine(s) || 'every object readable without a customer key' };
  },
};

interface ObjectRecord {
  bucket: string;
  key: string;
  versionId?: string | undefined;
  size?: number | undefined;
  etag?: string | undefined;
  contentType?: string | undefined;
  encrypted: boolean;
}

/**
 * Delete an object the attacker wrote (a ransom note), its bytes kept as evidence first: in a
 * versioned bucket the attacker's version itself is deleted, so what was there before shows again.
 */
export const deleteObject = removal<ObjectRecord>({
  name: 'delete-object',
  summary: 'keep its bytes, then delete an object the attacker wrote (a ransom note)',
  irreversibleBecause: 'the bytes are kept in the evidence; writing the note back is never wanted',
  target: (p) => `${p.bucket ?? '?'}/${p.key ?? '?'}`,
  async read(pool, p) {
    const s3 = await bucketExists(pool, p);
    if (!s3) return undefined;
    try {
      const out = await readOrAbsent(() => s3.send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key })));
      if (!out) return undefined;
      const state = {
        bucket: p.bucket!,
        key: p.key!,
        versionId: out.VersionId,
        size: out.ContentLength,
        etag: out.ETag,
        contentType: out.ContentType,
        encrypted: false,
      };
      return { state, created: out.LastModified?.toISOString() };
    } catch (error) {
      if (statusOf(error) !== 400) throw error;
      return { state: { bucket: p.bucket!, key: p.key!, encrypted: true } };
    }
  },
  refuse: (o) =>
    o.encrypted
      ? 'encrypted with a customer key: not a note the attacker wrote in clear; review it'
      : undefined,
  describe: (o) => `keep its ${o.size ?? '?'} bytes, delete ${o.bucket}/${o.key}`,
  async preserve(pool, p, o, context) {
    const s3 = await s3For(pool, p);
    const out = await s3.send(
      new GetObjectCommand({
        Bucket: o.bucket,
        Key: o.key,
        ...(o.versionId ? { VersionId: o.versionId } : {}),
      }),
    );
    const bytes = await out.Body!.transformToByteArray();
    const name = o.key.replace(/[^A-Za-z0-9._-]+/g, '_');
    return {
      object: await context.keep(`object-${name}`, bytes, `s3:GetObject ${o.bucket}/${o.key}`),
      head: await context.keep('object-head.json', asJson(o), `s3:HeadObject ${o.bucket}/${o.key}`),
    };
  },
  async remove(pool, p, o) {
    const s3 = await s3For(pool, p);
    const version = o.versionId && o.versionId !== 'null' ? { VersionId: o.versionId } : {};
    await readOrAbsent(() => s3.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: o.key, ...version })));
  },
});
