import { createHash } from 'node:crypto';
import { noSuchBucket, s3Error } from './errors.js';
import type { Bucket, Grant, ObjectOwnership, PublicAccessBlock, S3Deps, S3World } from './model.js';
import { emptyS3Account } from './model.js';

/** Group URIs S3 uses in ACL grants. */
export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

/** An account's S3 canonical user id: 64 hex characters, stable per account. */
export function canonicalId(accountId: string): string {
  return createHash('sha256').update(`s3-canonical-user:${accountId}`).digest('hex');
}

/** The bucket by name in the global namespace, or NoSuchBucket. */
export function findBucket(world: S3World, name: string): Bucket {
  for (const account of Object.values(world.accounts)) {
    const bucket = account.buckets[name];
    if (bucket) return bucket;
  }
  throw noSuchBucket(name);
}

/** The bucket if it exists anywhere. */
export function bucketIfExists(world: S3World, name: string): Bucket | undefined {
  for (const account of Object.values(world.accounts)) {
    const bucket = account.buckets[name];
    if (bucket) return bucket;
  }
  return undefined;
}

/** Bucket naming rules for general purpose buckets (S3 UG, "Bucket naming rules"). */
function checkBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias');
  if (!ok)
    throw s3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
}

/** Grants of a canned ACL (S3 UG, "Canned ACL"). */
export function cannedGrants(canned: string, ownerAccount: string): Grant[] {
  const owner: Grant = {
    grantee: { type: 'CanonicalUser', id: canonicalId(ownerAccount) },
    permission: 'FULL_CONTROL',
  };
  const group = (uri: string, permission: Grant['permission']): Grant => ({
    grantee: { type: 'Group', uri },
    permission,
  });
  const table: Record<string, Grant[]> = {
    private: [owner],
    'public-read': [owner, group(ALL_USERS, 'READ')],
    'public-read-write': [owner, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')],
    'authenticated-read': [owner, group(AUTHENTICATED_USERS, 'READ')],
    'log-delivery-write': [owner, group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')],
    'bucket-owner-read': [owner],
    'bucket-owner-full-control': [owner],
  };
  const grants = Object.hasOwn(table, canned) ? table[canned] : undefined;
  if (!grants) throw s3Error('InvalidArgument', `Invalid canned ACL: ${canned}`, 400);
  return grants;
}

/** Whether grants open the bucket to everyone or to every AWS account. */
export function aclIsPublic(grants: Grant[]): boolean {
  return grants.some(
    (g) =>
      g.grantee.type === 'Group' && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED_USERS),
  );
}

/**
 * Whether a bucket policy is public in S3's sense: an Allow to `*` without conditions
 * (S3 UG, "The meaning of public"; a condition on aws:SourceIp or similar makes it non-public,
 * approximated here as any condition).
 */
export function policyIsPublic(policy: string): boolean {
  const doc = JSON.parse(policy) as { Statement?: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.some((raw) => {
    const s = raw as { Effect?: string; Principal?: unknown; Condition?: unknown };
    if (s?.Effect !== 'Allow' || s.Condition !== undefined) return false;
    const principal = s.Principal;
    if (principal === '*') return true;
    const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  });
}

const BLOCK_ALL: PublicAccessBlock = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

/** CreateBucket arguments. */
export interface CreateBucketInput {
  bucket: string;
  locationConstraint?: string;
  acl?: string;
  objectOwnership?: ObjectOwnership;
}

/**
 * CreateBucket. Since April 2023 new buckets have Block Public Access on and ACLs disabled
 * (BucketOwnerEnforced) unless the request says otherwise (S3 UG, "Default settings for new
 * buckets"). Without a LocationConstraint the bucket is in us-east-1, which only the us-east-1
 * endpoint accepts.
 */
export function createBucket(
  world: S3World,
  deps: S3Deps,
  callerAccount: string,
  requestRegion: string,
  input: CreateBucketInput,
): Bucket {
  checkBucketName(input.bucket);
  const existing = bucketIfExists(world, input.bucket);
  if (existing && existing.ownerAccount !== callerAccount) {
    throw s3Error(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      409,
      { BucketName: input.bucket },
    );
  }
  const region = bucketRegion(requestRegion, input.locationConstraint);
  if (existing) {
    // Legacy us-east-1 behaviour: re-creating your own bucket there succeeds and resets the ACL.
    if (existing.region === 'us-east-1' && region === 'us-east-1') {
      existing.acl = cannedGrants('private', callerAccount);
      return existing;
    }
    throw s3Error(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
      { BucketName: input.bucket },
    );
  }
  const ownership = input.objectOwnership ?? 'BucketOwnerEnforced';
  const canned = input.acl ?? 'private';
  const grants = cannedGrants(canned, callerAccount);
  if (canned !== 'private' && ownership === 'BucketOwnerEnforced') {
    throw s3Error(
      'InvalidBucketAclWithObjectOwnership',
      "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
      400,
    );
  }
  if (aclIsPublic(grants)) {
    throw s3Error(
      'InvalidBucketAclWithBlockPublicAccessError',
      'Bucket cannot have public ACLs set with BlockPublicAccess enabled',
      400,
    );
  }
  const bucket: Bucket = {
    name: input.bucket,
    region,
    creationDate: deps.now().toISOString(),
    ownerAccount: callerAccount,
    acl: grants,
    ownership,
    publicAccessBlock: { ...BLOCK_ALL },
    objects: {},
  };
  let account = world.accounts[callerAccount];
  if (!account) {
    account = emptyS3Account();
    world.accounts[callerAccount] = account;
  }
  account.buckets[bucket.name] = bucket;
  return bucket;
}

function bucketRegion(requestRegion: string, constraint: string | undefined): string {
  if (constraint === undefined || constraint === '') {
    if (requestRegion !== 'us-east-1') {
      throw s3Error(
        'IllegalLocationConstraintException',
        'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
        400,
      );
    }
    return 'us-east-1';
  }
  if (constraint === 'us-east-1') {
    throw s3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, {
      LocationConstraint: constraint,
    });
  }
  const region = constraint === 'EU' ? 'eu-west-1' : constraint;
  if (requestRegion !== 'us-east-1' && region !== requestRegion) {
    throw s3Error(
      'IllegalLocationConstraintException',
      `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    );
  }
  return region;
}

/** DeleteBucket: only when empty. */
export function deleteBucket(world: S3World, name: string): void {
  const bucket = findBucket(world, name);
  // Versions and delete markers count too (S3 UG, "Deleting a bucket").
  if (Object.keys(bucket.objects).length > 0 || Object.keys(bucket.versions ?? {}).length > 0) {
    throw s3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: name });
  }
  delete world.accounts[bucket.ownerAccount]?.buckets[name];
}

/** ListBuckets: the caller's own buckets in every region, by name. */
export function listBuckets(
  world: S3World,
  callerAccount: string,
  input: { prefix?: string; bucketRegion?: string; maxBuckets?: number; continuationToken?: string } = {},
): { buckets: Bucket[]; continuationToken?: string } {
  const all = Object.values(world.accounts[callerAccount]?.buckets ?? {})
    .filter(
      (b) =>
        (input.prefix === undefined || b.name.startsWith(input.prefix)) &&
        (!input.bucketRegion || b.region === input.bucketRegion),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const after = input.continuationToken
    ? Buffer.from(input.continuationToken, 'base64url').toString()
    : undefined;
  const rest = after === undefined ? all : all.filter((b) => b.name > after);
  if (input.maxBuckets === undefined || rest.length <= input.maxBuckets) return { buckets: rest };
  const page = rest.slice(0, input.maxBuckets);
  return { buckets: page, continuationToken: Buffer.from(page[page.length - 1]!.name).toString('base64url') };
}

/** PutBucketAcl with a canned ACL or explicit grants. */
export function putBucketAcl(world: S3World, name: string, grants: Grant[]): void {
  const bucket = findBucket(world, name);
  if (bucket.ownership === 'BucketOwnerEnforced') {
    throw s3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);
  }
  if (aclIsPublic(grants) && bucket.publicAccessBlock?.BlockPublicAcls) {
    throw s3Error('AccessDenied', 'Access Denied', 403);
  }
  bucket.acl = grants;
}

/** PutBucketPolicy: valid JSON, and not public while BlockPublicPolicy is on. */
export function putBucketPolicy(world: S3World, name: string, policy: string): void {
  const bucket = findBucket(world, name);
  let isPublic: boolean;
  try {
    if (!policy.trimStart().startsWith('{')) throw new Error('not an object');
    isPublic = policyIsPublic(policy);
  } catch {
    // Any parse failure is the caller's malformed document.
    throw s3Error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400);
  }
  if (isPublic && bucket.publicAccessBlock?.BlockPublicPolicy) {
    throw s3Error('AccessDenied', 'Access Denied', 403);
  }
  bucket.policy = policy;
}

/** GetBucketPolicy, or NoSuchBucketPolicy. */
export function getBucketPolicy(world: S3World, name: string): string {
  const bucket = findBucket(world, name);
  if (bucket.policy === undefined) {
    throw s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: name });
  }
  return bucket.policy;
}

/** GetPublicAccessBlock, or NoSuchPublicAccessBlockConfiguration. */
export function getPublicAccessBlock(world: S3World, name: string): PublicAccessBlock {
  const bucket = findBucket(world, name);
  if (!bucket.publicAccessBlock) {
    throw s3Error(
      'NoSuchPublicAccessBlockConfiguration',
      'The public access block configuration was not found',
      404,
      { BucketName: name },
    );
  }
  return bucket.publicAccessBlock;
}

/** GetBucketOwnershipControls, or OwnershipControlsNotFoundError. */
export function getOwnership(world: S3World, name: string): ObjectOwnership {
  const bucket = findBucket(world, name);
  if (!bucket.ownership) {
    throw s3Error('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', 404, {
      BucketName: name,
    });
  }
  return bucket.ownership;
}

/** GetBucketTagging, or NoSuchTagSet. */
export function getBucketTagging(world: S3World, name: string): { Key: string; Value: string }[] {
  const bucket = findBucket(world, name);
  if (!bucket.tags?.length)
    throw s3Error('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: name });
  return bucket.tags;
}
