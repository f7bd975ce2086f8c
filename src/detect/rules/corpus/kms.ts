import { call } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const KEY = 'arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const policy = (principal: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::{ACCOUNT}:root' },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'Use',
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: ['kms:Decrypt', 'kms:DescribeKey'],
        Resource: '*',
      },
    ],
  });

export const KMS_SAMPLES: Sample[] = [
  fires(
    'kms-key-deletion',
    'a key scheduled for deletion in 7 days',
    call(
      'kms:ScheduleKeyDeletion',
      { keyId: KEY, pendingWindowInDays: 7 },
      {
        response: {
          keyId: KEY,
          deletionDate: 'Mar 10, 2025, 8:00:00 AM',
          keyState: 'PendingDeletion',
          pendingWindowInDays: 7,
        },
      },
    ),
  ),
  quiet(
    'kms-key-deletion',
    'a scheduled deletion cancelled',
    call('kms:CancelKeyDeletion', { keyId: KEY }, { response: { keyId: KEY } }),
  ),
  fires(
    'kms-key-policy-opened',
    'the key policy gives another account kms:Decrypt',
    call('kms:PutKeyPolicy', {
      keyId: KEY,
      policyName: 'default',
      policy: policy('arn:aws:iam::{FOREIGN}:root'),
      bypassPolicyLockoutSafetyCheck: false,
    }),
  ),
  quiet(
    'kms-key-policy-opened',
    'the key policy gives an application role of the same account kms:Decrypt',
    call('kms:PutKeyPolicy', {
      keyId: KEY,
      policyName: 'default',
      policy: policy('arn:aws:iam::{ACCOUNT}:role/app'),
      bypassPolicyLockoutSafetyCheck: false,
    }),
  ),
  fires(
    'kms-key-policy-lockout',
    'a policy written with the lockout check bypassed',
    call(
      'kms:PutKeyPolicy',
      {
        keyId: KEY,
        policyName: 'default',
        policy: policy('arn:aws:iam::{ACCOUNT}:role/app'),
        bypassPolicyLockoutSafetyCheck: true,
      },
      { as: 'AssumedRole' },
    ),
  ),
  quiet(
    'kms-key-policy-lockout',
    'a policy written with the check in place',
    call(
      'kms:PutKeyPolicy',
      {
        keyId: KEY,
        policyName: 'default',
        policy: policy('arn:aws:iam::{ACCOUNT}:role/app'),
        bypassPolicyLockoutSafetyCheck: false,
      },
      { as: 'AssumedRole' },
    ),
  ),
  fires(
    'kms-grant-foreign',
    'a grant for a role in another account',
    call(
      'kms:CreateGrant',
      {
        keyId: KEY,
        granteePrincipal: 'arn:aws:iam::{FOREIGN}:role/reader',
        operations: ['Decrypt', 'DescribeKey'],
      },
      { response: { grantId: '0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60' } },
    ),
  ),
  quiet(
    'kms-grant-foreign',
    'EBS creating a grant for an instance volume (the service principal of the region)',
    call(
      'kms:CreateGrant',
      {
        keyId: KEY,
        granteePrincipal: 'ec2.us-east-1.amazonaws.com',
        operations: ['Decrypt'],
        constraints: { encryptionContextSubset: { 'aws:ebs:id': 'vol-0a1b2c3d4e5f67890' } },
      },
      { as: 'AWSService', service: 'ec2.amazonaws.com', response: { grantId: 'a1b2c3' } },
    ),
  ),
  fires(
    'kms-external-key-material',
    'a key created to receive imported material',
    call(
      'kms:CreateKey',
      {
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        origin: 'EXTERNAL',
        description: 'backup',
      },
      {
        response: {
          keyMetadata: {
            keyId: '1234abcd-12ab-34cd-56ef-1234567890ac',
            origin: 'EXTERNAL',
            keyState: 'PendingImport',
          },
        },
      },
    ),
  ),
  quiet(
    'kms-external-key-material',
    'a key created with AWS-generated material',
    call(
      'kms:CreateKey',
      {
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        origin: 'AWS_KMS',
        description: 'app data',
      },
      {
        response: {
          keyMetadata: {
            keyId: '1234abcd-12ab-34cd-56ef-1234567890ad',
            origin: 'AWS_KMS',
            keyState: 'Enabled',
          },
        },
      },
    ),
  ),
  fires(
    'kms-key-material-deleted',
    'imported material deleted',
    call('kms:DeleteImportedKeyMaterial', { keyId: KEY }),
  ),
  quiet(
    'kms-key-material-deleted',
    'the import parameters requested',
    call('kms:GetParametersForImport', {
      keyId: KEY,
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      wrappingKeySpec: 'RSA_4096',
    }),
  ),
  fires(
    'kms-used-by-foreign-account',
    'a role of another account decrypting with the key',
    call(
      'kms:Decrypt',
      { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: KEY },
      {
        extra: {
          userIdentity: {
            type: 'AssumedRole',
            principalId: 'AROAQQQQEXAMPLE00001:x',
            arn: 'arn:aws:sts::{FOREIGN}:assumed-role/reader/x',
            accountId: '{FOREIGN}',
            accessKeyId: 'ASIAQQQQEXAMPLE00001',
          },
          resources: [{ accountId: '{ACCOUNT}', type: 'AWS::KMS::Key', ARN: KEY }],
        },
      },
    ),
  ),
  quiet(
    'kms-used-by-foreign-account',
    'the account’s own application decrypting',
    call('kms:Decrypt', { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: KEY }, { as: 'AssumedRole' }),
  ),
];
