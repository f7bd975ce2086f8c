import {
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  S3Client,
  type Grant,
  type Owner,
  type _Object,
} from '@aws-sdk/client-s3';
import { collectAll } from '../../aws/paginate.js';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, removal, restoration } from './declare.js';
import { restoreResourcePolicy } from './resource-policy.js';

/** S3 answers from the bucket's own region (GetBucketLocation: null means us-east-1). */
export async function s3For(pool: ClientPool, p: StepParams): Promise<S3Client> {
  if (p.region) return pool.get(S3Client, p.region);
  const out = await pool.get(S3Client, 'us-east-1').send(new GetBucketLocationCommand({ Bucket: p.bucket }));
  const region = out.LocationConstraint || 'us-east-1';
  return pool.get(S3Client, region === 'EU' ? 'eu-west-1' : region);
}

/** The bucket's client, or undefined when the bucket is gone (HeadBucket 404 is `NotFound`). */
export function bucketExists(pool: ClientPool, p: StepParams): Promise<S3Client | undefined> {
  return readOrAbsent(async () => {
    const s3 = await s3For(pool, p);
    await s3.send(new HeadBucketCommand({ Bucket: p.bucket }));
    return s3;
  });
}

interface BucketRecord {
  bucket: string;
  versioning: string | undefined;
  objects: {
    key: string;
    size: number | undefined;
    etag: string | undefined;
    lastModified: string | undefined;
  }[];
  policy: string | null;
}

const listing = (o: _Object) => ({
  key: o.Key ?? '',
  size: o.Size,
  etag: o.ETag,
  lastModified: o.LastModified?.toISOString(),
});

/**
 * Empty and delete a bucket the attacker created, once its object listing and policy are kept.
 * A versioned bucket is refused: its old versions and delete markers need ListObjectVersions,
 * which is not done here; the plan says so.
 */
export const deleteBucket = removal<BucketRecord>({
  name: 'delete-bucket',
  summary: 'keep the object listing and policy, then empty and delete a bucket the attacker created',
  irreversibleBecause: 'deleted objects and buckets cannot be restored; the listing is in the evidence',
  target: (p) => p.bucket ?? '?',
  async read(pool, p) {
    const s3 = await bucketExists(pool, p);
    if (!s3) return undefined;
    const versioning = (await s3.send(new GetBucketVersioningCommand({ Bucket: p.bucket }))).Status;
    const first: { Bucket: string | undefined; ContinuationToken?: string } = { Bucket: p.bucket };
    const objects = await collectAll({
      send: (i: typeof first) => s3.send(new ListObjectsV2Command(i)),
      input: first,
      inputToken: 'ContinuationToken',
      nextToken: (page) => (page.IsTruncated ? page.NextContinuationToken : undefined),
      items: (page) => page.Contents,
    });
    const policy = await readOrAbsent(() => s3.send(new GetBucketPolicyCommand({ Bucket: p.bucket })));
    return {
      state: { bucket: p.bucket!, versioning, objects: objects.map(listing), policy: policy?.Policy ?? null },
    };
  },
  summarize: (b) => ({ bucket: b.bucket, versioning: b.versioning, objects: b.objects.length }),
  refuse: (b) =>
    b.versioning === 'Enabled' || b.versioning === 'Suspended'
      ? `versioning is ${b.versioning}: delete the old versions and delete markers by hand (aws s3api list-object-versions), then plan again`
      : undefined,
  describe: (b) =>
    `keep the listing of ${b.objects.length} object(s) and the policy, delete them, delete the bucket`,
  async preserve(_pool, p, b, context) {
    const objects = await context.keep('objects.json', asJson(b.objects), `s3:ListObjectsV2 ${p.bucket}`);
    const policy =
      b.policy === null
        ? null
        : await context.keep('bucket-policy.json', b.policy, `s3:GetBucketPolicy ${p.bucket}`);
    return { objects, policy };
  },
  async remove(pool, p, b) {
    const s3 = await s3For(pool, p);
    // DeleteObjects takes at most 1,000 keys a call.
    for (let i = 0; i < b.objects.length; i += 1000) {
      const out = await s3.send(
        new DeleteObjectsCommand({
          Bucket: p.bucket,
          Delete: { Objects: b.objects.slice(i, i + 1000).map((o) => ({ Key: o.key })), Quiet: true },
        }),
      );
      if (out.Errors?.length)
        throw new Error(
          `could not delete ${out.Errors.length} object(s) of ${p.bucket}: ${out.Errors[0]?.Code ?? ''} ${out.Errors[0]?.Message ?? ''}`,
        );
    }
    await readOrAbsent(() => s3.send(new DeleteBucketCommand({ Bucket: p.bucket })));
  },
});

