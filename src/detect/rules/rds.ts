import {
  SUCCEEDED,
  and,
  api,
  foreignAccount,
  grantsForeignAccount,
  matches,
  or,
  req,
  reqJson,
  reqNumber,
  resp,
} from '../sql.js';
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
// The accounts a restore share adds, without the account's own id: another account, or `all`.
const ADDED = `replace(coalesce(${reqJson('valuesToAdd')}, ''), '"' || recipientaccountid || '"', '')`;
const SHARED_OUT = matches(ADDED, '"(all|[0-9]{12})"');
const SHARE = and(
  api('rds', 'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'),
  `${req('attributeName')} = 'restore'`,
  SHARED_OUT,
);
// A KMS key opened to another account, by its policy or a grant: what lets it read a shared copy.
const KEY_OPENED = or(
  and(api('kms', 'PutKeyPolicy', 'CreateKey'), grantsForeignAccount('requestparameters')),
  and(api('kms', 'CreateGrant'), foreignAccount(req('granteePrincipal'))),
);

/**
 * The stages of an RDS theft, one value per call: a snapshot or a copy of one, a KMS key opened
 * to another account, the snapshot shared with another account or everyone, an export to S3.
 * Snapshots, copies and exports alone are what backups and analytics do every night: the share
 * and the key count only with an outside account in their parameters.
 */
const THEFT_STAGE = `CASE
  WHEN eventname IN ('CreateDBSnapshot', 'CreateDBClusterSnapshot', 'CopyDBSnapshot', 'CopyDBClusterSnapshot') THEN 'snapshot'
  WHEN eventname IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute') AND ${SHARE} THEN 'share'
  WHEN eventname = 'StartExportTask' THEN 'export'
  WHEN eventsource = 'kms.amazonaws.com' AND ${KEY_OPENED} THEN 'key'
END`;
const PUBLIC = or(`${req('publiclyAccessible')} = 'true'`, `${resp('publiclyAccessible')} = 'true'`);

/** RDS: databases made public, their snapshots shared, copied, exported and their guards removed. */
export const RDS_RULES = rules([
  {
    id: 'rds-exfil-campaign',
    title: 'RDS data theft: a database snapshotted, shared with another account or exported',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'critical',
    where: and(
      or(
        api(
          'rds',
          'CreateDBSnapshot',
          'CreateDBClusterSnapshot',
          'CopyDBSnapshot',
          'CopyDBClusterSnapshot',
          'ModifyDBSnapshotAttribute',
          'ModifyDBClusterSnapshotAttribute',
          'StartExportTask',
        ),
        api('kms', 'PutKeyPolicy', 'CreateKey', 'CreateGrant'),
      ),
      SUCCEEDED,
      `(${THEFT_STAGE}) IS NOT NULL`,
    ),
    threshold: { count: 3, withinMinutes: 60, distinct: THEFT_STAGE },
    explain:
      'Three stages of the RDS theft campaign by one actor within the hour (a snapshot or copy, a KMS key opened to another account, the snapshot shared with another account or everyone, an export to S3): a copy of the database is, or is about to be, readable outside the account. A snapshot encrypted with aws/rds cannot be shared, so thieves copy it under a key of their own first.',
    remediation:
      'Remove the restore share (evidence first), delete the attacker’s snapshots and copies in every region, name the export’s destination bucket and its owner, schedule the attacker’s KMS key for deletion, and treat the database as disclosed (GDPR/NIS2 clocks).',
  },
  {
    id: 'rds-snapshot-shared',
    title: 'RDS snapshot shared with another account or made public',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: SHARE,
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
    // Low alone: DR copies and analytics exports do the same every night; rds-exfil-campaign
    // rates the copy or export beside a share or a key opened to another account.
    severity: 'low',
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
    // Low alone: DR copies and analytics exports do the same every night; rds-exfil-campaign
    // rates the copy or export beside a share or a key opened to another account.
    severity: 'low',
    where: and(api('rds', 'StartExportTask'), SUCCEEDED),
    explain: 'The export writes the tables as Parquet files into a bucket, readable outside the database.',
    remediation: 'Check the bucket (s3BucketName) and its policy, and delete exports nobody planned.',
  },
]);
