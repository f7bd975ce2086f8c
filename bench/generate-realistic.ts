import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  DeliveryWriter,
  deliveryPath,
  previousTrail,
  rng,
  type GeneratedTrail,
  type TrailSpec,
} from './generate.js';

/**
 * A second synthetic trail bucket, written independently of the datasets `generate.ts` builds on:
 * records made from scratch the way CloudTrail writes them (`eventVersion` first, every field of a
 * management event, events in time order within a file), with thousands of request shapes and the
 * repetition of real accounts (a few principals, addresses, user agents and resources make most
 * calls), so it compresses like real trails (8-15x; the first generator's records, with a random
 * address each, compress about 6.5x). About one record in fifty escapes `&` as `\u0026` in its user
 * agent, as CloudTrail's encoder does. The hunted key's records come with mentions: its creation
 * (CreateAccessKey's response names it) and a ListAccessKeys by an administrator.
 */
export async function generateRealisticTrail(spec: TrailSpec): Promise<GeneratedTrail> {
  const previous = previousTrail(spec);
  if (previous) return previous;
  const random = rng(spec.seed ?? 7);
  const pick = <T>(list: readonly T[], skew = 1): T => list[Math.floor(random() ** skew * list.length)]!;
  const shapes = requestShapes(random, 3000);
  const principals = Array.from({ length: spec.principals ?? 400 }, (_, i) => principal(i, random));
  const addresses = Array.from({ length: 300 }, () => address(random));
  const agents = USER_AGENTS.flatMap((a) => [
    a,
    `${a} exec-env/AWS_ECS_EC2 md/cmd#${pick(['s3', 'ec2', 'iam'])}`,
  ]);
  const targetShare = spec.targetShare ?? 0.005;
  let written = 0;
  let slot = 0;
  let targetRecords = 0;
  const writer = new DeliveryWriter();
  const logs = join(spec.dir, 'AWSLogs');
  while (written < spec.records) {
    const account = ACCOUNTS[slot % ACCOUNTS.length]!;
    const region = REGIONS[Math.floor(slot / ACCOUNTS.length) % REGIONS.length]!;
    const slotStart = START + Math.floor(slot / (ACCOUNTS.length * REGIONS.length)) * 300_000;
    const n = Math.min(spec.records - written, 150 + Math.floor(random() * 1050));
    const times = Array.from({ length: n }, () => slotStart + Math.floor(random() * 300_000)).sort();
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const target = random() < targetShare;
      const who = target ? TARGET : pick(principals, 3);
      const shape = pick(shapes, 2);
      if (target) targetRecords++;
      const agent =
        random() < 0.02 ? `${pick(agents)} cfg/retry-mode#standard\\u0026legacy` : pick(agents, 2);
      parts.push(
        record({
          who: who.identity(account),
          time: iso(times[i]!),
          shape,
          region,
          account,
          address: who.address ?? pick(addresses, 3),
          agent,
        }),
      );
      if (target && random() < 0.01) {
        // Someone lists the key: the key in a response, not used.
        parts.push(
          record({
            who: principals[0]!.identity(account),
            time: iso(times[i]!),
            shape: LIST_KEYS,
            region,
            account,
            address: addresses[0]!,
            agent: agents[0]!,
          }),
        );
      }
    }
    if (slot === 7) parts.unshift(record({ ...CREATE_KEY, account, region, time: iso(slotStart) }));
    written += parts.length;
    await writer.add(deliveryPath(logs, account, region, slotStart), parts);
    slot++;
  }
  return writer.finish(spec, { records: written, targetKey: TARGET_KEY, targetRecords });
}

const ACCOUNTS = ['210987654321', '123456789012'];
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-northeast-1'];
const START = Date.parse('2026-10-02T00:00:00Z');
const TARGET_KEY = 'AKIAREALISTICTARGET1';
const USER_AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-aws exe/x86_64.ubuntu.22 prompt/off command/s3.ls',
  'aws-sdk-go-v2/1.25.2 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.149.1',
  'Boto3/1.34.54 md/Botocore#1.34.54 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.9.18',
  'terraform-provider-aws/5.40.0 (+https://registry.terraform.io) aws-sdk-go-v2/1.25.2',
  'console.amazonaws.com',
  'AWS Internal',
  'cloudformation.amazonaws.com',
  'aws-sdk-java/2.25.6 Linux/5.10.210 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10',
  'aws-sdk-js/3.535.0 ua/2.0 os/linux#5.10.210 lang/js md/nodejs#20.11.1 api/lambda#3.535.0',
  'S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.660',
];

