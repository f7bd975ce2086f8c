import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListKeysCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { item, listPages, parsePolicy } from '../item.js';
import type { InventoryItem, ListerDef } from '../types.js';

/**
 * The account's own KMS keys (AWS-managed keys are AWS's: left out) with their key policy: a key
 * made during the incident whose policy admits another account is how a stolen snapshot copy is
 * opened elsewhere.
 */
export const KMS_LISTER: ListerDef = {
  id: 'kms.keys',
  service: 'kms',
  scope: 'regional',
  async list(ctx) {
    const kms = ctx.pool.get(KMSClient, ctx.region);
    const keys = await listPages(
      ctx,
      'list',
      (t) => kms.send(new ListKeysCommand({ Marker: t })),
      (o) => [o.Keys, o.NextMarker],
    );
    const out: InventoryItem[] = [];
    for (const k of keys ?? []) {
      const meta: KeyMetadata | undefined = (
        await ctx.read('describe', () => kms.send(new DescribeKeyCommand({ KeyId: k.KeyId })))
      )?.KeyMetadata;
      if (!meta || meta.KeyManager === 'AWS') continue;
      const policy = await ctx.read('policy', () =>
        kms.send(new GetKeyPolicyCommand({ KeyId: meta.KeyId, PolicyName: 'default' })),
      );
      out.push(
        item(ctx, {
          type: 'AWS::KMS::Key',
          id: meta.KeyId ?? k.KeyId ?? '',
          name: meta.KeyId ?? k.KeyId ?? '',
          arn: meta.Arn ?? k.KeyArn,
          createdAt: meta.CreationDate,
          data: {
            state: meta.KeyState,
            description: meta.Description || undefined,
            deletionDate: meta.DeletionDate?.toISOString(),
            policy: policy === undefined ? undefined : parsePolicy(policy?.Policy),
          },
        }),
      );
    }
    return out;
  },
};

/**
 * RDS databases and the manual snapshots of them (automated ones belong to the instance's
 * backups), each snapshot with the accounts its `restore` attribute admits (`all` is public).
 */
export const RDS_LISTERS: ListerDef[] = [
  {
    id: 'rds.instances',
    service: 'rds',
    scope: 'regional',
    async list(ctx) {
      const rds = ctx.pool.get(RDSClient, ctx.region);
      const instances = await listPages(
        ctx,
        'list',
        (t) => rds.send(new DescribeDBInstancesCommand({ Marker: t })),
        (o) => [o.DBInstances, o.Marker],
      );
      return (instances ?? []).map((d) =>
        item(ctx, {
          type: 'AWS::RDS::DBInstance',
          id: d.DBInstanceIdentifier ?? '',
          name: d.DBInstanceIdentifier ?? '',
          arn: d.DBInstanceArn,
          createdAt: d.InstanceCreateTime,
          data: {
            engine: d.Engine,
            instanceClass: d.DBInstanceClass,
            status: d.DBInstanceStatus,
            publiclyAccessible: d.PubliclyAccessible,
            deletionProtection: d.DeletionProtection,
            storageEncrypted: d.StorageEncrypted,
          },
        }),
      );
    },
  },
  {
    id: 'rds.snapshots',
    service: 'rds',
    scope: 'regional',
    async list(ctx) {
      const rds = ctx.pool.get(RDSClient, ctx.region);
      const snapshots = await listPages(
        ctx,
        'list',
        (t) => rds.send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', Marker: t })),
        (o) => [o.DBSnapshots, o.Marker],
      );
      return Promise.all(
        (snapshots ?? []).map(async (s) => {
          const attributes = await ctx.read('attributes', () =>
            rds.send(
              new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: s.DBSnapshotIdentifier }),
            ),
          );
          const restore = attributes?.DBSnapshotAttributesResult?.DBSnapshotAttributes?.find(
            (a) => a.AttributeName === 'restore',
          );
          return item(ctx, {
            type: 'AWS::RDS::DBSnapshot',
            id: s.DBSnapshotIdentifier ?? '',
            name: s.DBSnapshotIdentifier ?? '',
            arn: s.DBSnapshotArn,
            createdAt: s.SnapshotCreateTime,
            data: {
              instance: s.DBInstanceIdentifier,
              encrypted: s.Encrypted,
              kmsKeyId: s.KmsKeyId,
              sourceSnapshot: s.SourceDBSnapshotIdentifier,
              sharedWith: attributes === undefined ? undefined : (restore?.AttributeValues ?? []),
            },
          });
        }),
      );
    },
  },
];
