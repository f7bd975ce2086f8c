import type { XmlValue } from '../../core/protocols/xml.js';
import { canonicalId } from './buckets.js';
import type { Bucket, Grant, S3Object } from './model.js';
import { encryptionHeaders } from './sse-c.js';

/** The S3 response namespace. */
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/** RFC 7231 date for Last-Modified headers. */
export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/** S3 writes timestamps in listings with milliseconds (`2026-05-01T09:30:00.000Z`). */
export function s3Time(iso: string): string {
  return new Date(iso).toISOString();
}

/** `<Owner><ID>…</ID></Owner>` (display names are no longer returned by S3). */
export function ownerXml(accountId: string): { ID: string } {
  return { ID: canonicalId(accountId) };
}

function granteeXml(grant: Grant): Record<string, XmlValue> {
  return grant.grantee.type === 'CanonicalUser'
    ? { '@xmlns:xsi': XSI, '@xsi:type': 'CanonicalUser', ID: grant.grantee.id }
    : { '@xmlns:xsi': XSI, '@xsi:type': 'Group', URI: grant.grantee.uri };
}

/** GetBucketAcl body. */
export function aclXml(bucket: Bucket): Record<string, XmlValue> {
  return {
    AccessControlPolicy: {
      '@xmlns': S3_NS,
      Owner: ownerXml(bucket.ownerAccount),
      AccessControlList: {
        Grant: bucket.acl.map((g) => ({ Grantee: granteeXml(g), Permission: g.permission })),
      },
    },
  };
}

/** With `encoding-type=url`, S3 URL-encodes keys and prefixes in listings (the CLI always asks). */
export function encoder(encodingType: string | undefined): (value: string) => string {
  if (encodingType !== 'url') return (value) => value;
  return (value) => encodeURIComponent(value).replaceAll('%2F', '/');
}

/** One `<Contents>` entry. */
export function contentsXml(
  object: S3Object,
  encode: (v: string) => string,
  withOwner: boolean,
): Record<string, XmlValue> {
  return {
    Key: encode(object.key),
    LastModified: s3Time(object.lastModified),
    ETag: object.etag,
    ...(Object.keys(object.checksums).length ? { ChecksumAlgorithm: Object.keys(object.checksums) } : {}),
    Size: object.size,
    ...(withOwner ? { Owner: ownerXml(object.ownerAccount) } : {}),
    StorageClass: 'STANDARD',
  };
}

/** Headers describing an object (GetObject, HeadObject). */
export function objectHeaders(object: S3Object, checksumMode: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': httpDate(object.lastModified),
    'accept-ranges': 'bytes',
    ...encryptionHeaders(object),
    ...(object.versionId !== undefined ? { 'x-amz-version-id': object.versionId } : {}),
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  if (checksumMode) {
    for (const [algorithm, value] of Object.entries(object.checksums)) {
      headers[`x-amz-checksum-${algorithm.toLowerCase()}`] = value;
    }
  }
  return headers;
}
