import { respond } from '../../core/http.js';
import { findBucket } from './buckets.js';
import { allowedOn, authorizeOn, type S3Call, type S3OpSpec } from './call.js';
import { s3Error } from './errors.js';
import { decodeToken, encodeToken, listPage } from './listing.js';
import type { S3Object } from './model.js';
import { computeChecksum, deleteObject, deleteObjects, getObject, putObject } from './objects.js';
import { checkRead, customerKeyOf, encryptionHeaders, type CustomerKey } from './sse-c.js';
import { deleteVersion, findVersion, isDeleteMarker } from './versions.js';
import { S3_NS, contentsXml, encoder, objectHeaders, s3Time } from './wire.js';
import { list, parseBody, text } from './xml-input.js';

const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];

/**
 * Checksums of an upload: from `x-amz-checksum-<alg>` headers, or — when the SDK sent the value
 * as an aws-chunked trailer, which the framework's decoder drops — recomputed for the algorithm
 * named in `x-amz-trailer` / `x-amz-sdk-checksum-algorithm`.
 */
function uploadChecksums(call: S3Call, body: Buffer): Record<string, string> {
  const headers = call.ctx.http.headers;
  const out: Record<string, string> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = headers[`x-amz-checksum-${algorithm.toLowerCase()}`];
    if (value) out[algorithm] = value;
  }
  const trailer = /^x-amz-checksum-(\w+)$/i.exec(headers['x-amz-trailer'] ?? '')?.[1];
  const named = (trailer ?? headers['x-amz-sdk-checksum-algorithm'])?.toUpperCase();
  if (named && out[named] === undefined) {
    const computed = computeChecksum(named, body);
    if (computed !== undefined) out[named] = computed;
  }
  return out;
}

function metadataOf(call: S3Call): Record<string, string> {
  return Object.fromEntries(
    Object.entries(call.ctx.http.headers)
      .filter(([name]) => name.startsWith('x-amz-meta-'))
      .map(([name, value]) => [name.slice('x-amz-meta-'.length), value]),
  );
}

/** A single `bytes=a-b` / `bytes=a-` / `bytes=-n` range, or undefined for the whole object. */
function rangeOf(header: string | undefined, size: number): [number, number] | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, from, to] = match;
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start > end || start >= size) {
    throw s3Error('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: header ?? '',
    });
  }
  return [start, end];
}

function maxKeysOf(call: S3Call): number | undefined {
  const raw = call.ctx.params.get('max-keys');
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw s3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400);
  }
  return Math.min(value, 1000);
}

async function authorizeList(call: S3Call): Promise<void> {
  if (call.ctx.caller.type === 'Anonymous') return authorizeOn(call, 's3:ListBucket');
  const p = call.ctx.params;
  await call.ctx.authorize('s3:ListBucket', `arn:aws:s3:::${call.bucket.name}`, {
    resourceAccount: call.bucket.ownerAccount,
    ...(call.bucket.policy ? { resourcePolicy: JSON.parse(call.bucket.policy) as unknown } : {}),
    context: {
      's3:prefix': p.get('prefix') ?? '',
      ...(p.get('delimiter') ? { 's3:delimiter': p.get('delimiter')! } : {}),
    },
  });
}

/**
 * What CloudTrail records of a write's encryption: the SSE-C algorithm among the
 * requestParameters (never the key) and `SSEApplied` in additionalEventData.
 */
function recordEncryption(call: S3Call, sseC: CustomerKey | undefined): void {
  if (sseC) {
    call.ctx.trail.requestParameters = {
      ...(call.ctx.trail.requestParameters as Record<string, unknown>),
      'x-amz-server-side-encryption-customer-algorithm': sseC.algorithm,
    };
  }
  call.eventData = { SSEApplied: sseC ? 'SSE_C' : 'Default_SSE_S3' };
}

/** The object a GET/HEAD reads (latest, or `?versionId=`), its SSE-C key checked. */
function readable(call: S3Call): S3Object {
  const versionId = call.ctx.params.get('versionId');
  let object: S3Object;
  if (versionId === undefined) object = getObject(call.world, call.bucketName, call.key);
  else {
    const version = findVersion(call.bucket, call.key, versionId);
    // A delete marker has no data: S3 answers 405 MethodNotAllowed.
    if (isDeleteMarker(version))
      throw s3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
        Method: call.ctx.http.method,
        ResourceType: 'DeleteMarker',
      });
    object = version;
  }
  checkRead(object, customerKeyOf(call.ctx.http.headers));
  return object;
}

/** `s3:GetObject` → `s3:GetObjectVersion` when the request names a version (S3 UG, actions table). */
const byVersion =
  (action: string) =>
  (call: S3Call): string =>
    call.ctx.params.get('versionId') !== undefined ? `${action}Version` : action;