interface Shape {
  source: string;
  name: string;
  readOnly: boolean;
  params: string;
  response: string;
  error: string | null;
}

const SERVICES: Record<string, string[]> = {
  's3.amazonaws.com': [
    'GetObject',
    'PutObject',
    'ListObjects',
    'HeadObject',
    'GetBucketAcl',
    'GetBucketPolicy',
  ],
  'ec2.amazonaws.com': [
    'DescribeInstances',
    'DescribeSecurityGroups',
    'RunInstances',
    'DescribeVolumes',
    'CreateTags',
  ],
  'iam.amazonaws.com': ['GetUser', 'ListRoles', 'GetRole', 'ListAttachedRolePolicies', 'GetPolicyVersion'],
  'sts.amazonaws.com': ['AssumeRole', 'GetCallerIdentity', 'GetSessionToken'],
  'kms.amazonaws.com': ['Decrypt', 'GenerateDataKey', 'DescribeKey', 'Encrypt'],
  'lambda.amazonaws.com': ['Invoke', 'GetFunction', 'ListFunctions20150331', 'UpdateFunctionCode20150331v2'],
  'ssm.amazonaws.com': ['GetParameter', 'GetParameters', 'DescribeInstanceInformation', 'SendCommand'],
  'logs.amazonaws.com': ['CreateLogStream', 'DescribeLogGroups', 'FilterLogEvents'],
  'dynamodb.amazonaws.com': ['DescribeTable', 'ListTables', 'DescribeContinuousBackups'],
  'secretsmanager.amazonaws.com': ['GetSecretValue', 'DescribeSecret', 'ListSecrets'],
  'cloudformation.amazonaws.com': ['DescribeStacks', 'DescribeStackEvents', 'ListStackResources'],
  'ecr.amazonaws.com': ['GetAuthorizationToken', 'BatchGetImage', 'DescribeRepositories'],
};
const WORDS = [
  'bucketName',
  'key',
  'instanceId',
  'roleName',
  'policyArn',
  'maxResults',
  'filterSet',
  'tagSpecificationSet',
  'functionName',
  'name',
  'withDecryption',
  'keyId',
  'encryptionContext',
  'logGroupName',
  'tableName',
  'secretId',
  'stackName',
  'repositoryName',
  'nextToken',
  'includeAllInstances',
  'versionId',
  'prefix',
  'delimiter',
  'Host',
  'groupId',
  'volumeSet',
  'resourcesSet',
  'startTime',
  'endTime',
  'limit',
  'durationSeconds',
  'roleSessionName',
];
const VALUES = [
  'prod-data-lake',
  'app/config.json',
  'i-0a1b2c3d4e5f60718',
  'ci-deploy',
  'arn:aws:iam::aws:policy/ReadOnlyAccess',
  '1000',
  'alias/app',
  'true',
  'false',
  '/aws/lambda/ingest',
  'orders',
  'prod/db/password',
  'platform-network',
  'web',
  'sg-0123456789abcdef0',
  'vol-0fedcba9876543210',
  'Environment',
  'production',
  'logs/2026/10/02/',
];

/** `count` request shapes: an event name and nested request parameters, a few with an error. */
function requestShapes(random: () => number, count: number): Shape[] {
  const names = Object.entries(SERVICES).flatMap(([source, ops]) => ops.map((name) => ({ source, name })));
  const value = (depth: number): unknown => {
    const r = random();
    if (depth < 2 && r < 0.15)
      return Array.from({ length: 1 + Math.floor(random() * 3) }, () => value(depth + 1));
    if (depth < 2 && r < 0.35) return object(depth + 1);
    return VALUES[Math.floor(random() * VALUES.length)];
  };
  const object = (depth: number): Record<string, unknown> =>
    Object.fromEntries(
      Array.from({ length: 1 + Math.floor(random() * 4) }, () => [
        WORDS[Math.floor(random() * WORDS.length)]!,
        value(depth),
      ]),
    );
  return Array.from({ length: count }, () => {
    const { source, name } = names[Math.floor(random() * names.length)]!;
    const readOnly = /^(Get|List|Describe|Head|Filter|Batch)/.test(name);
    return {
      source,
      name,
      readOnly,
      params: random() < 0.1 ? 'null' : JSON.stringify(object(0)),
      response: readOnly || random() < 0.5 ? 'null' : JSON.stringify(object(1)),
      error:
        random() < 0.08
          ? pick2(random, ['AccessDenied', 'Client.UnauthorizedOperation', 'ThrottlingException'])
          : null,
    };
  });
}

