import { SUCCEEDED, and, api, foreignAccount, matches, or, req, reqNumber, resp } from '../sql.js';
import { rules } from './types.js';

const MODIFY = api('rds', 'ModifyDBInstance', 'ModifyDBCluster');
const RESTORE = api(
  'rds',
  'RestoreDBInstanceFromDBSnapshot',
  'RestoreDBInstanceToPointInTime',
  'RestoreDBInstanceFromS3',
  'RestoreDBClusterFromSnapshot',
  'RestoreDBClusterToPointInTime',
);
const COPY = api('rds', 'CopyDBSnapshot', 'CopyDBClusterSnapshot');
const SOURCE_SNAPSHOT = `coalesce(${req('sourceDBSnapshotIdentifier')}, ${req('sourceDBClusterSnapshotIdentifier')})`;
const PUBLIC = or(`${req('publiclyAccessible')} = 'true'`, `${resp('publiclyAccessible')} = 'true'`);

/** RDS: databases made public, their snapshots shared, copied, exported and their guards removed. */
export const RDS_RULES = rules([
  {
    id: 'rds-snapshot-shared',
    title: 'RDS snapshot shared with another account or made public',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(
      api('rds', 'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'),
      `${req('attributeName')} = 'restore'`,
      matches('requestparameters', '"valuesToAdd"\\s*:\\s*\\[\\s*"'),
    ),
    explain: 'The database copy can be restored by the other account.',
    remediation: 'Remove the restore permission and treat the data as disclosed.',
  },
  {
    id: 'rds-instance-made-public',
    title: 'RDS instance created or modified as publicly accessible',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    // The request only: a response lists the current setting, public already or not.
    where: and(
      api('rds', 'CreateDBInstance', 'ModifyDBInstance'),
      SUCCEEDED,
      `${req('publiclyAccessible')} = 'true'`,
    ),
    explain: 'The database now answers on a public address, to anyone its security groups admit.',
    remediation: 'Set PubliclyAccessible to false and check the security groups and the master password.',
  },
  {
    id: 'rds-public-restore',
    title: 'Database restored from a snapshot as publicly accessible',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(RESTORE, SUCCEEDED, PUBLIC),
    explain: 'A copy of the data now runs on a public endpoint, a way to read it from outside.',
    remediation: 'Delete the restored instance (snapshot it first as evidence) and review who connected.',
  },
  {
    id: 'rds-deletion-protection-disabled',
    title: 'RDS deletion protection turned off',
    category: 'impact',
    technique: 'T1485',
    tactic: 'impact',
    severity: 'medium',
    where: and(MODIFY, `${req('deletionProtection')} = 'false'`),
    explain: 'Deletion protection is the last guard before a database can be deleted.',
    remediation: 'Turn deletion protection back on and confirm the change with the database owner.',
  },
  {
    id: 'rds-master-password-changed',
    title: 'RDS master password reset',
    category: 'persistence',
    technique: 'T1098',
    tactic: 'persistence',
    severity: 'medium',
    where: and(
      MODIFY,
      or(
        `${req('masterUserPassword')} IS NOT NULL`,
        `${resp('pendingModifiedValues.masterUserPassword')} IS NOT NULL`,
      ),
    ),
    explain: 'Whoever reset the master password can log in to the database with full rights.',
    remediation: 'Reset the password again (or hand it to Secrets Manager) and review database logins.',
  },
  {
    id: 'rds-backups-disabled',
    title: 'RDS automated backups turned off',
    category: 'impact',
    technique: 'T1490',
    tactic: 'impact',
    severity: 'high',
    where: and(MODIFY, `${reqNumber('backupRetentionPeriod')} = 0`),
    explain: 'A retention period of 0 deletes the automated backups and stops new ones.',
    remediation: 'Set the retention period back and check that manual snapshots still exist.',
  },
  {
    id: 'rds-deleted-without-snapshot',
    title: 'Database deleted without a final snapshot',
    category: 'impact',
    technique: 'T1485',
    tactic: 'impact',
    // Medium: infrastructure-as-code teardowns of test resources do the same (Terraform in the Invictus hour).
    severity: 'medium',
    where: and(api('rds', 'DeleteDBInstance', 'DeleteDBCluster'), `${req('skipFinalSnapshot')} = 'true'`),
    explain: 'The database is gone and no final snapshot was kept.',
    remediation: 'Restore from the latest automated backup or snapshot before it expires.',
  },
  {
    id: 'rds-snapshots-deleted',
    title: 'Several RDS snapshots deleted',
    category: 'impact',
    technique: 'T1490',
    tactic: 'impact',
    severity: 'medium',
    where: and(api('rds', 'DeleteDBSnapshot', 'DeleteDBClusterSnapshot'), SUCCEEDED),
    threshold: { count: 3, withinMinutes: 30 },
    explain: 'Removing snapshots in a row destroys the restore points before an attack on the data.',
    remediation: 'Check AWS Backup vaults and other regions for copies, and lock them.',
  },
  {
    id: 'rds-snapshot-copied-cross-region',
    title: 'RDS snapshot copied to another region',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'medium',
    where: and(
      COPY,
      SUCCEEDED,
      or(
        `${req('sourceRegion')} IS NOT NULL AND ${req('sourceRegion')} <> awsregion`,
        `${SOURCE_SNAPSHOT} LIKE 'arn:%' AND split_part(${SOURCE_SNAPSHOT}, ':', 4) <> awsregion`,
      ),
    ),
    explain: 'A copy of the database now lives in a region the team may not watch.',
    remediation: 'List the snapshots in the target region and delete copies nobody planned.',
  },
  {
    id: 'rds-snapshot-copied-foreign-key',
    title: 'RDS snapshot copied under another account’s KMS key',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(COPY, foreignAccount(req('kmsKeyId'))),
    explain: 'A snapshot encrypted with an outside key can be read by that key’s owner once shared.',
    remediation: 'Delete the copy and look for a share of it (ModifyDBSnapshotAttribute).',
  },
  {
    id: 'rds-snapshot-exported',
    title: 'RDS snapshot exported to S3',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'medium',
    where: and(api('rds', 'StartExportTask'), SUCCEEDED),
    explain: 'The export writes the tables as Parquet files into a bucket, readable outside the database.',
    remediation: 'Check the bucket (s3BucketName) and its policy, and delete exports nobody planned.',
  },
]);
