import type { XmlTree } from './xml-config.js';

/**
 * S3 state as plain JSON-serialisable data. Buckets live in their owner's account; bucket names
 * are one global namespace, so lookups go across accounts. Object bodies are base64.
 */

/** What the S3 logic needs from the simulator: the virtual clock. */
export interface S3Deps {
  now(): Date;
  /** A new object version id (drawn from the simulator's seeded ids). */
  versionId?(): string;
}

/** An ACL grant (S3 `Grant`): a canonical user or a predefined group. */
export interface Grant {
  grantee: { type: 'CanonicalUser'; id: string } | { type: 'Group'; uri: string };
  permission: 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';
}

/** PublicAccessBlockConfiguration. */
export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

export interface S3Object {
  key: string;
  /** Base64 of the bytes. */
  body: string;
  size: number;
  /** Quoted hex MD5, as S3 returns it. */
  etag: string;
  contentType: string;
  lastModified: string;
  metadata: Record<string, string>;
  /** Checksums the writer supplied (algorithm in upper case → base64 value). */
  checksums: Record<string, string>;
  /** Account that wrote the object. */
  ownerAccount: string;
  /** SSE-C: the algorithm and the base64 MD5 of the customer's key (never the key). */
  sseC?: { algorithm: string; keyMd5: string };
  /** The version id once the bucket has had versioning (`null` for versions made before or while suspended). */
  versionId?: string;
}

/** A delete marker (versioned buckets): the key reads as absent while it is the latest version. */
export interface DeleteMarker {
  key: string;
  versionId: string;
  lastModified: string;
  ownerAccount: string;
  deleteMarker: true;
}

/** One version of a key: an object or a delete marker. */
export type ObjectVersion = S3Object | DeleteMarker;

export interface Bucket {
  name: string;
  region: string;
  creationDate: string;
  ownerAccount: string;
  acl: Grant[];
  ownership?: ObjectOwnership;
  publicAccessBlock?: PublicAccessBlock;
  policy?: string;
  tags?: { Key: string; Value: string }[];
  /** `Enabled` or `Suspended` once set. */
  versioning?: 'Enabled' | 'Suspended';
  /**
   * Every version of each key once the bucket has had versioning, newest first (as
   * ListObjectVersions lists them); `objects` keeps the latest when it is not a delete marker.
   */
  versions?: Record<string, ObjectVersion[]>;
  /** Configuration documents by root element (`ReplicationConfiguration`, `WebsiteConfiguration`…). */
  configs?: Record<string, XmlTree>;
  objects: Record<string, S3Object>;
  /** Multipart uploads in progress, by upload id. */
  uploads?: Record<string, MultipartUpload>;
}

/** A multipart upload in progress: parts kept until Complete or Abort. */
export interface MultipartUpload {
  key: string;
  initiated: string;
  initiatorAccount: string;
  contentType?: string;
  metadata: Record<string, string>;
  parts: Record<string, { etag: string; body: string; size: number }>;
}

/** One account's S3 slice. */
export interface S3AccountState {
  buckets: Record<string, Bucket>;
}

/** Every account's S3 slice (bucket names are global). */
export interface S3World {
  accounts: Record<string, S3AccountState>;
}

/** An empty S3 slice. */
export function emptyS3Account(): S3AccountState {
  return { buckets: {} };
}
