import { s3Error } from './errors.js';
import type { Bucket, DeleteMarker, ObjectVersion, S3Object } from './model.js';

/**
 * Object versions (S3 UG, "Retaining multiple versions of objects with S3 Versioning"): a bucket
 * that never had versioning keeps one object per key and no version ids; once enabled, every
 * write adds a version with a new id and a plain DELETE adds a delete marker; while suspended,
 * writes and deletes replace the version whose id is `null`. Objects written before versioning
 * was first enabled are the `null` version.
 */

/** Draws a new version id (32 URL-safe characters, as S3's look). */
export type VersionIds = () => string;

const isMarker = (v: ObjectVersion): v is DeleteMarker => 'deleteMarker' in v;

/** Whether a version is a delete marker. */
export function isDeleteMarker(v: ObjectVersion): v is DeleteMarker {
  return isMarker(v);
}

/** The key's versions, newest first; seeds the `null` version from an object written before versioning. */
export function versionsOf(bucket: Bucket, key: string): ObjectVersion[] {
  const all = (bucket.versions ??= {});
  let list = all[key];
  if (!list) {
    const current = bucket.objects[key];
    list = current ? [{ ...current, versionId: 'null' }] : [];
    if (current) bucket.objects[key] = list[0] as S3Object;
    all[key] = list;
  }
  return list;
}

function add(bucket: Bucket, version: ObjectVersion, newId: VersionIds): string {
  const list = versionsOf(bucket, version.key);
  const id = bucket.versioning === 'Enabled' ? newId() : 'null';
  if (id === 'null') {
    const at = list.findIndex((v) => v.versionId === 'null');
    if (at >= 0) list.splice(at, 1);
  }
  version.versionId = id;
  list.unshift(version);
  if (isMarker(version)) delete bucket.objects[version.key];
  else bucket.objects[version.key] = version;
  return id;
}

/** Store a written object as the key's latest (a new version when the bucket has versioning). */
export function storeObject(bucket: Bucket, object: S3Object, newId: VersionIds): void {
  if (!bucket.versioning) {
    bucket.objects[object.key] = object;
    return;
  }
  add(bucket, object, newId);
}

/** DeleteObject without a version id: removes the object, or adds a delete marker when versioned. */
export function deleteLatest(
  bucket: Bucket,
  key: string,
  at: { lastModified: string; ownerAccount: string },
  newId: VersionIds,
): { deleteMarker?: true; versionId?: string } {
  if (!bucket.versioning) {
    delete bucket.objects[key];
    return {};
  }
  const marker: DeleteMarker = { key, versionId: '', deleteMarker: true, ...at };
  return { deleteMarker: true, versionId: add(bucket, marker, newId) };
}

/** DeleteObject with a version id: removes that version for good; the next one becomes the latest. */
export function deleteVersion(
  bucket: Bucket,
  key: string,
  versionId: string,
): { deleteMarker?: true; versionId: string } {
  if (!bucket.versions && versionId === 'null') {
    delete bucket.objects[key];
    return { versionId };
  }
  const list = versionsOf(bucket, key);
  const at = list.findIndex((v) => v.versionId === versionId);
  if (at < 0) return { versionId };
  const [removed] = list.splice(at, 1);
  const latest = list[0];
  if (!latest || isMarker(latest)) delete bucket.objects[key];
  else bucket.objects[key] = latest;
  if (!list.length) delete bucket.versions?.[key];
  return { ...(removed && isMarker(removed) ? { deleteMarker: true as const } : {}), versionId };
}

/** One version of a key, or S3's NoSuchVersion (`null` names the only object of an unversioned bucket). */
export function findVersion(bucket: Bucket, key: string, versionId: string): ObjectVersion {
  const found =
    !bucket.versions && versionId === 'null'
      ? bucket.objects[key]
      : versionsOf(bucket, key).find((v) => v.versionId === versionId);
  if (!found)
    throw s3Error('NoSuchVersion', 'The specified version does not exist.', 404, {
      Key: key,
      VersionId: versionId,
    });
  return found;
}

/** Every version in the bucket under a prefix, by key then newest first (ListObjectVersions). */
export function listVersions(bucket: Bucket, prefix: string): ObjectVersion[] {
  const keys = new Set([...Object.keys(bucket.objects), ...Object.keys(bucket.versions ?? {})]);
  return [...keys]
    .filter((k) => k.startsWith(prefix))
    .sort()
    .flatMap(
      (k) => bucket.versions?.[k] ?? (bucket.objects[k] ? [{ ...bucket.objects[k], versionId: 'null' }] : []),
    );
}