function pick2<T>(random: () => number, list: T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

interface Principal {
  identity(account: string): string;
  address?: string;
}

function principal(i: number, random: () => number): Principal {
  const user = i % 3 !== 0;
  const key = `${user ? 'AKIA' : 'ASIA'}REAL${i.toString().padStart(12, '0')}`;
  return {
    identity: (account) =>
      user
        ? `{"type":"IAMUser","principalId":"AIDAREAL${i.toString().padStart(13, '0')}","arn":"arn:aws:iam::${account}:user/svc-${i}","accountId":"${account}","accessKeyId":"${key}","userName":"svc-${i}"}`
        : `{"type":"AssumedRole","principalId":"AROAREAL${(i % 40).toString().padStart(13, '0')}:session-${i}","arn":"arn:aws:sts::${account}:assumed-role/app-role-${i % 40}/session-${i}","accountId":"${account}","accessKeyId":"${key}","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAREAL${(i % 40).toString().padStart(13, '0')}","arn":"arn:aws:iam::${account}:role/app-role-${i % 40}","accountId":"${account}","userName":"app-role-${i % 40}"},"webIdFederationData":{},"attributes":{"creationDate":"2026-10-01T23:00:00Z","mfaAuthenticated":"false"}}}`,
    ...(random() < 0.3 ? { address: address(random) } : {}),
  };
}

const TARGET: Principal = {
  identity: (account) =>
    `{"type":"IAMUser","principalId":"AIDAREALTARGET000001","arn":"arn:aws:iam::${account}:user/build-agent","accountId":"${account}","accessKeyId":"${TARGET_KEY}","userName":"build-agent"}`,
  address: '198.51.100.77',
};

const LIST_KEYS: Shape = {
  source: 'iam.amazonaws.com',
  name: 'ListAccessKeys',
  readOnly: true,
  params: '{"userName":"build-agent"}',
  response: `{"accessKeyMetadata":[{"userName":"build-agent","accessKeyId":"${TARGET_KEY}","status":"Active"}]}`,
  error: null,
};

const CREATE_KEY = {
  who: '{"type":"IAMUser","principalId":"AIDAREALADMIN0000001","arn":"arn:aws:iam::210987654321:user/admin","accountId":"210987654321","accessKeyId":"AKIAREALADMIN0000001","userName":"admin"}',
  shape: {
    source: 'iam.amazonaws.com',
    name: 'CreateAccessKey',
    readOnly: false,
    params: '{"userName":"build-agent"}',
    response: `{"accessKey":{"userName":"build-agent","accessKeyId":"${TARGET_KEY}","status":"Active","createDate":"Oct 2, 2026 12:00:00 AM"}}`,
    error: null,
  } satisfies Shape,
  address: '203.0.113.10',
  agent: USER_AGENTS[0]!,
};

function record(r: {
  who: string;
  time: string;
  shape: Shape;
  region: string;
  account: string;
  address: string;
  agent: string;
}): string {
  const s = r.shape;
  const error = s.error
    ? `,"errorCode":"${s.error}","errorMessage":"User is not authorized to perform: ${s.name}"`
    : '';
  return (
    `{"eventVersion":"1.09","userIdentity":${r.who},"eventTime":"${r.time}","eventSource":"${s.source}",` +
    `"eventName":"${s.name}","awsRegion":"${r.region}","sourceIPAddress":"${r.address}","userAgent":"${r.agent}"${error},` +
    `"requestParameters":${s.params},"responseElements":${s.error ? 'null' : s.response},` +
    `"requestID":"${randomUUID()}","eventID":"${randomUUID()}","readOnly":${s.readOnly},"eventType":"AwsApiCall",` +
    `"managementEvent":true,"recipientAccountId":"${r.account}","eventCategory":"Management",` +
    `"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"${s.source.replace('.amazonaws.com', '')}.${r.region}.amazonaws.com"}}`
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function address(random: () => number): string {
  return `${(random() * 223 + 1) | 0}.${(random() * 255) | 0}.${(random() * 255) | 0}.${(random() * 255) | 0}`;
}
