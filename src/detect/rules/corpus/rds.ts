import { call, times } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const instance = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  dBInstanceIdentifier: id,
  dBInstanceClass: 'db.r6g.large',
  engine: 'postgres',
  dBInstanceStatus: 'available',
  masterUsername: 'postgres',
  publiclyAccessible: false,
  dBInstanceArn: `arn:aws:rds:us-east-1:{ACCOUNT}:db:${id}`,
  pendingModifiedValues: {},
  ...extra,
});

const SNAP = 'arn:aws:rds:us-east-1:{ACCOUNT}:snapshot';
const KEY = 'arn:aws:kms:eu-west-1:{ACCOUNT}:key/5d1f0c2e-7a4b-4c3d-9e8f-1a2b3c4d5e6f';
const snapshot = (id: string, at: number, as?: 'AssumedRole') =>
  call(
    'rds:CreateDBSnapshot',
    { dBInstanceIdentifier: 'orders-prod', dBSnapshotIdentifier: id },
    { at, ...(as ? { as } : {}) },
  );
const exportTask = (source: string, bucket: string, at: number, as?: 'AssumedRole') =>
  call(
    'rds:StartExportTask',
    {
      exportTaskIdentifier: `${bucket}-${at}`,
      sourceArn: source,
      s3BucketName: bucket,
      iamRoleArn: 'arn:aws:iam::{ACCOUNT}:role/rds-s3-export',
      kmsKeyId: KEY,
    },
    { at, region: source.split(':')[3], ...(as ? { as } : {}) },
  );
const share = (id: string, change: Record<string, string[]>, at: number, as?: 'AssumedRole') =>
  call(
    'rds:ModifyDBSnapshotAttribute',
    { dBSnapshotIdentifier: id, attributeName: 'restore', ...change },
    { at, region: 'eu-west-1', ...(as ? { as } : {}) },
  );

/** The theft campaign as stages by one actor; near misses are nightly backups and analytics exports. */
const THEFT_SAMPLES: Sample[] = [
  fires(
    'rds-exfil-campaign',
    'snapshot, key opened to an outside account, copy under it, copy shared with that account, export',
    snapshot('orders-maint', 0),
    call(
      'kms:PutKeyPolicy',
      {
        keyId: KEY,
        policyName: 'default',
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::{ACCOUNT}:root' },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::{FOREIGN}:root' },
              Action: 'kms:Decrypt',
              Resource: '*',
            },
          ],
        }),
      },
      { at: 6, region: 'eu-west-1' },
    ),
    call(
      'rds:CopyDBSnapshot',
      {
        sourceDBSnapshotIdentifier: `${SNAP}:orders-maint`,
        targetDBSnapshotIdentifier: 'orders-maint-dr',
        kmsKeyId: KEY,
      },
      { at: 8, region: 'eu-west-1' },
    ),
    share('orders-maint-dr', { valuesToAdd: ['{FOREIGN}'] }, 30),
    exportTask('arn:aws:rds:eu-west-1:{ACCOUNT}:snapshot:orders-maint-dr', 'dr-drop-4471', 35),
  ),
  fires(
    'rds-exfil-campaign',
    'an unencrypted snapshot made public and exported',
    snapshot('orders-tmp', 0),
    share('orders-tmp', { valuesToAdd: ['all'] }, 4),
    exportTask(`${SNAP}:orders-tmp`, 'tmp-transfer-91', 9),
  ),
  quiet(
    'rds-exfil-campaign',
    'the nightly backup: snapshot, copy to the DR region, export to the analytics lake',
    snapshot('orders-nightly', 0, 'AssumedRole'),
    call(
      'rds:CopyDBSnapshot',
      {
        sourceDBSnapshotIdentifier: `${SNAP}:orders-nightly`,
        targetDBSnapshotIdentifier: 'orders-nightly-dr',
        kmsKeyId: KEY,
      },
      { at: 10, region: 'eu-west-1', as: 'AssumedRole' },
    ),
    exportTask(`${SNAP}:orders-nightly`, 'acme-analytics-lake', 20, 'AssumedRole'),
  ),
  quiet(
    'rds-exfil-campaign',
    'a snapshot made, an old share withdrawn, the snapshot exported to the lake',
    snapshot('orders-audit', 0, 'AssumedRole'),
    share('orders-audit', { valuesToRemove: ['{FOREIGN}'] }, 3, 'AssumedRole'),
    exportTask(`${SNAP}:orders-audit`, 'acme-analytics-lake', 10, 'AssumedRole'),
  ),
];