/** Put back a bucket policy the attacker replaced (or delete one the attacker added). */
export const restoreBucketPolicy = restoreResourcePolicy({
  name: 'restore-bucket-policy',
  what: 'bucket',
  target: (p) => p.bucket ?? '?',
  async read(pool, p) {
    if (!(await bucketExists(pool, p))) return undefined;
    const s3 = await s3For(pool, p);
    const out = await readOrAbsent(() => s3.send(new GetBucketPolicyCommand({ Bucket: p.bucket })));
    return out?.Policy ?? null;
  },
  put: async (pool, p, text) =>
    (await s3For(pool, p)).send(new PutBucketPolicyCommand({ Bucket: p.bucket, Policy: text })),
  remove: async (pool, p) => (await s3For(pool, p)).send(new DeleteBucketPolicyCommand({ Bucket: p.bucket })),
});

const PUBLIC_GROUPS = [
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
];

interface Acl {
  owner: Owner | undefined;
  grants: Grant[];
}

/** Grants beyond the owner's own: the public groups, other accounts, e-mail grantees. */
function foreignGrants(acl: Acl): Grant[] {
  return acl.grants.filter((g) => {
    const who = g.Grantee;
    if (!who) return false;
    if (who.Type === 'Group') return PUBLIC_GROUPS.includes(who.URI ?? '');
    if (who.Type === 'CanonicalUser') return who.ID !== acl.owner?.ID;
    return true;
  });
}

/** Take the grants the attacker added out of a bucket ACL (the public groups, other accounts). */
export const restoreBucketAcl = restoration<Acl>({
  name: 'restore-bucket-acl',
  summary: 'keep the ACL, then remove the grants to the public or to other accounts from a bucket that stays',
  target: (p) => p.bucket ?? '?',
  async read(pool, p) {
    const s3 = await bucketExists(pool, p);
    if (!s3) return undefined;
    const out = await s3.send(new GetBucketAclCommand({ Bucket: p.bucket }));
    return { owner: out.Owner, grants: out.Grants ?? [] };
  },
  restored: (acl) => foreignGrants(acl).length === 0,
  describe: (acl) =>
    `keep the ACL, remove ${foreignGrants(acl).length} grant(s) to the public or other accounts`,
  evidence: (acl) => [{ file: 'bucket-acl.json', content: asJson(acl) }],
  async write(pool, p, acl) {
    const foreign = new Set(foreignGrants(acl));
    const kept = acl.grants.filter((g) => !foreign.has(g));
    await (
      await s3For(pool, p)
    ).send(
      new PutBucketAclCommand({ Bucket: p.bucket, AccessControlPolicy: { Owner: acl.owner, Grants: kept } }),
    );
    return { removed: foreign.size };
  },
  async undo(pool, step, before) {
    await (
      await s3For(pool, step.params)
    ).send(
      new PutBucketAclCommand({
        Bucket: step.params.bucket,
        AccessControlPolicy: { Owner: before.owner, Grants: before.grants },
      }),
    );
    return { restored: 'the ACL as it was before this step' };
  },
});
