import { createHash, type BinaryLike } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { findBucket } from './buckets.js';
import { noSuchKey, s3Error } from './errors.js';
import type { S3Deps, S3Object, S3World } from './model.js';
import type { CustomerKey } from './sse-c.js';
import { deleteLatest, storeObject } from './versions.js';

let fallbackIds = 0;
/** Version ids when the caller gave no seeded source (unit tests of the logic). */
const versionIdOf = (deps: S3Deps): string =>
  deps.versionId?.() ?? `v${String(++fallbackIds).padStart(31, '0')}`;

/** CRC32C (Castagnoli), which node:zlib does not provide; table-driven, reflected. */
const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function uint32Base64(value: number): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString('base64');
}

const digest = (algorithm: string) => (data: BinaryLike) =>
  createHash(algorithm).update(data).digest('base64');

/**
 * Flexible checksums S3 verifies on upload (S3 UG, "Checking object integrity"). CRC64NVME is
 * stored as given: it is not recomputed here.
 */
const CHECKSUMS: Record<string, (data: Buffer) => string> = {
  CRC32: (data) => uint32Base64(crc32(data)),
  CRC32C: (data) => uint32Base64(crc32c(data)),
  SHA1: digest('sha1'),
  SHA256: digest('sha256'),
};

/** The base64 checksum of `data` with a supported algorithm, or undefined. */
export function computeChecksum(algorithm: string, data: Buffer): string | undefined {
  const fn = Object.hasOwn(CHECKSUMS, algorithm) ? CHECKSUMS[algorithm] : undefined;
  return fn?.(data);
}

/** PutObject arguments. */
export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer;
  contentType?: string;
  metadata?: Record<string, string>;
  /** Supplied checksums by upper-case algorithm (`CRC32` → base64). */
  checksums?: Record<string, string>;
  /** Base64 MD5 from a Content-MD5 header. */
  contentMd5?: string;
  /** SSE-C: the customer key's algorithm and MD5. */
  sseC?: CustomerKey;
}

/** PutObject: store (overwriting), verifying any supplied MD5 and checksums. */
export function putObject(
  world: S3World,
  deps: S3Deps,
  writerAccount: string,
  input: PutObjectInput,
): S3Object {
  const bucket = findBucket(world, input.bucket);
  if (Buffer.byteLength(input.key) > 1024 || input.key === '') {
    throw s3Error('KeyTooLongError', 'Your key is too long', 400);
  }
  const md5 = createHash('md5').update(input.body);
  const md5Raw = md5.digest();
  if (input.contentMd5 !== undefined && input.contentMd5 !== md5Raw.toString('base64')) {
    throw s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  for (const [algorithm, value] of Object.entries(input.checksums ?? {})) {
    const actual = computeChecksum(algorithm, input.body);
    if (actual !== undefined && actual !== value) {
      throw s3Error(
        'BadDigest',
        `The ${algorithm} you specified did not match the calculated checksum.`,
        400,
      );
    }
  }
  const object: S3Object = {
    key: input.key,
    body: input.body.toString('base64'),
    size: input.body.length,
    // With SSE-C the ETag is not the MD5 of the data (S3 UG, "SSE-C overview").
    etag: input.sseC
      ? `"${createHash('md5').update(md5Raw).update(input.sseC.keyMd5).digest('hex')}"`
      : `"${md5Raw.toString('hex')}"`,
    contentType: input.contentType ?? 'binary/octet-stream',
    lastModified: new Date(Math.floor(deps.now().getTime() / 1000) * 1000).toISOString(),
    metadata: { ...(input.metadata ?? {}) },
    checksums: { ...(input.checksums ?? {}) },
    ownerAccount: writerAccount,
    ...(input.sseC ? { sseC: { ...input.sseC } } : {}),
  };
  storeObject(bucket, object, () => versionIdOf(deps));
  return object;
}

/** The object, or NoSuchKey. */
export function getObject(world: S3World, bucketName: string, key: string): S3Object {
  const object = findBucket(world, bucketName).objects[key];
  if (!object) throw noSuchKey(key);
  return object;
}

/**
 * DeleteObject without a version id: succeeds whether or not the key exists; in a bucket with
 * versioning it adds a delete marker instead of removing data.
 */
export function deleteObject(
  world: S3World,
  deps: S3Deps,
  bucketName: string,
  key: string,
  callerAccount: string,
): { deleteMarker?: true; versionId?: string } {
  const at = {
    lastModified: new Date(Math.floor(deps.now().getTime() / 1000) * 1000).toISOString(),
    ownerAccount: callerAccount,
  };
  return deleteLatest(findBucket(world, bucketName), key, at, () => versionIdOf(deps));
}

/** DeleteObjects: delete each key; report every key as deleted (S3 does so for absent keys too). */
export function deleteObjects(
  world: S3World,
  deps: S3Deps,
  bucketName: string,
  keys: string[],
  callerAccount: string,
): { deleted: string[] } {
  findBucket(world, bucketName);
  if (keys.length > 1000)
    throw s3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  for (const key of keys) deleteObject(world, deps, bucketName, key, callerAccount);
  return { deleted: keys };
}
