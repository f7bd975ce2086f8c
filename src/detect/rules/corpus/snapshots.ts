import { call, times } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const SNAPSHOT = 'snap-0a1b2c3d4e5f67890';
const permission = (change: 'add' | 'remove', who: Record<string, unknown>) => ({
  snapshotId: SNAPSHOT,
  createVolumePermission: { [change]: { items: [who] } },
  attributeType: 'CREATE_VOLUME_PERMISSION',
});

/** Data theft through copies: snapshots, images, exports, backups. */
export const SNAPSHOT_SAMPLES: Sample[] = [
  fires(
    'ec2-snapshot-shared',
    'a snapshot shared with another account',
    call('ec2:ModifySnapshotAttribute', permission('add', { userId: '{FOREIGN}' })),
  ),
  fires(
    'ec2-snapshot-shared',
    'a snapshot made public',
    call('ec2:ModifySnapshotAttribute', permission('add', { group: 'all' })),
  ),
  quiet(
    'ec2-snapshot-shared',
    'a share removed',
    call('ec2:ModifySnapshotAttribute', permission('remove', { userId: '{FOREIGN}' })),
  ),
  fires(
    'ec2-ami-shared',
    'an image shared with another account',
    call('ec2:ModifyImageAttribute', {
      imageId: 'ami-0e2c8caa4b6378d8c',
      launchPermission: { add: { items: [{ userId: '{FOREIGN}' }] } },
      attributeType: 'launchPermission',
    }),
  ),
  quiet(
    'ec2-ami-shared',
    'an image’s description changed',
    call('ec2:ModifyImageAttribute', {
      imageId: 'ami-0e2c8caa4b6378d8c',
      description: { value: 'golden image 2025-03' },
    }),
  ),
  fires(
    'ebs-snapshot-copied-foreign-key',
    'a snapshot copied under another account’s KMS key',
    call('ec2:CopySnapshot', {
      sourceRegion: 'us-east-1',
      sourceSnapshotId: SNAPSHOT,
      encrypted: true,
      kmsKeyId: 'arn:aws:kms:us-east-1:{FOREIGN}:key/5e2a7c1b-3f4d-4a6b-9c8d-7e6f5a4b3c2d',
    }),
  ),
  quiet(
    'ebs-snapshot-copied-foreign-key',
    'a snapshot copied to another region under the account’s key',
    call(
      'ec2:CopySnapshot',
      {
        sourceRegion: 'us-east-1',
        sourceSnapshotId: SNAPSHOT,
        encrypted: true,
        kmsKeyId: 'arn:aws:kms:us-west-2:{ACCOUNT}:key/0b6e2c4d-1f3a-4e5b-8c7d-9a0b1c2d3e4f',
      },
      { region: 'us-west-2' },
    ),
  ),
  fires(
    'ebs-direct-read',
    'thirty snapshot blocks read in two minutes',
    times(30, (i) =>
      call(
        'ebs:GetSnapshotBlock',
        { snapshotId: SNAPSHOT, blockIndex: i, blockToken: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
        { at: i / 15 },
      ),
    ),
  ),
  quiet(
    'ebs-direct-read',
    'a backup tool listing the changed blocks once',
    call(
      'ebs:ListChangedBlocks',
      { firstSnapshotId: 'snap-0f1e2d3c4b5a69788', secondSnapshotId: SNAPSHOT },
      { as: 'AssumedRole' },
    ),
  ),
  fires(
    'ec2-snapshots-created-burst',
    'six volumes snapshotted in five minutes',
    times(6, (i) => call('ec2:CreateSnapshot', { volumeId: `vol-0a1b2c3d4e5f6789${i}` }, { at: i })),
  ),
  quiet(
    'ec2-snapshots-created-burst',
    'the nightly snapshot of one volume',
    call(
      'ec2:CreateSnapshot',
      { volumeId: 'vol-0a1b2c3d4e5f67890', description: 'nightly' },
      { as: 'AWSService', service: 'dlm.amazonaws.com' },
    ),
  ),
  fires(
    'ec2-image-exported',
    'an instance exported to S3',
    call('ec2:CreateInstanceExportTask', {
      instanceId: 'i-0abcd1234efgh5678',
      targetEnvironment: 'vmware',
      exportToS3: {
        diskImageFormat: 'VMDK',
        containerFormat: 'ova',
        s3Bucket: 'tmp-transfer-91',
        s3Prefix: 'x/',
      },
    }),
  ),
  quiet('ec2-image-exported', 'export tasks described', call('ec2:DescribeExportTasks', {})),
  fires(
    'dynamodb-export-foreign',
    'a table exported to another account’s bucket',
    call('dynamodb:ExportTableToPointInTime', {
      tableArn: 'arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/customers',
      s3Bucket: 'x-sync-91',
      s3BucketOwner: '{FOREIGN}',
      exportFormat: 'DYNAMODB_JSON',
    }),
  ),
  quiet(
    'dynamodb-export-foreign',
    'a table exported to the account’s analytics bucket',
    call('dynamodb:ExportTableToPointInTime', {
      tableArn: 'arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/customers',
      s3Bucket: 'analytics',
      s3BucketOwner: '{ACCOUNT}',
      exportFormat: 'ION',
    }),
  ),
  fires(
    'dynamodb-table-exported',
    'a table exported',
    call('dynamodb:ExportTableToPointInTime', {
      tableArn: 'arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders',
      s3Bucket: 'analytics',
    }),
  ),
  quiet('dynamodb-table-exported', 'exports listed', call('dynamodb:ListExports', {})),
  fires(
    'redshift-snapshot-shared',
    'a warehouse snapshot shared with another account',
    call('redshift:AuthorizeSnapshotAccess', {
      snapshotIdentifier: 'wh-2025-03-01',
      accountWithRestoreAccess: '{FOREIGN}',
    }),
  ),
  quiet(
    'redshift-snapshot-shared',
    'a share of a warehouse snapshot revoked',
    call('redshift:RevokeSnapshotAccess', {
      snapshotIdentifier: 'wh-2025-03-01',
      accountWithRestoreAccess: '{FOREIGN}',
    }),
  ),
  fires(
    'backup-copied-to-foreign-vault',
    'a recovery point copied to a vault of another account',
    call('backup:StartCopyJob', {
      recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f67890',
      sourceBackupVaultName: 'Default',
      destinationBackupVaultArn: 'arn:aws:backup:us-east-1:{FOREIGN}:backup-vault:x',
      iamRoleArn: 'arn:aws:iam::{ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole',
    }),
  ),
  quiet(
    'backup-copied-to-foreign-vault',
    'a recovery point copied to the account’s vault in another region',
    call('backup:StartCopyJob', {
      recoveryPointArn: 'arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f67890',
      sourceBackupVaultName: 'Default',
      destinationBackupVaultArn: 'arn:aws:backup:us-west-2:{ACCOUNT}:backup-vault:dr',
      iamRoleArn: 'arn:aws:iam::{ACCOUNT}:role/service-role/AWSBackupDefaultServiceRole',
    }),
  ),
];
