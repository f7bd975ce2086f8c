import { findBucket } from './buckets.js';
import { s3Error } from './errors.js';
import type { S3Object, S3World } from './model.js';

/** One page of a listing, in key order: objects and rolled-up common prefixes. */
export interface ListingPage {
  contents: S3Object[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned (what NextMarker / the continuation token resume after). */
  last?: string;
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The engine behind ListObjects and ListObjectsV2: keys after `after`, under `prefix`, with keys
 * sharing a `delimiter`-terminated prefix rolled up into one common prefix, up to `maxKeys`
 * entries (objects plus prefixes), in UTF-8 binary order.
 */
export function listPage(
  world: S3World,
  bucketName: string,
  options: { prefix?: string; delimiter?: string; after?: string; maxKeys?: number },
): ListingPage {
  const bucket = findBucket(world, bucketName);
  const prefix = options.prefix ?? '';
  const maxKeys = options.maxKeys ?? 1000;
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw s3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400);
  }
  const delimiter = options.delimiter || undefined;
  const after = options.after;
  // Resuming after a common prefix skips the whole rolled-up group.
  const skipGroup =
    after !== undefined && delimiter !== undefined && after.endsWith(delimiter) ? after : undefined;
  const keys = Object.keys(bucket.objects)
    .filter((key) => key.startsWith(prefix))
    .filter((key) => after === undefined || compareKeys(key, after) > 0)
    .filter((key) => skipGroup === undefined || !key.startsWith(skipGroup))
    .sort(compareKeys);
  const page: ListingPage = { contents: [], commonPrefixes: [], isTruncated: false };
  for (const key of keys) {
    let entry: { prefix: string } | { object: S3Object };
    if (delimiter !== undefined) {
      const cut = key.indexOf(delimiter, prefix.length);
      entry = cut >= 0 ? { prefix: key.slice(0, cut + delimiter.length) } : { object: bucket.objects[key]! };
    } else {
      entry = { object: bucket.objects[key]! };
    }
    if ('prefix' in entry && page.commonPrefixes[page.commonPrefixes.length - 1] === entry.prefix) continue;
    if (page.contents.length + page.commonPrefixes.length >= maxKeys) {
      page.isTruncated = true;
      break;
    }
    if ('prefix' in entry) {
      page.commonPrefixes.push(entry.prefix);
      page.last = entry.prefix;
    } else {
      page.contents.push(entry.object);
      page.last = entry.object.key;
    }
  }
  return page;
}

/** Continuation tokens are opaque to clients; the simulator's encode the resume point. */
export function encodeToken(last: string): string {
  return Buffer.from(`v1:${last}`).toString('base64');
}

/** The resume point of a continuation token, or InvalidArgument. */
export function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64').toString();
  if (!text.startsWith('v1:'))
    throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', 400);
  return text.slice(3);
}
