import type { SimHttpRequest } from '../../core/http.js';
import type { RouteMatch } from '../../core/service.js';

type Method = 'GET' | 'PUT' | 'DELETE' | 'HEAD' | 'POST';

/**
 * Bucket sub-resources (query keys) → operation per method; the first key present wins. The
 * entry under '' is the plain bucket operation.
 */
const BUCKET_ROUTES: Record<Method, [string, string][]> = {
  GET: [
    ['acl', 'GetBucketAcl'],
    ['policyStatus', 'GetBucketPolicyStatus'],
    ['policy', 'GetBucketPolicy'],
    ['publicAccessBlock', 'GetPublicAccessBlock'],
    ['location', 'GetBucketLocation'],
    ['tagging', 'GetBucketTagging'],
    ['ownershipControls', 'GetBucketOwnershipControls'],
    ['versioning', 'GetBucketVersioning'],
    ['replication', 'GetBucketReplication'],
    ['encryption', 'GetBucketEncryption'],
    ['logging', 'GetBucketLogging'],
    ['website', 'GetBucketWebsite'],
    ['lifecycle', 'GetBucketLifecycleConfiguration'],
    ['versions', 'ListObjectVersions'],
    ['list-type', 'ListObjectsV2'],
    ['', 'ListObjects'],
  ],
  PUT: [
    ['acl', 'PutBucketAcl'],
    ['policy', 'PutBucketPolicy'],
    ['publicAccessBlock', 'PutPublicAccessBlock'],
    ['tagging', 'PutBucketTagging'],
    ['ownershipControls', 'PutBucketOwnershipControls'],
    ['versioning', 'PutBucketVersioning'],
    ['replication', 'PutBucketReplication'],
    ['encryption', 'PutBucketEncryption'],
    ['logging', 'PutBucketLogging'],
    ['website', 'PutBucketWebsite'],
    ['lifecycle', 'PutBucketLifecycleConfiguration'],
    ['', 'CreateBucket'],
  ],
  DELETE: [
    ['policy', 'DeleteBucketPolicy'],
    ['publicAccessBlock', 'DeletePublicAccessBlock'],
    ['tagging', 'DeleteBucketTagging'],
    ['ownershipControls', 'DeleteBucketOwnershipControls'],
    ['replication', 'DeleteBucketReplication'],
    ['encryption', 'DeleteBucketEncryption'],
    ['website', 'DeleteBucketWebsite'],
    ['lifecycle', 'DeleteBucketLifecycle'],
    ['', 'DeleteBucket'],
  ],
  HEAD: [['', 'HeadBucket']],
  POST: [['delete', 'DeleteObjects']],
};

const OBJECT_ROUTES: Record<Method, [string, string][]> = {
  GET: [['', 'GetObject']],
  PUT: [
    ['uploadId', 'UploadPart'],
    ['', 'PutObject'],
  ],
  DELETE: [
    ['uploadId', 'AbortMultipartUpload'],
    ['', 'DeleteObject'],
  ],
  HEAD: [['', 'HeadObject']],
  POST: [
    ['uploads', 'CreateMultipartUpload'],
    ['uploadId', 'CompleteMultipartUpload'],
  ],
};

/** Sub-resources the simulator does not implement: answered with S3's NotImplemented. */
const UNSUPPORTED = ['cors'];

/** Object sub-resources not implemented (object ACLs, tags, attributes…). */
const OBJECT_SUBRESOURCES = ['acl', 'tagging', 'attributes', 'retention', 'legal-hold', 'torrent', 'restore'];

/** Bucket and key of a request: virtual-host (`bucket.localhost`) or path style (`/bucket/key`). */
export function bucketAndKey(req: SimHttpRequest): { bucket?: string; key?: string } {
  const path = req.path.startsWith('/') ? req.path.slice(1) : req.path;
  if (req.virtualBucket) return { bucket: req.virtualBucket, ...(path ? { key: path } : {}) };
  if (!path) return {};
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: path };
  const key = path.slice(slash + 1);
  return { bucket: path.slice(0, slash), ...(key ? { key } : {}) };
}

/** S3 routing: method + bucket/key + sub-resource query keys → operation. */
export function routeS3(req: SimHttpRequest): RouteMatch | undefined {
  const method = req.method as Method;
  const { bucket, key } = bucketAndKey(req);
  if (!bucket) return method === 'GET' ? { operation: 'ListBuckets' } : undefined;
  const present = new Set(req.query.entries().map(([k]) => k));
  if (UNSUPPORTED.some((name) => present.has(name))) return undefined;
  // Bucket-level upload listings and UploadPartCopy are not implemented.
  if (key === undefined && present.has('uploads')) return undefined;
  if (key !== undefined && req.headers['x-amz-copy-source'] && present.has('uploadId')) return undefined;
  if (key !== undefined && req.headers['x-amz-copy-source'] && method === 'PUT') {
    return { operation: 'CopyObject', pathParams: { Bucket: bucket, Key: key } };
  }
  if (key !== undefined && OBJECT_SUBRESOURCES.some((name) => present.has(name))) return undefined;
  const table = key === undefined ? BUCKET_ROUTES[method] : OBJECT_ROUTES[method];
  // GET ?uploadId on an object is ListParts: not implemented.
  if (key !== undefined && method === 'GET' && present.has('uploadId')) return undefined;
  const match = table?.find(([sub]) => sub === '' || present.has(sub));
  if (!match) return undefined;
  return { operation: match[1], pathParams: { Bucket: bucket, ...(key !== undefined ? { Key: key } : {}) } };
}
