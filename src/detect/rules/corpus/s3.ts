import { call, times, type CallSpec } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A bucket-level call as S3 records it (bucketName and the virtual-host Host). */
const bucket = (name: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({
  bucketName: name,
  Host: `${name}.s3.us-east-1.amazonaws.com`,
  ...more,
});

/** PutBucketLifecycle's document as CloudTrail records it: one rule expiring after `days`. */
const lifecycle = (days: number, prefix = ''): Record<string, unknown> => ({
  lifecycle: '',
  LifecycleConfiguration: {
    xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
    Rule: { ID: 'cleanup', Status: 'Enabled', Filter: { Prefix: prefix }, Expiration: { Days: days } },
  },
});

/** An object-level data event, with the resources S3 lists (the object, then its bucket and owner). */
const object = (
  api: string,
  name: string,
  key: string,
  more: Omit<CallSpec, 'api' | 'request'> & { params?: Record<string, unknown>; owner?: string } = {},
): CallSpec => {
  const { params, owner, ...rest } = more;
  return call(api, bucket(name, { key, ...params }), {
    ...rest,
    extra: {
      additionalEventData: {
        SignatureVersion: 'SigV4',
        CipherSuite: 'TLS_AES_128_GCM_SHA256',
        bytesTransferredIn: api.endsWith('PutObject') ? 2048 : 0,
        bytesTransferredOut: api.endsWith('GetObject') ? 2048 : 0,
        AuthenticationMethod: 'AuthHeader',
        'x-amz-id-2': 'Ke1bUcazaN1jWuUlPJaxF64cQVpUEhoZKEG/hmy/gijN/I1DeWqDfFvnpybfEqBsJy0k/5ibKxG4=',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${name}/${key}` },
        { accountId: owner ?? '{ACCOUNT}', type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${name}` },
      ],
      ...rest.extra,
    },
  });
};

