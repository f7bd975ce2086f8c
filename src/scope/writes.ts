import type { InventoryItem } from '../inventory/types.js';

/**
 * The CloudTrail write events that make (`create`) or change (`change`) each inventory type,
 * and the strings that name an item in those events (`refs`, default: id, name, ARN). Event
 * names are compared without the API-version suffix Lambda adds (`CreateFunction20150331`).
 * A create/update call (PutParameter, PutRule) is listed as both: the earliest one made it.
 */
export interface WriteDecl {
  create: string[];
  change: string[];
  refs?(item: InventoryItem): string[];
}

const str = (v: unknown): string[] => (typeof v === 'string' && v ? [v] : []);

export const WRITES: Record<string, WriteDecl> = {
  'AWS::IAM::User': {
    create: ['CreateUser'],
    change: [
      'AttachUserPolicy',
      'DetachUserPolicy',
      'PutUserPolicy',
      'DeleteUserPolicy',
      'PutUserPermissionsBoundary',
      'DeleteUserPermissionsBoundary',
      'AddUserToGroup',
      'RemoveUserFromGroup',
      'UpdateUser',
    ],
    refs: (i) => [i.id],
  },
  'AWS::IAM::AccessKey': { create: ['CreateAccessKey'], change: ['UpdateAccessKey'], refs: (i) => [i.id] },
  'AWS::IAM::LoginProfile': {
    create: ['CreateLoginProfile'],
    change: ['UpdateLoginProfile'],
    refs: (i) => [i.id],
  },
  'AWS::IAM::MFADevice': {
    create: ['CreateVirtualMFADevice', 'EnableMFADevice'],
    change: ['ResyncMFADevice'],
    refs: (i) => [i.id],
  },
  'AWS::IAM::SSHPublicKey': {
    create: ['UploadSSHPublicKey'],
    change: ['UpdateSSHPublicKey'],
    refs: (i) => [i.id],
  },
  'AWS::IAM::SigningCertificate': {
    create: ['UploadSigningCertificate'],
    change: ['UpdateSigningCertificate'],
    refs: (i) => [i.id],
  },
  'AWS::IAM::ServiceSpecificCredential': {
    create: ['CreateServiceSpecificCredential'],
    change: ['UpdateServiceSpecificCredential', 'ResetServiceSpecificCredential'],
    refs: (i) => [i.id],
  },
  'AWS::IAM::Group': {
    create: ['CreateGroup'],
    change: [
      'AttachGroupPolicy',
      'DetachGroupPolicy',
      'PutGroupPolicy',
      'DeleteGroupPolicy',
      'AddUserToGroup',
    ],
    refs: (i) => [i.id],
  },
  'AWS::IAM::Role': {
    create: ['CreateRole'],
    change: [
      'UpdateAssumeRolePolicy',
      'AttachRolePolicy',
      'DetachRolePolicy',
      'PutRolePolicy',
      'DeleteRolePolicy',
      'PutRolePermissionsBoundary',
      'DeleteRolePermissionsBoundary',
      'UpdateRole',
    ],
    refs: (i) => [i.id],
  },
  'AWS::IAM::ManagedPolicy': {
    create: ['CreatePolicy'],
    change: ['CreatePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicyVersion'],
    refs: (i) => [...str(i.arn)],
  },
  'AWS::IAM::OIDCProvider': {
    create: ['CreateOpenIDConnectProvider'],
    change: ['UpdateOpenIDConnectProviderThumbprint', 'AddClientIDToOpenIDConnectProvider'],
    refs: (i) => [i.id, ...str(i.data.url)],
  },
  'AWS::IAM::SAMLProvider': { create: ['CreateSAMLProvider'], change: ['UpdateSAMLProvider'] },
  'AWS::EC2::Instance': {
    create: ['RunInstances'],
    change: ['ModifyInstanceAttribute', 'StopInstances', 'StartInstances', 'AssociateIamInstanceProfile'],
    refs: (i) => [i.id],
  },
  'AWS::EC2::Volume': {
    create: ['CreateVolume'],
    change: ['AttachVolume', 'ModifyVolume'],
    refs: (i) => [i.id],
  },
  'AWS::EC2::Snapshot': {
    create: ['CreateSnapshot', 'CopySnapshot', 'CreateSnapshots'],
    change: ['ModifySnapshotAttribute', 'ResetSnapshotAttribute'],
    refs: (i) => [i.id],
  },
  'AWS::EC2::Image': {
    create: ['CreateImage', 'RegisterImage', 'CopyImage'],
    change: ['ModifyImageAttribute', 'ResetImageAttribute'],
    refs: (i) => [i.id],
  },
  'AWS::EC2::SecurityGroup': {
    create: ['CreateSecurityGroup'],
    change: [
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'RevokeSecurityGroupIngress',
      'ModifySecurityGroupRules',
    ],
    refs: (i) => [i.id],
  },
  'AWS::EC2::KeyPair': {
    create: ['CreateKeyPair', 'ImportKeyPair'],
    change: [],
    refs: (i) => [i.id, ...str(i.data.keyPairId)],
  },
  'AWS::EC2::LaunchTemplate': {
    create: ['CreateLaunchTemplate'],
    change: ['CreateLaunchTemplateVersion', 'ModifyLaunchTemplate'],
  },
  'AWS::EC2::SpotInstanceRequest': { create: ['RequestSpotInstances'], change: [], refs: (i) => [i.id] },
  'AWS::S3::Bucket': {
    create: ['CreateBucket'],
    change: [
      'PutBucketPolicy',
      'DeleteBucketPolicy',
      'PutBucketAcl',
      'PutBucketPublicAccessBlock',
      'DeleteBucketPublicAccessBlock',
      'PutBucketReplication',
      'DeleteBucketReplication',
      'PutBucketEncryption',
      'DeleteBucketEncryption',
      'PutBucketLogging',
      'PutBucketWebsite',
      'PutBucketVersioning',
      'PutBucketLifecycle',
      'PutBucketOwnershipControls',
    ],
    refs: (i) => [i.id],
  },
  'AWS::Lambda::Function': {
    create: ['CreateFunction'],
    change: [
      'UpdateFunctionCode',
      'UpdateFunctionConfiguration',
      'AddPermission',
      'RemovePermission',
      'CreateFunctionUrlConfig',
      'UpdateFunctionUrlConfig',
      'PublishVersion',
    ],
  },
  'AWS::Lambda::LayerVersion': {
    create: ['PublishLayerVersion'],
    change: ['AddLayerVersionPermission'],
    refs: (i) => [i.id, i.name],
  },
  'AWS::Lambda::EventSourceMapping': {
    create: ['CreateEventSourceMapping'],
    change: ['UpdateEventSourceMapping'],
    refs: (i) => [i.id],
  },
  'AWS::CloudFormation::Stack': { create: ['CreateStack'], change: ['UpdateStack'] },
  'AWS::CloudFormation::StackSet': {
    create: ['CreateStackSet'],
    change: ['UpdateStackSet', 'CreateStackInstances'],
  },
  'AWS::SecretsManager::Secret': {
    create: ['CreateSecret'],
    change: [
      'PutResourcePolicy',
      'DeleteResourcePolicy',
      'UpdateSecret',
      'PutSecretValue',
      'ReplicateSecretToRegions',
    ],
  },
  'AWS::KMS::Key': {
    create: ['CreateKey'],
    change: [
      'PutKeyPolicy',
      'CreateGrant',
      'DisableKey',
      'EnableKey',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
      'DisableKeyRotation',
    ],
  },
  'AWS::RDS::DBInstance': {
    create: ['CreateDBInstance', 'RestoreDBInstanceFromDBSnapshot', 'RestoreDBInstanceToPointInTime'],
    change: ['ModifyDBInstance', 'RebootDBInstance', 'StopDBInstance', 'StartDBInstance'],
    refs: (i) => [i.id],
  },
  // A snapshot is named by its identifier in the call that makes it (a copy's source may be an ARN).
  'AWS::RDS::DBSnapshot': {
    create: ['CreateDBSnapshot', 'CopyDBSnapshot'],
    change: ['ModifyDBSnapshotAttribute', 'ModifyDBSnapshot'],
    refs: (i) => [i.id],
  },
  'AWS::SSM::Parameter': { create: ['PutParameter'], change: ['PutParameter', 'LabelParameterVersion'] },
  'AWS::SSM::Document': {
    create: ['CreateDocument'],
    change: ['UpdateDocument', 'ModifyDocumentPermission', 'UpdateDocumentDefaultVersion'],
    refs: (i) => [i.id],
  },
  'AWS::SSM::Association': {
    create: ['CreateAssociation'],
    change: ['UpdateAssociation'],
    refs: (i) => [i.id],
  },
  'AWS::CloudTrail::Trail': {
    create: ['CreateTrail'],
    change: ['StopLogging', 'StartLogging', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors'],
  },
  'AWS::GuardDuty::Detector': {
    create: ['CreateDetector'],
    change: ['UpdateDetector', 'CreateFilter', 'CreateIPSet', 'CreateThreatIntelSet', 'UpdateFilter'],
    refs: (i) => [i.id],
  },
  'AWS::GuardDuty::Filter': { create: ['CreateFilter'], change: ['UpdateFilter'], refs: (i) => [i.id] },
  'AWS::GuardDuty::IPSet': { create: ['CreateIPSet'], change: ['UpdateIPSet'], refs: (i) => [i.id] },
  'AWS::GuardDuty::ThreatIntelSet': {
    create: ['CreateThreatIntelSet'],
    change: ['UpdateThreatIntelSet'],
    refs: (i) => [i.id],
  },
  'AWS::Events::Rule': {
    create: ['PutRule'],
    change: ['PutRule', 'PutTargets', 'RemoveTargets', 'EnableRule', 'DisableRule'],
  },
  'AWS::Events::EventBus': { create: ['CreateEventBus'], change: ['PutPermission', 'RemovePermission'] },
};

/**
 * Calls that turn logging or detection down (ATT&CK T1562.008): what they switched off is gone
 * or changed in the live state, so scope reads them from the events.
 */
export const LOGGING_CHANGES = [
  'StopLogging',
  'DeleteTrail',
  'UpdateTrail',
  'PutEventSelectors',
  'DeleteDetector',
  'UpdateDetector',
  'DeleteFlowLogs',
  'StopConfigurationRecorder',
  'DeleteConfigurationRecorder',
  'DeleteDeliveryChannel',
  'DisableSecurityHub',
  'DisableMacie',
  'DeleteModelInvocationLoggingConfiguration',
];

/** Every event name the attribution reads (the store is filtered on these). */
export function writeEventNames(): string[] {
  return [
    ...new Set([...Object.values(WRITES).flatMap((w) => [...w.create, ...w.change]), ...LOGGING_CHANGES]),
  ].sort();
}

/** The strings that name an item in its events. */
export function refsOf(item: InventoryItem): string[] {
  const decl = WRITES[item.type];
  const refs = decl?.refs ? decl.refs(item) : [item.id, item.name, ...str(item.arn)];
  return [...new Set(refs.filter((r) => r.length > 0))];
}

/** `CreateFunction20150331` → `CreateFunction`: Lambda suffixes its event names with the API version. */
export function baseEventName(name: string): string {
  return name.replace(/\d{8}(v\d+)?$/, '');
}
