import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
  type GetBucketAclCommandOutput,
} from '@aws-sdk/client-s3';
import { item, parsePolicy } from '../item.js';
import type { ListContext, ListerDef } from '../types.js';

/** GetBucketLocation answers null (or "EU") for the two oldest locations. */
function regionOf(constraint: string | undefined | null): string {
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

type Grant = { grantee: string; permission: string | undefined };

/** ACL grants in a responder's words: `AllUsers`, `AuthenticatedUsers`, an account's canonical id. */
function grantsOf(out: GetBucketAclCommandOutput): Grant[] {
  return (out.Grants ?? []).map((g) => ({
    grantee:
      g.Grantee?.URI?.replace(/^.*\/groups\/(global\/)?/, '') ??
      g.Grantee?.ID ??
      g.Grantee?.EmailAddress ??
      '?',
    permission: g.Permission,
  }));
}

/**
 * Buckets, listed once (ListBuckets is global), each read in its own region: policy, ACL,
 * public access block, replication, encryption, logging, website and versioning.
 */
export const s3Lister: ListerDef = {
  id: 's3.buckets',
  service: 's3',
  scope: 'global',
  async list(ctx) {
    const home = ctx.pool.get(S3Client, ctx.region);
    const listed = await ctx.read('list', () => home.send(new ListBucketsCommand({})));
    const owner = listed?.Owner?.ID;
    return Promise.all(
      (listed?.Buckets ?? []).map(async (b) => {
        const Bucket = b.Name ?? '';
        const location = await ctx.read('location', () =>
          home.send(new GetBucketLocationCommand({ Bucket })),
        );
        const region = location === undefined ? ctx.region : regionOf(location?.LocationConstraint);
        const s3 = ctx.pool.get(S3Client, region);
        const here: ListContext = { ...ctx, region };
        const [policy, acl, block, replication, encryption, logging, website, versioning] = await Promise.all(
          [
            here.read('policy', () => s3.send(new GetBucketPolicyCommand({ Bucket }))),
            here.read('acl', () => s3.send(new GetBucketAclCommand({ Bucket }))),
            here.read('public-access-block', () => s3.send(new GetPublicAccessBlockCommand({ Bucket }))),
            here.read('replication', () => s3.send(new GetBucketReplicationCommand({ Bucket }))),
            here.read('encryption', () => s3.send(new GetBucketEncryptionCommand({ Bucket }))),
            here.read('logging', () => s3.send(new GetBucketLoggingCommand({ Bucket }))),
            here.read('website', () => s3.send(new GetBucketWebsiteCommand({ Bucket }))),
            here.read('versioning', () => s3.send(new GetBucketVersioningCommand({ Bucket }))),
          ],
        );
        return item(here, {
          type: 'AWS::S3::Bucket',
          id: Bucket,
          name: Bucket,
          arn: `arn:aws:s3:::${Bucket}`,
          createdAt: b.CreationDate,
          data: {
            ownerCanonicalId: owner,
            policy: policy === undefined ? undefined : parsePolicy(policy?.Policy),
            acl: acl === undefined ? undefined : acl === null ? null : grantsOf(acl),
            publicAccessBlock:
              block === undefined ? undefined : (block?.PublicAccessBlockConfiguration ?? null),
            replication:
              replication === undefined
                ? undefined
                : (replication?.ReplicationConfiguration?.Rules ?? []).map((r) => ({
                    status: r.Status,
                    destination: r.Destination?.Bucket,
                    account: r.Destination?.Account,
                  })),
            encryption:
              encryption === undefined
                ? undefined
                : (encryption?.ServerSideEncryptionConfiguration?.Rules ?? []).map(
                    (r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
                  ),
            logging: logging === undefined ? undefined : (logging?.LoggingEnabled?.TargetBucket ?? null),
            website:
              website === undefined ? undefined : website !== null && website.IndexDocument !== undefined,
            versioning: versioning === undefined ? undefined : (versioning?.Status ?? 'Disabled'),
          },
        });
      }),
    );
  },
};
