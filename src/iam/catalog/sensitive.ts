import type { ResourceType } from '../snapshot.js';

/**
 * What a sensitive action acts on: an IAM entity of the principal's account, a resource of the
 * snapshot (`object` for S3 object-level actions on a bucket's objects), or any resource of the
 * action's type (the snapshot does not list instances, stacks, detectors…).
 */
export type TargetKind = 'user' | 'group' | 'role' | 'policy' | 'any' | ResourceType;

export interface SensitiveAction {
  action: string;
  on: TargetKind;
  /** S3 object-level action: evaluated on the bucket's objects (`bucket/*`). */
  object?: boolean;
  /** For `any`: which of the action's resource types stands for it (default: its first required one). */
  type?: string;
  /** What an attacker does with it, in a responder's words. */
  why: string;
}

const a = (action: string, on: TargetKind, why: string, object = false): SensitiveAction =>
  object ? { action, on, why, object } : { action, on, why };
const anyOf = (action: string, type: string, why: string): SensitiveAction => ({
  action,
  on: 'any',
  type,
  why,
});

/**
 * The dangerous actions, per service: persistence, privilege escalation, data theft, defence
 * evasion and costly abuse (the playbook's list, MITRE ATT&CK for IaaS, Stratus Red Team). Not
 * every action AWS has: those a responder must know the credential could still perform.
 */
