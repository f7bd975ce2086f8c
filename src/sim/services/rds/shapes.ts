import { namedList, type XmlValue } from '../../core/protocols/xml.js';
import { exportStatus, type RdsExport, type RdsInstance, type RdsSnapshot } from './model.js';

const tags = (list: { Key: string; Value: string }[]): XmlValue =>
  namedList(
    'Tag',
    list.map((t) => ({ Key: t.Key, Value: t.Value })),
  );

/** The DBInstance shape (the members the simulator keeps). */
export function dbInstance(i: RdsInstance): XmlValue {
  return {
    DBInstanceIdentifier: i.id,
    DBInstanceClass: i.instanceClass,
    Engine: i.engine,
    DBInstanceStatus: 'available',
    MasterUsername: i.masterUsername,
    DBName: i.dbName,
    Endpoint: {
      Address: `${i.id}.c${i.resourceId.slice(3, 13).toLowerCase()}.${i.region}.rds.amazonaws.com`,
      Port: i.port,
      HostedZoneId: 'Z2R2ITUGPM61AM',
    },
    AllocatedStorage: i.allocatedStorage,
    InstanceCreateTime: new Date(i.createdAt),
    PreferredBackupWindow: '03:00-03:30',
    BackupRetentionPeriod: 7,
    VpcSecurityGroups: namedList('VpcSecurityGroupMembership', []),
    AvailabilityZone: `${i.region}a`,
    PreferredMaintenanceWindow: 'sun:05:00-sun:05:30',
    PendingModifiedValues: {},
    MultiAZ: false,
    EngineVersion: i.engineVersion,
    AutoMinorVersionUpgrade: true,
    LicenseModel: i.engine.startsWith('postgres') ? 'postgresql-license' : 'general-public-license',
    PubliclyAccessible: i.publiclyAccessible,
    StorageType: 'gp3',
    DbInstancePort: 0,
    StorageEncrypted: i.storageEncrypted,
    KmsKeyId: i.kmsKeyId,
    DbiResourceId: i.resourceId,
    CopyTagsToSnapshot: false,
    DBInstanceArn: i.arn,
    IAMDatabaseAuthenticationEnabled: false,
    DeletionProtection: i.deletionProtection,
    TagList: tags(i.tags),
  };
}

/** The DBSnapshot shape. */
export function dbSnapshot(s: RdsSnapshot): XmlValue {
  return {
    DBSnapshotIdentifier: s.id,
    DBInstanceIdentifier: s.instanceId,
    SnapshotCreateTime: new Date(s.createdAt),
    Engine: s.engine,
    AllocatedStorage: s.allocatedStorage,
    Status: 'available',
    Port: s.port,
    AvailabilityZone: `${s.region}a`,
    InstanceCreateTime: new Date(s.instanceCreatedAt),
    MasterUsername: s.masterUsername,
    EngineVersion: s.engineVersion,
    LicenseModel: s.engine.startsWith('postgres') ? 'postgresql-license' : 'general-public-license',
    SnapshotType: s.type,
    PercentProgress: 100,
    SourceRegion: s.sourceRegion,
    SourceDBSnapshotIdentifier: s.sourceSnapshotArn,
    StorageType: 'gp3',
    Encrypted: s.encrypted,
    KmsKeyId: s.kmsKeyId,
    DBSnapshotArn: s.arn,
    IAMDatabaseAuthenticationEnabled: false,
    DbiResourceId: s.resourceId,
    TagList: tags(s.tags),
    OriginalSnapshotCreateTime: new Date(s.createdAt),
    SnapshotTarget: 'region',
  };
}

/** DBSnapshotAttributesResult: the `restore` attribute (shared accounts, or `all`). */
export function snapshotAttributes(s: RdsSnapshot): XmlValue {
  return {
    DBSnapshotIdentifier: s.id,
    DBSnapshotAttributes: namedList('DBSnapshotAttribute', [
      { AttributeName: 'restore', AttributeValues: namedList('AttributeValue', s.restore) },
    ]),
  };
}

/** The ExportTask shape at `now`. */
export function exportTask(e: RdsExport, now: Date): XmlValue {
  const st = exportStatus(e, now);
  return {
    ExportTaskIdentifier: e.id,
    SourceArn: e.sourceArn,
    ExportOnly: e.exportOnly.length ? e.exportOnly : undefined,
    SnapshotTime: new Date(e.snapshotTime),
    TaskStartTime: new Date(e.startedAt),
    TaskEndTime: st.endedAt,
    S3Bucket: e.bucket,
    S3Prefix: e.prefix || undefined,
    IamRoleArn: e.iamRoleArn,
    KmsKeyId: e.kmsKeyId,
    Status: st.status,
    PercentProgress: st.percent,
    TotalExtractedDataInGB: st.status === 'COMPLETE' ? Math.max(1, Math.round(e.snapshotGb * 0.4)) : 0,
    SourceType: 'SNAPSHOT',
  };
}
