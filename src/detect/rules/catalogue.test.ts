import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStore, type EventStore } from '../../store/store.js';
import { ingestPaths } from '../../trail/ingest.js';
import { runRules } from '../engine.js';
import type { Finding } from '../finding.js';
import { BUILTIN_RULES } from './index.js';

const ACCOUNT = '111122223333';

/**
 * Playbook patterns the public datasets do not contain, as minimal records: each case gets its own
 * principal (so bursts never mix) and lists the rules that must fire and those that must not.
 */
interface Case {
  name: string;
  events: Record<string, unknown>[];
  fires: string[];
  silent?: string[];
}

const call = (
  source: string,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  eventSource: `${source}.amazonaws.com`,
  eventName: name,
  ...extra,
});
const times = (n: number, make: (i: number) => Record<string, unknown>): Record<string, unknown>[] =>
  Array.from({ length: n }, (_, i) => make(i));

const CASES: Case[] = [
  {
    name: 'AWS quarantine policy',
    events: [
      call('iam', 'AttachUserPolicy', {
        requestParameters: {
          userName: 'alice',
          policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
        },
      }),
    ],
    fires: ['iam-quarantine-policy-attached'],
    silent: ['iam-policy-attached', 'iam-admin-policy-attached'],
  },
  {
    name: 'GPU instances launched',
    events: [
      call('ec2', 'RunInstances', {
        awsRegion: 'sa-east-1',
        requestParameters: { instanceType: 'g5.12xlarge', instancesSet: { items: [{ maxCount: 20 }] } },
      }),
    ],
    fires: [
      'ec2-crypto-mining-launch',
      'ec2-unusual-instances',
      'ec2-instances-launched',
      'ec2-launch-new-region',
    ],
  },
  {
    name: 'ordinary instance in a used region',
    events: [
      call('ec2', 'DescribeInstances', {
        eventTime: '2024-06-01T09:00:00Z',
        awsRegion: 'eu-west-1',
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/ops`, accessKeyId: 'AKIAOPS' },
      }),
      call('ec2', 'RunInstances', {
        awsRegion: 'eu-west-1',
        requestParameters: { instanceType: 't3.micro' },
      }),
    ],
    fires: ['ec2-instances-launched'],
    silent: ['ec2-unusual-instances', 'ec2-crypto-mining-launch', 'ec2-launch-new-region'],
  },
  {
    name: 'public bucket policy',
    events: [
      call('s3', 'PutBucketPolicy', {
        requestParameters: {
          bucketName: 'b',
          bucketPolicy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] },
        },
      }),
    ],
    fires: ['s3-bucket-policy-public'],
    silent: ['s3-bucket-policy-foreign-account'],
  },
  {
    name: 'own-account bucket policy',
    events: [
      call('s3', 'PutBucketPolicy', {
        requestParameters: {
          bucketName: 'b',
          bucketPolicy: {
            Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }],
          },
        },
      }),
    ],
    fires: [],
    silent: ['s3-bucket-policy-public', 's3-bucket-policy-foreign-account'],
  },
  {
    name: 'public snapshot',
    events: [
      call('ec2', 'ModifySnapshotAttribute', {
        requestParameters: {
          snapshotId: 'snap-1',
          createVolumePermission: { add: { items: [{ group: 'all' }] } },
        },
      }),
    ],
    fires: ['ec2-snapshot-shared'],
  },
  {
    name: 'console password guessing',
    events: times(6, (i) =>
      call('signin', 'ConsoleLogin', {
        eventTime: `2024-06-01T10:0${i}:00Z`,
        errorMessage: 'Failed authentication',
        responseElements: { ConsoleLogin: 'Failure' },
        userIdentity: { type: 'IAMUser', userName: 'victim', accountId: ACCOUNT },
      }),
    ),
    fires: ['signin-failed', 'signin-failed-burst'],
  },
  {
    name: 'secrets sweep',
    events: times(12, (i) =>
      call('secretsmanager', 'GetSecretValue', {
        eventTime: `2024-06-01T10:00:${String(i).padStart(2, '0')}Z`,
        requestParameters: { secretId: `s${i}` },
      }),
    ),
    fires: ['secrets-read', 'secrets-read-burst'],
  },
  {
    name: 'S3 ransomware by deletion',
    events: times(25, (i) =>
      call('s3', 'DeleteObject', {
        eventTime: `2024-06-01T10:00:${String(i).padStart(2, '0')}Z`,
        requestParameters: { bucketName: 'data', key: `k${i}` },
      }),
    ),
    fires: ['s3-mass-delete'],
  },
  {
    name: 'S3 ransomware by SSE-C',
    events: [
      call('s3', 'PutObject', {
        requestParameters: {
          bucketName: 'data',
          key: 'a',
          'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        },
      }),
    ],
    fires: ['s3-customer-key-encryption'],
  },
  {
    name: 'sensitive bucket read',
    events: [
      call('s3', 'GetObject', { requestParameters: { bucketName: 'acme-prod-backups', key: 'db.sql.gz' } }),
    ],
    fires: ['s3-sensitive-bucket-read'],
  },
  {
    name: 'policy version rewrite',
    events: [
      call('iam', 'CreatePolicyVersion', {
        requestParameters: { policyArn: 'arn:aws:iam::1:policy/p', setAsDefault: true },
      }),
    ],
    fires: ['iam-policy-version-default'],
    silent: ['iam-policy-version-created'],
  },
  {
    name: 'inline admin policy',
    events: [
      call('iam', 'PutUserPolicy', {
        requestParameters: {
          userName: 'x',
          policyName: 'p',
          policyDocument: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
        },
      }),
    ],
    fires: ['iam-inline-policy-allows-all'],
    silent: ['iam-inline-policy'],
  },
  {
    name: 'GuardDuty detector deleted',
    events: [call('guardduty', 'DeleteDetector', { requestParameters: { detectorId: 'd' } })],
    fires: ['guardduty-disabled'],
  },
  {
    name: 'session tokens and CloudFormation',
    events: [
      call('sts', 'GetSessionToken'),
      call('cloudformation', 'CreateStack', { requestParameters: { stackName: 's' } }),
    ],
    fires: ['sts-session-token', 'cloudformation-stack-created'],
  },
  {
    name: 'access-denied burst',
    events: times(11, (i) =>
      call('iam', 'ListRoles', {
        eventTime: `2024-06-01T10:00:${String(i).padStart(2, '0')}Z`,
        errorCode: 'AccessDenied',
      }),
    ),
    fires: ['denied-burst'],
  },
  {
    name: 'CloudFront-style suffix',
    events: [
      call('lambda', 'CreateFunctionUrlConfig20211031', {
        requestParameters: { authType: 'NONE', functionName: 'f' },
      }),
    ],
    fires: ['lambda-public-url'],
  },
];

describe('the catalogue on playbook patterns', () => {
  let dir: string;
  let store: EventStore;
  let findings: Finding[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tq-catalogue-'));
    const records = CASES.flatMap((c, n) =>
      c.events.map((e, i) => ({
        eventVersion: '1.08',
        eventID: `case${n}-${i}`,
        eventTime: '2024-06-01T10:00:00Z',
        awsRegion: 'us-east-1',
        sourceIPAddress: '198.51.100.1',
        userAgent: 'aws-cli/2',
        recipientAccountId: ACCOUNT,
        eventType: 'AwsApiCall',
        userIdentity: {
          type: 'IAMUser',
          arn: `arn:aws:iam::${ACCOUNT}:user/case${n}`,
          accountId: ACCOUNT,
          accessKeyId: `AKIACASE${n}`,
        },
        ...e,
      })),
    );
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ Records: records }));
    store = await openEventStore(':memory:');
    await ingestPaths(store, [dir]);
    const run = await runRules(store, BUILTIN_RULES);
    expect(run.failures).toEqual([]);
    findings = run.findings;
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES.map((c, n) => [c.name, n] as const))('%s', (_name, n) => {
    const c = CASES[n]!;
    const rules = new Set(
      findings.filter((f) => f.eventIds.some((id) => id.startsWith(`case${n}-`))).map((f) => f.ruleId),
    );
    for (const id of c.fires) expect(rules, id).toContain(id);
    for (const id of c.silent ?? []) expect(rules, id).not.toContain(id);
  });
});