export const SENSITIVE_ACTIONS: SensitiveAction[] = [
  // IAM: persistence and escalation.
  a('iam:CreateUser', 'any', 'create a backdoor user'),
  a('iam:CreateAccessKey', 'user', 'mint a key for a user'),
  a('iam:CreateLoginProfile', 'user', 'give a user a console password'),
  a('iam:UpdateLoginProfile', 'user', "change a user's console password"),
  a('iam:DeactivateMFADevice', 'user', "remove a user's MFA"),
  a('iam:AttachUserPolicy', 'user', 'attach any managed policy to a user'),
  a('iam:PutUserPolicy', 'user', 'write an inline policy on a user'),
  a('iam:DeleteUserPermissionsBoundary', 'user', "lift a user's permissions boundary"),
  a('iam:AddUserToGroup', 'group', 'add a user to a group'),
  a('iam:AttachGroupPolicy', 'group', 'attach any managed policy to a group'),
  a('iam:PutGroupPolicy', 'group', 'write an inline policy on a group'),
  a('iam:CreateRole', 'any', 'create a role (e.g. trusting an outside account)'),
  a('iam:AttachRolePolicy', 'role', 'attach any managed policy to a role'),
  a('iam:PutRolePolicy', 'role', 'write an inline policy on a role'),
  a('iam:UpdateAssumeRolePolicy', 'role', "rewrite a role's trust (let an outside account in)"),
  a('iam:DeleteRolePermissionsBoundary', 'role', "lift a role's permissions boundary"),
  a('iam:PassRole', 'role', 'hand a role to a service (code runs with its permissions)'),
  a('iam:CreatePolicyVersion', 'policy', 'rewrite a managed policy (new default version)'),
  a('iam:SetDefaultPolicyVersion', 'policy', 'switch a managed policy to another version'),
  a('iam:CreateOpenIDConnectProvider', 'any', 'trust an outside identity provider'),
  a('iam:CreateSAMLProvider', 'any', 'trust an outside SAML identity provider'),
  a('iam:UpdateAccountPasswordPolicy', 'any', 'weaken the password policy'),
  // STS: sessions that outlive the key.
  a('sts:GetFederationToken', 'any', 'mint federation sessions (up to 36 h) that outlive the key'),
  a('sts:GetSessionToken', 'any', 'mint session tokens (up to 36 h) that outlive the key'),
  // S3: data and its exposure.
  a('s3:GetObject', 'AWS::S3::Bucket', 'read objects', true),
  a('s3:PutObject', 'AWS::S3::Bucket', 'write or overwrite objects', true),
  a('s3:DeleteObject', 'AWS::S3::Bucket', 'delete objects', true),
  a('s3:PutBucketPolicy', 'AWS::S3::Bucket', 'open the bucket to another account or everyone'),
  a('s3:PutBucketAcl', 'AWS::S3::Bucket', 'grant access through the ACL'),
  a('s3:PutBucketPublicAccessBlock', 'AWS::S3::Bucket', 'lift the public access block'),
  a('s3:DeleteBucket', 'AWS::S3::Bucket', 'delete the bucket'),
  a('s3:PutReplicationConfiguration', 'AWS::S3::Bucket', 'copy every new object elsewhere'),
  a('s3:PutLifecycleConfiguration', 'AWS::S3::Bucket', 'expire (delete) every object'),
  // Secrets Manager, SSM, KMS.
  a('secretsmanager:GetSecretValue', 'AWS::SecretsManager::Secret', 'read the secret'),
  a('secretsmanager:PutResourcePolicy', 'AWS::SecretsManager::Secret', 'open the secret to another account'),
  a('secretsmanager:DeleteSecret', 'AWS::SecretsManager::Secret', 'delete the secret'),
  a('ssm:GetParameter', 'AWS::SSM::Parameter', 'read the parameter'),
  a('ssm:PutParameter', 'AWS::SSM::Parameter', 'overwrite the parameter'),
  anyOf('ssm:SendCommand', 'instance', 'run commands on managed instances (as their role)'),
  anyOf('ssm:StartSession', 'instance', 'open a shell on managed instances'),
  a('kms:Decrypt', 'AWS::KMS::Key', 'decrypt data under the key'),
  a('kms:PutKeyPolicy', 'AWS::KMS::Key', 'hand the key to another account'),
  a('kms:CreateGrant', 'AWS::KMS::Key', 'grant use of the key'),
  a('kms:ScheduleKeyDeletion', 'AWS::KMS::Key', 'destroy the key (and the data under it)'),
  // Lambda.
  a('lambda:CreateFunction', 'any', 'run code (with a passed role)'),
  a('lambda:UpdateFunctionCode', 'AWS::Lambda::Function', "replace a function's code (runs as its role)"),
  a('lambda:AddPermission', 'AWS::Lambda::Function', 'let another account or everyone invoke it'),
  a('lambda:CreateFunctionUrlConfig', 'AWS::Lambda::Function', 'expose the function on a public URL'),
  a('lambda:UpdateFunctionConfiguration', 'AWS::Lambda::Function', 'change its environment and layers'),
  a('lambda:InvokeFunction', 'AWS::Lambda::Function', 'invoke the function'),
  // EC2: compute abuse, persistence, exposure.
  anyOf('ec2:RunInstances', 'instance', 'launch instances (mining, with a passed role)'),
  a('ec2:ModifyInstanceAttribute', 'any', "change an instance's user data or role"),
  a('ec2:ImportKeyPair', 'any', 'plant an SSH key pair'),
  a('ec2:AuthorizeSecurityGroupIngress', 'any', 'open a security group'),
  a('ec2:ModifySnapshotAttribute', 'any', 'share a volume snapshot with another account'),
  a('ec2:ModifyImageAttribute', 'any', 'share an AMI with another account'),
  a('ec2:CreateSnapshot', 'any', "copy a volume's data"),
  // Defence evasion.
  a('cloudtrail:StopLogging', 'any', 'stop the trail'),
  a('cloudtrail:DeleteTrail', 'any', 'delete the trail'),
  a('cloudtrail:PutEventSelectors', 'any', 'narrow what the trail records'),
  a('guardduty:DeleteDetector', 'any', 'switch GuardDuty off'),
  a('guardduty:CreateFilter', 'any', 'auto-archive GuardDuty findings'),
  a('guardduty:UpdateDetector', 'any', 'disable GuardDuty'),
  a('config:StopConfigurationRecorder', 'any', 'stop AWS Config recording'),
  a('logs:DeleteLogGroup', 'any', 'delete logs'),
  // Organisation and infrastructure.
  a('organizations:LeaveOrganization', 'any', 'leave the organisation (and its SCPs)'),
  a('cloudformation:CreateStack', 'any', 'deploy a stack (with a passed role)'),
  a('cloudformation:CreateStackSet', 'any', 'deploy to other accounts and regions'),
  a('events:PutTargets', 'any', 'send events (and data) to another account or a new function'),
  a('glue:CreateDevEndpoint', 'any', 'run code with a passed role'),
];
