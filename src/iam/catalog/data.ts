import type { ResourceType } from '../snapshot.js';

export type AccessLevel = 'read' | 'write' | 'delete' | 'manage';

export interface DataAccess {
  level: AccessLevel;
  /** Granted when the engine allows any of these. */
  check: string[];
  /** Evaluated on the bucket's objects (`bucket/*`), not the bucket. */
  object?: boolean;
  /** The events that use the access (could-vs-did), as the IAM actions they need (see `actionOfEvent`). */
  events: string[];
}

/**
 * Data a principal can reach, by resource type: what reading, writing, deleting and managing
 * (changing who else can reach it) means for each. `manage` is what turns a read into a leak
 * that outlives the credential (a bucket policy for another account, a key policy).
 */
export const DATA_ACCESS: Partial<Record<ResourceType, DataAccess[]>> = {
  'AWS::S3::Bucket': [
    { level: 'read', check: ['s3:GetObject'], object: true, events: ['s3:GetObject'] },
    { level: 'write', check: ['s3:PutObject'], object: true, events: ['s3:PutObject'] },
    {
      level: 'delete',
      check: ['s3:DeleteObject'],
      object: true,
      events: ['s3:DeleteObject', 's3:DeleteBucket'],
    },
    {
      level: 'manage',
      check: ['s3:PutBucketPolicy', 's3:PutBucketAcl'],
      events: ['s3:PutBucketPolicy', 's3:PutBucketAcl', 's3:DeleteBucketPolicy'],
    },
  ],
  'AWS::SecretsManager::Secret': [
    {
      level: 'read',
      check: ['secretsmanager:GetSecretValue'],
      events: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'],
    },
    {
      level: 'write',
      check: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret'],
      events: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecret'],
    },
    { level: 'delete', check: ['secretsmanager:DeleteSecret'], events: ['secretsmanager:DeleteSecret'] },
    {
      level: 'manage',
      check: ['secretsmanager:PutResourcePolicy'],
      events: ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy'],
    },
  ],
  'AWS::SSM::Parameter': [
    {
      level: 'read',
      check: ['ssm:GetParameter', 'ssm:GetParameters'],
      events: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
    },
    { level: 'write', check: ['ssm:PutParameter'], events: ['ssm:PutParameter'] },
    {
      level: 'delete',
      check: ['ssm:DeleteParameter'],
      events: ['ssm:DeleteParameter', 'ssm:DeleteParameters'],
    },
  ],
  'AWS::KMS::Key': [
    { level: 'read', check: ['kms:Decrypt'], events: ['kms:Decrypt', 'kms:GenerateDataKey'] },
    { level: 'write', check: ['kms:Encrypt', 'kms:ReEncryptTo'], events: ['kms:Encrypt', 'kms:ReEncryptTo'] },
    {
      level: 'delete',
      check: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
      events: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
    },
    {
      level: 'manage',
      check: ['kms:PutKeyPolicy', 'kms:CreateGrant'],
      events: ['kms:PutKeyPolicy', 'kms:CreateGrant'],
    },
  ],
  'AWS::SQS::Queue': [
    { level: 'read', check: ['sqs:ReceiveMessage'], events: ['sqs:ReceiveMessage'] },
    { level: 'write', check: ['sqs:SendMessage'], events: ['sqs:SendMessage'] },
    {
      level: 'delete',
      check: ['sqs:DeleteQueue', 'sqs:PurgeQueue'],
      events: ['sqs:DeleteQueue', 'sqs:PurgeQueue'],
    },
    {
      level: 'manage',
      check: ['sqs:SetQueueAttributes'],
      events: ['sqs:SetQueueAttributes', 'sqs:AddPermission'],
    },
  ],
  'AWS::SNS::Topic': [
    { level: 'read', check: ['sns:Subscribe'], events: ['sns:Subscribe'] },
    { level: 'write', check: ['sns:Publish'], events: ['sns:Publish'] },
    { level: 'delete', check: ['sns:DeleteTopic'], events: ['sns:DeleteTopic'] },
    {
      level: 'manage',
      check: ['sns:SetTopicAttributes'],
      events: ['sns:SetTopicAttributes', 'sns:AddPermission'],
    },
  ],
  'AWS::Lambda::Function': [
    { level: 'read', check: ['lambda:GetFunction'], events: ['lambda:GetFunction'] },
    {
      level: 'write',
      check: ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'],
      events: ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'],
    },
    { level: 'delete', check: ['lambda:DeleteFunction'], events: ['lambda:DeleteFunction'] },
    {
      level: 'manage',
      check: ['lambda:AddPermission', 'lambda:CreateFunctionUrlConfig'],
      events: ['lambda:AddPermission', 'lambda:CreateFunctionUrlConfig'],
    },
  ],
};