/** RDS (rds.amazonaws.com records: camelCase parameters with the service's `dB` prefix). */
export const RDS_SAMPLES: Sample[] = [
  fires(
    'rds-snapshot-shared',
    'a manual snapshot shared with an outside account',
    call('rds:ModifyDBSnapshotAttribute', {
      dBSnapshotIdentifier: 'orders-2025-03-01',
      attributeName: 'restore',
      valuesToAdd: ['{FOREIGN}'],
    }),
  ),
  quiet(
    'rds-snapshot-shared',
    'the share withdrawn again',
    call('rds:ModifyDBSnapshotAttribute', {
      dBSnapshotIdentifier: 'orders-2025-03-01',
      attributeName: 'restore',
      valuesToRemove: ['{FOREIGN}'],
    }),
  ),
  fires(
    'rds-instance-made-public',
    'an existing instance switched to publicly accessible',
    call(
      'rds:ModifyDBInstance',
      { dBInstanceIdentifier: 'orders-db', publiclyAccessible: true, applyImmediately: true },
      { response: instance('orders-db'), as: 'AssumedRole' },
    ),
  ),
  quiet(
    'rds-instance-made-public',
    'an already public reporting replica resized (the response shows it public, the request does not change it)',
    call(
      'rds:ModifyDBInstance',
      { dBInstanceIdentifier: 'reports-db', dBInstanceClass: 'db.r6g.xlarge', applyImmediately: false },
      { response: instance('reports-db', { publiclyAccessible: true }) },
    ),
  ),
  fires(
    'rds-public-restore',
    'a snapshot restored as a public instance',
    call(
      'rds:RestoreDBInstanceFromDBSnapshot',
      {
        dBInstanceIdentifier: 'restore-x',
        dBSnapshotIdentifier: 'orders-2025-03-01',
        publiclyAccessible: true,
      },
      { response: instance('restore-x', { publiclyAccessible: true, dBInstanceStatus: 'creating' }) },
    ),
  ),
  quiet(
    'rds-public-restore',
    'a restore drill into a private subnet group',
    call(
      'rds:RestoreDBInstanceFromDBSnapshot',
      {
        dBInstanceIdentifier: 'restore-drill',
        dBSnapshotIdentifier: 'orders-2025-03-01',
        dBSubnetGroupName: 'private-db',
        publiclyAccessible: false,
      },
      { response: instance('restore-drill', { dBInstanceStatus: 'creating' }) },
    ),
  ),
  fires(
    'rds-deletion-protection-disabled',
    'deletion protection removed from a cluster',
    call(
      'rds:ModifyDBCluster',
      { dBClusterIdentifier: 'billing', deletionProtection: false, applyImmediately: true },
      { as: 'Root' },
    ),
  ),
  quiet(
    'rds-deletion-protection-disabled',
    'deletion protection turned on',
    call('rds:ModifyDBCluster', { dBClusterIdentifier: 'billing', deletionProtection: true }),
  ),
  fires(
    'rds-master-password-changed',
    'the master password reset (CloudTrail masks it, the pending value shows it)',
    call(
      'rds:ModifyDBInstance',
      { dBInstanceIdentifier: 'orders-db', masterUserPassword: '****', applyImmediately: true },
      { response: instance('orders-db', { pendingModifiedValues: { masterUserPassword: '****' } }) },
    ),
  ),
  quiet(
    'rds-master-password-changed',
    'the maintenance window moved',
    call(
      'rds:ModifyDBInstance',
      { dBInstanceIdentifier: 'orders-db', preferredMaintenanceWindow: 'sun:03:00-sun:04:00' },
      { response: instance('orders-db') },
    ),
  ),
  fires(
    'rds-backups-disabled',
    'backup retention set to 0',
    call('rds:ModifyDBInstance', { dBInstanceIdentifier: 'orders-db', backupRetentionPeriod: 0 }),
  ),
  quiet(
    'rds-backups-disabled',
    'backup retention raised to 14 days',
    call('rds:ModifyDBInstance', { dBInstanceIdentifier: 'orders-db', backupRetentionPeriod: 14 }),
  ),
  fires(
    'rds-deleted-without-snapshot',
    'an instance deleted, final snapshot skipped, automated backups deleted',
    call('rds:DeleteDBInstance', {
      dBInstanceIdentifier: 'orders-db',
      skipFinalSnapshot: true,
      deleteAutomatedBackups: true,
    }),
  ),
  quiet(
    'rds-deleted-without-snapshot',
    'a test instance deleted with a final snapshot',
    call('rds:DeleteDBInstance', {
      dBInstanceIdentifier: 'test-db',
      skipFinalSnapshot: false,
      finalDBSnapshotIdentifier: 'test-db-final',
    }),
  ),
  fires(
    'rds-snapshots-deleted',
    'four snapshots deleted in a row',
    times(4, (i) =>
      call('rds:DeleteDBSnapshot', { dBSnapshotIdentifier: `orders-2025-02-0${i + 1}` }, { at: i * 2 }),
    ),
  ),
  quiet(
    'rds-snapshots-deleted',
    'the weekly clean-up removing one expired snapshot, a second attempt refused',
    call('rds:DeleteDBSnapshot', { dBSnapshotIdentifier: 'orders-2025-01-01' }),
    call(
      'rds:DeleteDBSnapshot',
      { dBSnapshotIdentifier: 'rds:orders-2025-01-02' },
      {
        at: 1,
        error: ['InvalidDBSnapshotState', 'Cannot delete automated snapshot rds:orders-2025-01-02'],
      },
    ),
  ),
  fires(
    'rds-snapshot-copied-cross-region',
    'a snapshot copied from eu-west-1 into ap-southeast-3',
    call(
      'rds:CopyDBSnapshot',
      {
        sourceDBSnapshotIdentifier: 'arn:aws:rds:eu-west-1:{ACCOUNT}:snapshot:orders-2025-03-01',
        targetDBSnapshotIdentifier: 'orders-copy',
        sourceRegion: 'eu-west-1',
      },
      { region: 'ap-southeast-3' },
    ),
  ),
  quiet(
    'rds-snapshot-copied-cross-region',
    'a manual copy of an automated snapshot in the same region',
    call('rds:CopyDBSnapshot', {
      sourceDBSnapshotIdentifier: 'rds:orders-db-2025-03-01-03-10',
      targetDBSnapshotIdentifier: 'orders-keep-2025-03',
    }),
  ),
  fires(
    'rds-snapshot-copied-foreign-key',
    'a snapshot re-encrypted with a KMS key of another account',
    call('rds:CopyDBSnapshot', {
      sourceDBSnapshotIdentifier: 'orders-2025-03-01',
      targetDBSnapshotIdentifier: 'orders-x',
      kmsKeyId: 'arn:aws:kms:us-east-1:{FOREIGN}:key/7f3c2a10-8b1e-4c55-9a6e-0d2f9e1b4c11',
    }),
  ),
  quiet(
    'rds-snapshot-copied-foreign-key',
    'a snapshot re-encrypted with the account’s own key',
    call('rds:CopyDBSnapshot', {
      sourceDBSnapshotIdentifier: 'orders-2025-03-01',
      targetDBSnapshotIdentifier: 'orders-cmk',
      kmsKeyId: 'arn:aws:kms:us-east-1:{ACCOUNT}:key/0b6e2c4d-1f3a-4e5b-8c7d-9a0b1c2d3e4f',
    }),
  ),
  fires(
    'rds-snapshot-exported',
    'a snapshot exported to S3',
    call(
      'rds:StartExportTask',
      {
        exportTaskIdentifier: 'export-1',
        sourceArn: 'arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:orders-2025-03-01',
        s3BucketName: 'tmp-transfer-91',
        iamRoleArn: 'arn:aws:iam::{ACCOUNT}:role/rds-export',
        kmsKeyId: 'arn:aws:kms:us-east-1:{ACCOUNT}:key/0b6e2c4d-1f3a-4e5b-8c7d-9a0b1c2d3e4f',
      },
      { as: 'FederatedUser' },
    ),
  ),
  quiet(
    'rds-snapshot-exported',
    'an export attempt the caller was not allowed to start',
    call(
      'rds:StartExportTask',
      { exportTaskIdentifier: 'export-2', sourceArn: 'arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:orders' },
      {
        error: [
          'AccessDenied',
          'User: arn:aws:iam::{ACCOUNT}:user/analyst is not authorized to perform: rds:StartExportTask',
        ],
      },
    ),
  ),
  ...THEFT_SAMPLES,
];
