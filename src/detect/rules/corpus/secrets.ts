import { call, times } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const secret = (name: string): string => `arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:${name}-AbCdEf`;

const resourcePolicy = (principal: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
      },
    ],
  });

export const SECRETS_SAMPLES: Sample[] = [
  fires(
    'secrets-read',
    'one secret read',
    call('secretsmanager:GetSecretValue', { secretId: secret('prod/db') }),
  ),
  quiet(
    'secrets-read',
    'a secret’s metadata read',
    call('secretsmanager:DescribeSecret', { secretId: secret('prod/db') }),
  ),
  fires(
    'secrets-batch-read',
    'secrets read with BatchGetSecretValue by name',
    call('secretsmanager:BatchGetSecretValue', { secretIdList: [secret('prod/db'), secret('prod/api')] }),
  ),
  quiet(
    'secrets-batch-read',
    'secrets listed (names only)',
    call('secretsmanager:ListSecrets', { maxResults: 100 }),
  ),
  fires(
    'secrets-read-burst',
    'twelve secrets read in a minute',
    times(12, (i) =>
      call('secretsmanager:GetSecretValue', { secretId: secret(`prod/s${i}`) }, { at: i / 12 }),
    ),
  ),
  quiet(
    'secrets-read-burst',
    'a service reading its one secret every ten minutes',
    times(6, (i) =>
      call(
        'secretsmanager:GetSecretValue',
        { secretId: secret('prod/db') },
        { at: i * 10, as: 'AssumedRole' },
      ),
    ),
  ),
  fires(
    'secrets-batch-read-by-filter',
    'every secret with a tag read at once',
    call('secretsmanager:BatchGetSecretValue', { filters: [{ key: 'tag-key', values: ['env'] }] }),
  ),
  quiet(
    'secrets-batch-read-by-filter',
    'a service reading its two secrets by name',
    call(
      'secretsmanager:BatchGetSecretValue',
      { secretIdList: [secret('app/db'), secret('app/api')] },
      { as: 'AssumedRole' },
    ),
  ),
  fires(
    'secrets-read-many-regions',
    'secrets read in three regions in ten minutes',
    ['us-east-1', 'eu-west-1', 'ap-southeast-1'].map((region, i) =>
      call(
        'secretsmanager:GetSecretValue',
        { secretId: secret('prod/db').replace('us-east-1', region) },
        { region, at: i * 5 },
      ),
    ),
  ),
  quiet(
    'secrets-read-many-regions',
    'a multi-region application reading its secret in its two regions',
    ['us-east-1', 'eu-west-1'].map((region, i) =>
      call('secretsmanager:GetSecretValue', { secretId: 'app/db' }, { region, at: i, as: 'AssumedRole' }),
    ),
  ),
  fires(
    'secrets-policy-opened',
    'a secret made readable by another account',
    call('secretsmanager:PutResourcePolicy', {
      secretId: secret('prod/db'),
      resourcePolicy: resourcePolicy('arn:aws:iam::{FOREIGN}:root'),
      blockPublicPolicy: false,
    }),
  ),
  quiet(
    'secrets-policy-opened',
    'a secret made readable by a role of the account',
    call('secretsmanager:PutResourcePolicy', {
      secretId: secret('prod/db'),
      resourcePolicy: resourcePolicy('arn:aws:iam::{ACCOUNT}:role/app'),
      blockPublicPolicy: true,
    }),
  ),
  fires(
    'secrets-replicated',
    'a secret replicated to another region',
    call('secretsmanager:ReplicateSecretToRegions', {
      secretId: secret('prod/db'),
      addReplicaRegions: [{ region: 'sa-east-1' }],
      forceOverwriteReplicaSecret: true,
    }),
  ),
  quiet(
    'secrets-replicated',
    'a secret created without replicas',
    call('secretsmanager:CreateSecret', {
      name: 'app/new',
      clientRequestToken: 'c7b3b2f0-1d2e-4f3a-9b8c-7d6e5f4a3b2c',
    }),
  ),
  fires(
    'secrets-force-deleted',
    'a secret deleted with no recovery window',
    call('secretsmanager:DeleteSecret', { secretId: secret('prod/db'), forceDeleteWithoutRecovery: true }),
  ),
  quiet(
    'secrets-force-deleted',
    'a secret scheduled for deletion in 30 days',
    call('secretsmanager:DeleteSecret', { secretId: secret('old/db'), recoveryWindowInDays: 30 }),
  ),
  fires(
    'ssm-parameters-decrypted',
    'one SecureString read decrypted',
    call('ssm:GetParameter', { name: '/prod/db/password', withDecryption: true }),
  ),
  quiet(
    'ssm-parameters-decrypted',
    'a plain parameter read',
    call('ssm:GetParameter', { name: '/prod/db/host', withDecryption: false }),
  ),
  fires(
    'ssm-parameters-decrypted-burst',
    'a path of SecureStrings read decrypted',
    times(5, (i) =>
      call(
        'ssm:GetParametersByPath',
        { path: '/prod/', recursive: true, withDecryption: true, nextToken: String(i) },
        { at: i / 5 },
      ),
    ),
  ),
  quiet(
    'ssm-parameters-decrypted-burst',
    'a path of plain parameters read',
    times(5, (i) =>
      call(
        'ssm:GetParametersByPath',
        { path: '/prod/config/', recursive: true, withDecryption: false, nextToken: String(i) },
        { at: i / 5 },
      ),
    ),
  ),
  fires(
    'ssm-parameters-foreign-kms',
    'a SecureString rewritten under another account’s key',
    call('ssm:PutParameter', {
      name: '/prod/db/password',
      type: 'SecureString',
      keyId: 'arn:aws:kms:us-east-1:{FOREIGN}:key/5e2a7c1b-3f4d-4a6b-9c8d-7e6f5a4b3c2d',
      overwrite: true,
    }),
  ),
  quiet(
    'ssm-parameters-foreign-kms',
    'a SecureString written under the default key alias',
    call('ssm:PutParameter', {
      name: '/prod/db/password',
      type: 'SecureString',
      keyId: 'alias/aws/ssm',
      overwrite: true,
    }),
  ),
];
