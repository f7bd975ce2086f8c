import { respond } from '../../core/http.js';
import { findBucket } from './buckets.js';
import { allowedOn, authorizeOn, type S3Call, type S3OpSpec } from './call.js';
import { s3Error } from './errors.js';
import { decodeToken, encodeToken, listPage } from './listing.js';
import { computeChecksum, deleteObject, deleteObjects, getObject, putObject } from './objects.js';
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
      const object = putObject(call.world, call.deps, call.ctx.caller.accountId, {
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
      return respond({ headers: { etag: object.etag, 'x-amz-server-side-encryption': 'AES256', ...echo } });
    },
  },
  GetObject: {
    scope: 'object',
    action: 's3:GetObject',
    dataEvent: true,
    allowAnonymous: true,
    run: (call) => {
      const object = getObject(call.world, call.bucketName, call.key);
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
    action: 's3:GetObject',
    dataEvent: true,
    allowAnonymous: true,
    // The body is not sent for HEAD; returning it makes Content-Length the object's size.
    run: (call) => {
      const object = getObject(call.world, call.bucketName, call.key);
      const checksumMode = call.ctx.http.headers['x-amz-checksum-mode'] === 'ENABLED';
      return respond({
        headers: objectHeaders(object, checksumMode),
        body: Buffer.from(object.body, 'base64'),
      });
    },
  },
  DeleteObject: {
    scope: 'object',
    action: 's3:DeleteObject',
    dataEvent: true,
    run: (call) => {
      deleteObject(call.world, call.bucketName, call.key);
      return respond({ status: 204 });
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
      const { deleted } = deleteObjects(call.world, call.bucketName, allowed);
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
      const source = decodeURIComponent(call.ctx.http.headers['x-amz-copy-source'] ?? '').replace(/^\//, '');
      const slash = source.indexOf('/');
      const [sourceBucket, sourceKey] = [source.slice(0, slash), source.slice(slash + 1).split('?')[0] ?? ''];
      await authorizeOn({ ...call, bucket: findBucket(call.world, sourceBucket) }, 's3:GetObject', sourceKey);
      const original = getObject(call.world, sourceBucket, sourceKey);
      const copied = putObject(call.world, call.deps, call.ctx.caller.accountId, {
        bucket: call.bucketName,
        key: call.key,
        body: Buffer.from(original.body, 'base64'),
        contentType: original.contentType,
        metadata: original.metadata,
        checksums: original.checksums,
      });
      return {
        CopyObjectResult: { '@xmlns': S3_NS, LastModified: s3Time(copied.lastModified), ETag: copied.etag },
      };
    },
  },
};