const versionHeader = (versionId: string | undefined): Record<string, string> =>
  versionId !== undefined ? { 'x-amz-version-id': versionId } : {};

/** Object-level operations (CloudTrail data events). */
export const OBJECT_OPERATIONS: Record<string, S3OpSpec> = {
  ListObjectsV2: {
    scope: 'bucket',
    dataEvent: true,
    allowAnonymous: true,
    run: async (call) => {
      await authorizeList(call);
      const p = call.ctx.params;
      const token = p.get('continuation-token');
      const startAfter = p.get('start-after');
      const maxKeys = maxKeysOf(call) ?? 1000;
      const page = listPage(call.world, call.bucketName, {
        prefix: p.get('prefix'),
        delimiter: p.get('delimiter'),
        after: token !== undefined ? decodeToken(token) : startAfter,
        maxKeys,
      });
      const encode = encoder(p.get('encoding-type'));
      const withOwner = p.get('fetch-owner') === 'true';
      return {
        ListBucketResult: {
          '@xmlns': S3_NS,
          Name: call.bucketName,
          Prefix: encode(p.get('prefix') ?? ''),
          ...(token !== undefined ? { ContinuationToken: token } : {}),
          ...(page.isTruncated && page.last !== undefined
            ? { NextContinuationToken: encodeToken(page.last) }
            : {}),
          KeyCount: page.contents.length + page.commonPrefixes.length,
          MaxKeys: maxKeys,
          ...(p.get('delimiter') ? { Delimiter: encode(p.get('delimiter')!) } : {}),
          ...(p.get('encoding-type') ? { EncodingType: p.get('encoding-type') } : {}),
          IsTruncated: page.isTruncated,
          ...(startAfter !== undefined ? { StartAfter: encode(startAfter) } : {}),
          Contents: page.contents.map((o) => contentsXml(o, encode, withOwner)),
          CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
        },
      };
    },
  },
  ListObjects: {
    scope: 'bucket',
    dataEvent: true,
    allowAnonymous: true,
    run: async (call) => {
      await authorizeList(call);
      const p = call.ctx.params;
      const maxKeys = maxKeysOf(call) ?? 1000;
      const delimiter = p.get('delimiter');
      const page = listPage(call.world, call.bucketName, {
        prefix: p.get('prefix'),
        delimiter,
        after: p.get('marker') || undefined,
        maxKeys,
      });
      const encode = encoder(p.get('encoding-type'));
      return {
        ListBucketResult: {
          '@xmlns': S3_NS,
          Name: call.bucketName,
          Prefix: encode(p.get('prefix') ?? ''),
          Marker: encode(p.get('marker') ?? ''),
          // S3 returns NextMarker only when a delimiter was given; clients use the last key otherwise.
          ...(page.isTruncated && delimiter && page.last !== undefined
            ? { NextMarker: encode(page.last) }
            : {}),
          MaxKeys: maxKeys,
          ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
          IsTruncated: page.isTruncated,
          ...(p.get('encoding-type') ? { EncodingType: p.get('encoding-type') } : {}),
          Contents: page.contents.map((o) => contentsXml(o, encode, true)),
          CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
        },
      };
    },
  },
  PutObject: {
    scope: 'object',
    action: 's3:PutObject',
    dataEvent: true,
    run: (call) => {
      const body = call.ctx.http.body;
      const checksums = uploadChecksums(call, body);
      const sseC = customerKeyOf(call.ctx.http.headers);
      recordEncryption(call, sseC);
      const object = putObject(call.world, call.deps, call.ctx.caller.accountId, {
        ...(sseC ? { sseC } : {}),
        bucket: call.bucketName,
        key: call.key,
        body,
        contentType: call.ctx.http.headers['content-type'],
        metadata: metadataOf(call),
        checksums,
        contentMd5: call.ctx.http.headers['content-md5'],
      });
      const echo = Object.fromEntries(
        Object.entries(checksums).map(([a, v]) => [`x-amz-checksum-${a.toLowerCase()}`, v]),
      );
      return respond({
        headers: {
          etag: object.etag,
          ...encryptionHeaders(object),
          ...versionHeader(object.versionId),
          ...echo,
        },
      });
    },
  },
  GetObject: {
    scope: 'object',
    action: byVersion('s3:GetObject'),
    dataEvent: true,
    allowAnonymous: true,
    run: (call) => {
      const object = readable(call);
      const bytes = Buffer.from(object.body, 'base64');
      const range = rangeOf(call.ctx.http.headers.range, bytes.length);
      const checksumMode = call.ctx.http.headers['x-amz-checksum-mode'] === 'ENABLED' && !range;
      const headers = objectHeaders(object, checksumMode);
      if (!range) return respond({ headers, body: bytes });
      const [start, end] = range;
      return respond({
        status: 206,
        headers: { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}` },
        body: bytes.subarray(start, end + 1),
      });
    },
  },
  HeadObject: {
    scope: 'object',
    action: byVersion('s3:GetObject'),
    dataEvent: true,
    allowAnonymous: true,
    // The body is not sent for HEAD; returning it makes Content-Length the object's size.
    run: (call) => {
      const object = readable(call);
      const checksumMode = call.ctx.http.headers['x-amz-checksum-mode'] === 'ENABLED';
      return respond({
        headers: objectHeaders(object, checksumMode),
        body: Buffer.from(object.body, 'base64'),
      });
    },
  },
  DeleteObject: {
    scope: 'object',
    action: byVersion('s3:DeleteObject'),
    dataEvent: true,
    run: (call) => {
      const versionId = call.ctx.params.get('versionId');
      const gone =
        versionId !== undefined
          ? deleteVersion(call.bucket, call.key, versionId)
          : deleteObject(call.world, call.deps, call.bucketName, call.key, call.ctx.caller.accountId);
      return respond({
        status: 204,
        headers: {
          ...(gone.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
          ...versionHeader(gone.versionId),
        },
      });
    },
  },
  DeleteObjects: {
    scope: 'bucket',
    dataEvent: true,
    // Each key is authorized on its own: denied keys come back as <Error> entries (S3 API).
    run: async (call) => {
      const request = parseBody(call.ctx.http.body, 'Delete');
      const keys = list(request, 'Object').map((o) => text(o, 'Key') ?? '');
      const quiet = text(request, 'Quiet')?.toLowerCase() === 'true';
      const allowed: string[] = [];
      const errors: { Key: string; Code: string; Message: string }[] = [];
      for (const key of keys) {
        if (await allowedOn(call, 's3:DeleteObject', key)) allowed.push(key);
        else errors.push({ Key: key, Code: 'AccessDenied', Message: 'Access Denied' });
      }
      const { deleted } = deleteObjects(
        call.world,
        call.deps,
        call.bucketName,
        allowed,
        call.ctx.caller.accountId,
      );
      return {
        DeleteResult: {
          '@xmlns': S3_NS,
          Deleted: quiet ? [] : deleted.map((Key) => ({ Key })),
          Error: errors,
        },
      };
    },
  },
  CopyObject: {
    scope: 'object',
    action: 's3:PutObject',
    dataEvent: true,
    run: async (call) => {
      const raw = decodeURIComponent(call.ctx.http.headers['x-amz-copy-source'] ?? '').replace(/^\//, '');
      const [source = '', query = ''] = raw.split('?');
      const slash = source.indexOf('/');
      const [sourceBucket, sourceKey] = [source.slice(0, slash), source.slice(slash + 1)];
      const sourceVersion = new URLSearchParams(query).get('versionId') ?? undefined;
      const from = { ...call, bucket: findBucket(call.world, sourceBucket) };
      await authorizeOn(from, sourceVersion ? 's3:GetObjectVersion' : 's3:GetObject', sourceKey);
      const found =
        sourceVersion === undefined
          ? getObject(call.world, sourceBucket, sourceKey)
          : findVersion(from.bucket, sourceKey, sourceVersion);
      if (isDeleteMarker(found))
        throw s3Error(
          'InvalidRequest',
          'The source of a copy request may not specifically refer to a delete marker by version id.',
          400,
        );
      checkRead(found, customerKeyOf(call.ctx.http.headers, 'copySource'));
      const sseC = customerKeyOf(call.ctx.http.headers);
      const replace = call.ctx.http.headers['x-amz-metadata-directive'] === 'REPLACE';
      if (
        sourceBucket === call.bucketName &&
        sourceKey === call.key &&
        sourceVersion === undefined &&
        !replace &&
        !sseC &&
        !found.sseC
      )
        throw s3Error(
          'InvalidRequest',
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
          400,
        );
      recordEncryption(call, sseC);
      const copied = putObject(call.world, call.deps, call.ctx.caller.accountId, {
        bucket: call.bucketName,
        key: call.key,
        body: Buffer.from(found.body, 'base64'),
        contentType: replace ? call.ctx.http.headers['content-type'] : found.contentType,
        metadata: replace ? metadataOf(call) : found.metadata,
        checksums: found.checksums,
        ...(sseC ? { sseC } : {}),
      });
      return respond({
        headers: {
          ...encryptionHeaders(copied),
          ...versionHeader(copied.versionId),
          ...(sourceVersion ? { 'x-amz-copy-source-version-id': sourceVersion } : {}),
        },
        body: {
          CopyObjectResult: { '@xmlns': S3_NS, LastModified: s3Time(copied.lastModified), ETag: copied.etag },
        },
      });
    },
  },
};