const statement = (principal: unknown) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'read',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::web-assets/*',
    },
  ],
});

const publicAccessBlock = (on: boolean) => ({
  publicAccessBlock: '',
  PublicAccessBlockConfiguration: {
    xmlns: XMLNS,
    RestrictPublicBuckets: on,
    BlockPublicPolicy: on,
    BlockPublicAcls: on,
    IgnorePublicAcls: on,
  },
});

const other = (account: string) => ({
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AROAQQQQEXAMPLE00002:sync',
    arn: `arn:aws:sts::${account}:assumed-role/partner-sync/sync`,
    accountId: account,
    accessKeyId: 'ASIAQQQQEXAMPLE00002',
  },
});

export const S3_SAMPLES: Sample[] = [
  fires(
    's3-bucket-policy-public',
    'a bucket policy with Principal "*"',
    call('s3:PutBucketPolicy', bucket('web-assets', { bucketPolicy: statement('*'), policy: '' })),
  ),
  quiet(
    's3-bucket-policy-public',
    'a bucket policy for CloudFront’s service principal',
    call(
      's3:PutBucketPolicy',
      bucket('web-assets', { bucketPolicy: statement({ Service: 'cloudfront.amazonaws.com' }), policy: '' }),
    ),
  ),
  fires(
    's3-bucket-policy-foreign-account',
    'a bucket policy granting another account’s root',
    call(
      's3:PutBucketPolicy',
      bucket('finance-exports', {
        bucketPolicy: statement({ AWS: 'arn:aws:iam::{FOREIGN}:root' }),
        policy: '',
      }),
    ),
  ),
  quiet(
    's3-bucket-policy-foreign-account',
    'a bucket policy granting a role of the account',
    call(
      's3:PutBucketPolicy',
      bucket('finance-exports', {
        bucketPolicy: statement({ AWS: 'arn:aws:iam::{ACCOUNT}:role/etl' }),
        policy: '',
      }),
    ),
  ),
  fires(
    's3-acl-public',
    'a canned public-read ACL',
    call('s3:PutBucketAcl', bucket('web-assets', { acl: '', 'x-amz-acl': 'public-read' })),
  ),
  quiet(
    's3-acl-public',
    'a private canned ACL',
    call('s3:PutBucketAcl', bucket('web-assets', { acl: '', 'x-amz-acl': 'private' })),
  ),
  fires(
    's3-public-access-block-removed',
    'Block Public Access switched off on a bucket',
    call('s3:PutBucketPublicAccessBlock', bucket('web-assets', publicAccessBlock(false))),
  ),
  quiet(
    's3-public-access-block-removed',
    'Block Public Access switched on',
    call('s3:PutBucketPublicAccessBlock', bucket('web-assets', publicAccessBlock(true))),
  ),
  fires(
    's3-sensitive-bucket-read',
    'a database dump read from a backup bucket',
    object('s3:GetObject', 'acme-prod-backups', 'db/2025-03-01.sql.gz'),
  ),
  quiet('s3-sensitive-bucket-read', 'a web asset read', object('s3:GetObject', 'web-assets', 'img/logo.png')),
  fires(
    's3-mass-download',
    '120 objects downloaded in four minutes',
    times(120, (i) => object('s3:GetObject', 'data-lake', `part-${i}.parquet`, { at: (i * 2) / 60 })),
  ),
  quiet(
    's3-mass-download',
    'a dashboard reading 40 objects over an hour',
    times(40, (i) =>
      object('s3:GetObject', 'data-lake', `daily/part-${i}.parquet`, { at: i * 1.5, as: 'AssumedRole' }),
    ),
  ),
  fires('s3-list-buckets', 'buckets listed', call('s3:ListBuckets', { Host: 's3.us-east-1.amazonaws.com' })),
  quiet(
    's3-list-buckets',
    'one bucket’s location read',
    call('s3:GetBucketLocation', bucket('web-assets', { location: '' })),
  ),
  fires('s3-bucket-created', 'a bucket created', call('s3:CreateBucket', bucket('tmp-transfer-91'))),
  quiet(
    's3-bucket-created',
    'a bucket name already taken',
    call('s3:CreateBucket', bucket('logs'), {
      error: ['BucketAlreadyExists', 'The requested bucket name is not available.'],
    }),
  ),
  fires(
    's3-mass-delete',
    '25 objects deleted one by one',
    times(25, (i) => object('s3:DeleteObject', 'invoices', `2024/${i}.pdf`, { at: i * 0.2 })),
  ),
  quiet(
    's3-mass-delete',
    'a lifecycle-like clean-up of 5 temporary files',
    times(5, (i) => object('s3:DeleteObject', 'scratch', `tmp/${i}.json`, { at: i, as: 'AssumedRole' })),
  ),
  fires(
    's3-batch-delete',
    'a DeleteObjects call',
    object('s3:DeleteObjects', 'invoices', '', { params: { delete: '' } }),
  ),
  quiet('s3-batch-delete', 'a single object deleted', object('s3:DeleteObject', 'invoices', '2024/1.pdf')),
  fires(
    's3-customer-key-encryption',
    'an object rewritten with SSE-C',
    object('s3:CopyObject', 'invoices', '2024/1.pdf', {
      params: {
        'x-amz-copy-source': 'invoices/2024/1.pdf',
        'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        'x-amz-metadata-directive': 'REPLACE',
      },
      extra: { additionalEventData: { SSEApplied: 'SSE_C' } },
    }),
  ),
  quiet(
    's3-customer-key-encryption',
    'an object written with SSE-KMS under the account’s key',
    object('s3:PutObject', 'invoices', '2024/2.pdf', {
      params: {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id':
          'arn:aws:kms:us-east-1:{ACCOUNT}:key/0b6e2c4d-1f3a-4e5b-8c7d-9a0b1c2d3e4f',
      },
    }),
  ),
  fires(
    's3-versioning-suspended',
    'versioning suspended',
    call(
      's3:PutBucketVersioning',
      bucket('invoices', { versioning: '', VersioningConfiguration: { Status: 'Suspended', xmlns: XMLNS } }),
    ),
  ),
  quiet(
    's3-versioning-suspended',
    'versioning enabled',
    call(
      's3:PutBucketVersioning',
      bucket('invoices', { versioning: '', VersioningConfiguration: { Status: 'Enabled', xmlns: XMLNS } }),
    ),
  ),
  fires('s3-bucket-deleted', 'a bucket deleted', call('s3:DeleteBucket', bucket('invoices'))),
  quiet(
    's3-bucket-deleted',
    'a non-empty bucket the call could not delete',
    call('s3:DeleteBucket', bucket('invoices'), {
      error: ['BucketNotEmpty', 'The bucket you tried to delete is not empty'],
    }),
  ),
  fires(
    's3-default-encryption-removed',
    'default encryption removed',
    call('s3:DeleteBucketEncryption', bucket('invoices', { encryption: '' })),
  ),
  quiet(
    's3-default-encryption-removed',
    'default encryption read',
    call('s3:GetBucketEncryption', bucket('invoices', { encryption: '' })),
  ),
  fires(
    's3-default-encryption-foreign-key',
    'default encryption set to a KMS key of another account',
    call(
      's3:PutBucketEncryption',
      bucket('invoices', {
        encryption: '',
        ServerSideEncryptionConfiguration: {
          xmlns: XMLNS,
          Rule: {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: 'arn:aws:kms:us-east-1:{FOREIGN}:key/5e2a7c1b-3f4d-4a6b-9c8d-7e6f5a4b3c2d',
            },
            BucketKeyEnabled: true,
          },
        },
      }),
    ),
  ),
  quiet(
    's3-default-encryption-foreign-key',
    'default encryption set to the account’s KMS key',
    call(
      's3:PutBucketEncryption',
      bucket('invoices', {
        encryption: '',
        ServerSideEncryptionConfiguration: {
          xmlns: XMLNS,
          Rule: {
            ApplyServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: 'arn:aws:kms:us-east-1:{ACCOUNT}:key/0b6e2c4d-1f3a-4e5b-8c7d-9a0b1c2d3e4f',
            },
            BucketKeyEnabled: true,
          },
        },
      }),
    ),
  ),
  fires(
    's3-object-written-foreign-key',
    'objects copied in place under a KMS key of another account',
    object('s3:CopyObject', 'invoices', '2024/3.pdf', {
      params: {
        'x-amz-copy-source': 'invoices/2024/3.pdf',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id':
          'arn:aws:kms:us-east-1:{FOREIGN}:key/5e2a7c1b-3f4d-4a6b-9c8d-7e6f5a4b3c2d',
      },
    }),
  ),
  quiet(
    's3-object-written-foreign-key',
    'an object written under the account’s KMS key',
    object('s3:PutObject', 'invoices', '2024/4.pdf', {
      params: {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id':
          'arn:aws:kms:us-east-1:{ACCOUNT}:key/0b6e2c4d-1f3a-4e5b-8c7d-9a0b1c2d3e4f',
      },
    }),
  ),
  fires(
    's3-ransom-note',
    'a note named like a ransom demand',
    object('s3:PutObject', 'invoices', 'README_TO_RESTORE_FILES.txt'),
  ),
  quiet('s3-ransom-note', 'a project README', object('s3:PutObject', 'build-artifacts', 'app/README.md')),
  fires(
    's3-governance-bypass',
    'a locked version deleted with the governance bypass',
    object('s3:DeleteObject', 'audit-archive', '2024/q4.csv', {
      params: { versionId: '3HL4kqtJlcpXroDTDmjVBH40Nrjfkd', 'x-amz-bypass-governance-retention': 'true' },
    }),
  ),
  quiet(
    's3-governance-bypass',
    'a retention date extended',
    object('s3:PutObjectRetention', 'audit-archive', '2024/q4.csv', {
      params: { retention: '', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: '2031-01-01T00:00:00Z' } },
    }),
  ),
  fires(
    's3-mfa-delete-disabled',
    'MFA delete turned off',
    call(
      's3:PutBucketVersioning',
      bucket('audit-archive', {
        versioning: '',
        VersioningConfiguration: { Status: 'Enabled', MfaDelete: 'Disabled', xmlns: XMLNS },
      }),
      { as: 'Root' },
    ),
  ),
  quiet(
    's3-mfa-delete-disabled',
    'MFA delete turned on',
    call(
      's3:PutBucketVersioning',
      bucket('audit-archive', {
        versioning: '',
        VersioningConfiguration: { Status: 'Enabled', MfaDelete: 'Enabled', xmlns: XMLNS },
      }),
      { as: 'Root' },
    ),
  ),
  fires(
    's3-logging-disabled',
    'access logging turned off (an empty BucketLoggingStatus)',
    call('s3:PutBucketLogging', bucket('invoices', { logging: '', BucketLoggingStatus: { xmlns: XMLNS } })),
  ),
  quiet(
    's3-logging-disabled',
    'access logging turned on',
    call(
      's3:PutBucketLogging',
      bucket('invoices', {
        logging: '',
        BucketLoggingStatus: {
          xmlns: XMLNS,
          LoggingEnabled: { TargetBucket: 'access-logs', TargetPrefix: 'invoices/' },
        },
      }),
    ),
  ),
  fires(
    's3-replication-foreign',
    'replication to a bucket owned by another account',
    call(
      's3:PutBucketReplication',
      bucket('invoices', {
        replication: '',
        ReplicationConfiguration: {
          xmlns: XMLNS,
          Role: 'arn:aws:iam::{ACCOUNT}:role/replication',
          Rule: {
            ID: 'all',
            Status: 'Enabled',
            Priority: 1,
            Filter: {},
            DeleteMarkerReplication: { Status: 'Disabled' },
            Destination: {
              Bucket: 'arn:aws:s3:::x-sync-91',
              Account: '{FOREIGN}',
              AccessControlTranslation: { Owner: 'Destination' },
            },
          },
        },
      }),
    ),
  ),
  quiet(
    's3-replication-foreign',
    'replication to a disaster-recovery bucket of the account',
    call(
      's3:PutBucketReplication',
      bucket('invoices', {
        replication: '',
        ReplicationConfiguration: {
          xmlns: XMLNS,
          Role: 'arn:aws:iam::{ACCOUNT}:role/replication',
          Rule: {
            ID: 'dr',
            Status: 'Enabled',
            Priority: 1,
            Filter: {},
            Destination: { Bucket: 'arn:aws:s3:::invoices-dr' },
          },
        },
      }),
    ),
  ),
  fires(
    's3-replication-configured',
    'replication configured',
    call(
      's3:PutBucketReplication',
      bucket('reports', {
        replication: '',
        ReplicationConfiguration: {
          xmlns: XMLNS,
          Role: 'arn:aws:iam::{ACCOUNT}:role/replication',
          Rule: {
            ID: 'dr',
            Status: 'Enabled',
            Priority: 1,
            Filter: {},
            Destination: { Bucket: 'arn:aws:s3:::reports-dr' },
          },
        },
      }),
    ),
  ),
  quiet(
    's3-replication-configured',
    'replication read',
    call('s3:GetBucketReplication', bucket('reports', { replication: '' })),
  ),
  fires(
    's3-replication-removed',
    'replication deleted',
    call('s3:DeleteBucketReplication', bucket('invoices', { replication: '' })),
  ),
  quiet(
    's3-replication-removed',
    'replication read',
    call('s3:GetBucketReplication', bucket('invoices', { replication: '' })),
  ),
  fires(
    's3-read-by-foreign-account',
    'a role of another account reading objects (the bucket owner’s copy of the event)',
    object('s3:GetObject', 'finance-exports', 'q1.csv', { extra: other('{FOREIGN}') }),
  ),
  quiet(
    's3-read-by-foreign-account',
    'the account’s own role reading objects',
    object('s3:GetObject', 'finance-exports', 'q1.csv', { as: 'AssumedRole' }),
  ),
  fires(
    's3-copy-to-foreign-bucket',
    'an object copied from the account’s bucket into a bucket of another account',
    object('s3:CopyObject', 'x-sync-91', 'dump/q1.csv', {
      params: { 'x-amz-copy-source': 'finance-exports/q1.csv' },
      owner: '{FOREIGN}',
    }),
  ),
  quiet(
    's3-copy-to-foreign-bucket',
    'an object copied between two buckets of the account',
    object('s3:CopyObject', 'finance-archive', 'q1.csv', {
      params: { 'x-amz-copy-source': 'finance-exports/q1.csv' },
    }),
  ),
  fires(
    's3-batch-job-created',
    'a Batch Operations job',
    call(
      's3:CreateJob',
      {
        'x-amz-account-id': '{ACCOUNT}',
        ConfirmationRequired: false,
        Operation: { S3PutObjectCopy: { TargetResource: 'arn:aws:s3:::invoices' } },
        Priority: 10,
        RoleArn: 'arn:aws:iam::{ACCOUNT}:role/batch',
      },
      { response: { JobId: '1e2f3a4b-5c6d-7e8f-9a0b-1c2d3e4f5a6b' } },
    ),
  ),
  quiet(
    's3-batch-job-created',
    'Batch Operations jobs listed',
    call('s3:ListJobs', { 'x-amz-account-id': '{ACCOUNT}' }),
  ),
  fires(
    's3-ransomware-campaign',
    'buckets read, every object rewritten with SSE-C, the bucket set to expire in a week, a note left',
    call('s3:GetBucketVersioning', bucket('invoices', { versioning: '' })),
    call('s3:GetBucketLifecycle', bucket('invoices', { lifecycle: '' }), {
      at: 1,
      error: ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'],
    }),
    ['2024/1.pdf', '2024/2.pdf', '2024/3.pdf'].map((key, i) =>
      object('s3:CopyObject', 'invoices', key, {
        at: 3 + i,
        params: { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' },
      }),
    ),
    call('s3:PutBucketLifecycle', bucket('invoices', lifecycle(7, '')), { at: 10 }),
    object('s3:PutObject', 'invoices', 'README-HOW-TO-RECOVER.txt', { at: 12 }),
  ),
  fires(
    's3-ransomware-campaign',
    'data events off: versioning read, then every object set to expire in three days',
    call('s3:GetBucketVersioning', bucket('finance-archive', { versioning: '' })),
    call('s3:PutBucketLifecycle', bucket('finance-archive', lifecycle(3)), { at: 20 }),
  ),
  quiet(
    's3-ransomware-campaign',
    'an engineer reads versioning and expires the logs/ prefix after thirty days',
    call('s3:GetBucketVersioning', bucket('app-logs', { versioning: '' }), { as: 'AssumedRole' }),
    call('s3:PutBucketLifecycle', bucket('app-logs', lifecycle(30, 'logs/')), { as: 'AssumedRole', at: 5 }),
  ),
  quiet(
    's3-ransomware-campaign',
    'lifecycle read and a whole-bucket expiry of a year set',
    call('s3:GetBucketLifecycle', bucket('exports', { lifecycle: '' }), { as: 'AssumedRole' }),
    call('s3:PutBucketLifecycle', bucket('exports', lifecycle(365, '')), { as: 'AssumedRole', at: 2 }),
  ),
];
