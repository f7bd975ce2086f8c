import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessAnalyzerClient, CreateAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client, EnableEbsEncryptionByDefaultCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateDetectorCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PutPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUserWithKey,
  EXTERNAL_ACCOUNT,
  recordConsoleLogin,
  SimClock,
  startSim,
  VICTIM_ACCOUNT,
  type RunningSim,
} from '../sim/index.js';
import { publicImages } from '../sim/services/ec2/images.js';
import { runAws, runShell, sdkConfig, type Creds } from '../sim/test-support/aws.js';
import { runCli } from '../test-support/cli.js';
import type { AuditReport, CheckResult } from './types.js';

const DAY = 86_400_000;
const REGIONS = ['--only-region', 'us-east-1', '--only-region', 'eu-west-1'];
const ROOT_FILTER =
  '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';

let sim: RunningSim;
let admin: Creds;
let root: string;
let first: { code: number; report: AuditReport; out: string };

const clock = () => ({
  now: () => sim.clock.now(),
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
});

async function aws(args: string[], region = 'us-east-1'): Promise<string> {
  const r = await runAws(sim, admin, [...args, '--output', 'json'], region);
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function auditJson(args: string[] = [], creds: Creds = admin) {
  const r = await runCli(['audit', '--json', ...REGIONS, ...args], {
    endpoint: sim.endpoint,
    creds,
    root,
    clock: clock(),
  });
  return {
    code: r.code,
    report: JSON.parse(r.out) as AuditReport & { history?: { file: string; trend: string; runs: number } },
    out: r.out,
    err: r.err,
  };
}

const check = (r: AuditReport, id: string): CheckResult => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
};

/**
 * A simulated account with a seeded mix of hygiene problems, planted with the AWS CLI (the root
 * user's console sign-in is played by the simulator, which has no console).
 */
beforeAll(async () => {
  sim = await startSim({
    port: 0,
    seed: 19,
    clock: new SimClock({ start: '2026-01-01T00:00:00Z', frozen: true }),
  });
  root = mkdtempSync(join(tmpdir(), 'tq-audit-'));
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  const c = (region = 'us-east-1') => sdkConfig(sim, admin, region);
  const iam = new IAMClient(c());
  // A key created and never used, then 200 days pass.
  await iam.send(new CreateUserCommand({ UserName: 'stale' }));
  await iam.send(new CreateAccessKeyCommand({ UserName: 'stale' }));
  sim.clock.advance(200 * DAY);
  await iam.send(new CreateUserCommand({ UserName: 'twokeys' }));
  await iam.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }));
  await iam.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }));
  await iam.send(new CreateUserCommand({ UserName: 'console-nomfa' }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'vendor',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${EXTERNAL_ACCOUNT}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  const s3 = new S3Client({ ...c(), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'customer-data' }));
  const ct = new CloudTrailClient(c());
  await ct.send(new CreateTrailCommand({ Name: 'local', S3BucketName: 'trail-logs' }));
  await ct.send(new StartLoggingCommand({ Name: 'local' }));
  await new GuardDutyClient(c()).send(new CreateDetectorCommand({ Enable: true }));
  await new AccessAnalyzerClient(c()).send(
    new CreateAnalyzerCommand({ analyzerName: 'account', type: 'ACCOUNT' }),
  );
  const logs = new CloudWatchLogsClient(c());
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'trail' }));
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: 'trail',
      filterName: 'root-use',
      filterPattern: ROOT_FILTER,
      metricTransformations: [{ metricName: 'RootUse', metricNamespace: 'CIS', metricValue: '1' }],
    }),
  );
  const topic = (await new SNSClient(c()).send(new CreateTopicCommand({ Name: 'security' }))).TopicArn!;
  await new CloudWatchClient(c()).send(
    new PutMetricAlarmCommand({
      AlarmName: 'root-use',
      MetricName: 'RootUse',
      Namespace: 'CIS',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    }),
  );
  // The CLI sends S3 Control to `<account>.host`, which a local endpoint cannot serve: the SDK,
  // told to use the endpoint as given, plants this one.
  await new S3ControlClient({ ...c(), endpointProvider: () => ({ url: new URL(sim.endpoint) }) }).send(
    new PutPublicAccessBlockCommand({
      AccountId: VICTIM_ACCOUNT,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true },
    }),
  );
  const ec2 = new EC2Client(c());
  await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
  await ec2.send(
    new RunInstancesCommand({
      ImageId: publicImages('us-east-1')[0]!.imageId,
      InstanceType: 't3.micro',
      MetadataOptions: { HttpTokens: 'optional' },
      MinCount: 1,
      MaxCount: 1,
    }),
  );
  // The AWS CLI, a second client, plants the rest.
  const pattern = JSON.stringify({ source: ['aws.iam'], 'detail-type': ['AWS API Call via CloudTrail'] });
  const cli = await runShell(
    sim,
    admin,
    [
      '$AWS iam create-login-profile --user-name console-nomfa --password "Correct-Horse-9"',
      '$AWS iam update-account-password-policy --minimum-password-length 8',
      `$AWS events put-rule --name iam-changes --event-pattern '${pattern}'`,
      `$AWS events put-targets --rule iam-changes --targets Id=sns,Arn=${topic}`,
    ]
      .map((cmd) => `${cmd} >/dev/null`)
      .join(' && '),
  );
  if (cli.code !== 0) throw new Error(cli.stderr);
  recordConsoleLogin(sim.state, {
    accountId: VICTIM_ACCOUNT,
    success: true,
    sourceIp: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
  });
  sim.clock.advance(DAY);
  const r = await auditJson(['--history', join(root, 'history')]);
  first = r;
}, 120_000);
afterAll(async () => {
  await sim.stop();
});

describe('tourniquet audit on a simulated account with hygiene problems', () => {
  it('reports each planted problem with the right status, evidence and CIS control', () => {
    const r = first.report;
    expect(r.account).toBe(VICTIM_ACCOUNT);
    const status = Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
    expect(status).toEqual({
      'iam.one-active-key': 'fail',
      'iam.key-rotation': 'fail',
      'iam.unused-credentials': 'fail',
      'iam.console-mfa': 'fail',
      'root.mfa': 'fail',
      'root.access-keys': 'pass',
      'root.recent-use': 'fail',
      'iam.password-length': 'fail',
      'iam.password-reuse': 'fail',
      'cloudtrail.multi-region': 'fail',
      'cloudtrail.log-file-validation': 'fail',
      'cloudtrail.separate-bucket': 'fail',
      'cloudtrail.s3-data-events': 'fail',
      'guardduty.every-region': 'fail',
      'access-analyzer.every-region': 'fail',
      'access-analyzer.external-access': 'fail',
      'alarms.root-use': 'pass',
      'alarms.iam-changes': 'pass',
      'alarms.console-failures': 'fail',
      'organizations.scps': 'not-applicable',
      's3.account-public-access-block': 'fail',
      'ec2.ebs-default-encryption': 'fail',
      'ec2.imdsv2': 'fail',
    });
    expect(first.code).toBe(0);
    expect(check(r, 'iam.one-active-key').evidence).toEqual(['twokeys: 2 active keys']);
    expect(check(r, 'iam.key-rotation').evidence.join('\n')).toMatch(
      /^stale: key created 2026-01-01 \(201 days\)$/m,
    );
    expect(check(r, 'iam.unused-credentials').evidence).toContain(
      'stale: active key never used (created 2026-01-01)',
    );
    expect(check(r, 'iam.console-mfa').evidence).toEqual([
      '1 of 1 console users (100%) without MFA: console-nomfa',
    ]);
    expect(check(r, 'iam.console-mfa').cis).toEqual(['1.10']);
    expect(check(r, 'iam.password-length').evidence).toEqual(['minimum length 8']);
    expect(check(r, 'cloudtrail.multi-region').evidence[0]).toContain('local (only us-east-1)');
    expect(check(r, 'cloudtrail.separate-bucket').evidence).toEqual([
      'local → trail-logs, a bucket of this account',
    ]);
    expect(check(r, 'cloudtrail.s3-data-events').evidence).toEqual([
      'customer-data: no read or write data events',
    ]);
    expect(check(r, 'guardduty.every-region').evidence).toEqual(['eu-west-1: no detector']);
    expect(check(r, 'access-analyzer.every-region').evidence).toEqual(['eu-west-1: no analyzer']);
    expect(check(r, 'access-analyzer.external-access').evidence.join('\n')).toContain(
      `role/vendor (AWS::IAM::Role) → arn:aws:iam::${EXTERNAL_ACCOUNT}:root`,
    );
    expect(check(r, 'alarms.root-use').evidence[0]).toMatch(
      /^us-east-1: metric filter root-use on trail → alarm root-use → arn:aws:sns:us-east-1:\d+:security$/,
    );
    expect(check(r, 'alarms.iam-changes').evidence).toEqual([
      'us-east-1: EventBridge rule iam-changes (1 target)',
    ]);
    expect(check(r, 's3.account-public-access-block').evidence).toEqual([
      'IgnorePublicAcls is false',
      'BlockPublicPolicy is false',
      'RestrictPublicBuckets is false',
    ]);
    expect(check(r, 'ec2.ebs-default-encryption').evidence).toEqual(['eu-west-1: off']);
    // The simulated instance reports HttpTokens required (as the sim's AMIs do): only the defaults fail.
    expect(check(r, 'ec2.imdsv2').evidence).toEqual([
      'us-east-1: account default HttpTokens not set (instances default to optional)',
      'eu-west-1: account default HttpTokens not set (instances default to optional)',
    ]);
    expect(r.metrics).toMatchObject({
      users: 4,
      activeKeys: 4,
      maxActiveKeysPerUser: 2,
      oldestActiveKeyAgeDays: 201,
      activeKeysOlderThan90Days: 2,
      consoleUsers: 1,
      consoleUsersWithoutMfa: 1,
      consoleUsersWithoutMfaPercent: 100,
      checksFailed: 19,
      checksPassed: 3,
      checksNotChecked: 0,
    });
  });

  it('--history keeps each run, prints the trend and charts it; a corrupt kept file is skipped and left', async () => {
    const dir = join(root, 'history');
    expect(first.report).toMatchObject({ history: { runs: 1 } });
    // Fix two problems, then audit again a day later.
    await aws(['ec2', 'enable-ebs-encryption-by-default'], 'eu-west-1');
    const keys = JSON.parse(await aws(['iam', 'list-access-keys', '--user-name', 'twokeys'])) as {
      AccessKeyMetadata: { AccessKeyId: string }[];
    };
    await aws([
      'iam',
      'delete-access-key',
      '--user-name',
      'twokeys',
      '--access-key-id',
      keys.AccessKeyMetadata[0]!.AccessKeyId,
    ]);
    writeFileSync(join(dir, 'audit-20260101T000000Z.json'), '{"at": "2026-01-01T00:00:00Z", "metr');
    sim.clock.advance(DAY);
    const human = await runCli(['audit', ...REGIONS, '--history', dir], {
      endpoint: sim.endpoint,
      creds: admin,
      root,
      clock: clock(),
    });
    expect(human.code).toBe(0);
    expect(human.err).toContain('audit-20260101T000000Z.json is not a readable audit run');
    expect(human.out).toMatch(/Trend over 2 run\(s\)/);
    expect(human.out).toMatch(/active access keys\s+4\s+4\s+3\s+-1/);
    expect(human.out).toMatch(/pass\s+ec2\.ebs-default-encryption/);
    expect(readdirSync(dir).filter((n) => n.startsWith('audit-')).length).toBe(3);
    const html = readFileSync(join(dir, 'trend.html'), 'utf8');
    expect(html).toContain('<h1>Audit trend of account 111122223333</h1>');
    expect(html.match(/<polyline /g)?.length).toBe(12);
    expect(html).toContain('active access keys: <b>3</b>');
  });

  it('without iam:GenerateCredentialReport: "not checked" lines with why, exit 3, no crash', async () => {
    const limited = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'auditor', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      inlinePolicies: {
        'no-report': {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: ['iam:GenerateCredentialReport', 'guardduty:ListDetectors'],
              Resource: '*',
            },
          ],
        },
      },
    }).key;
    const r = await auditJson([], limited);
    expect(r.code).toBe(3);
    const mfa = check(r.report, 'iam.console-mfa');
    expect(mfa.status).toBe('not-checked');
    expect(mfa.why).toMatch(/^IAM GenerateCredentialReport: .*AccessDenied/);
    expect(check(r.report, 'root.mfa').status).toBe('not-checked');
    expect(check(r.report, 'guardduty.every-region')).toMatchObject({ status: 'not-checked' });
    expect(check(r.report, 'guardduty.every-region').why).toMatch(/GuardDuty ListDetectors in us-east-1/);
    expect(r.report.metrics.activeKeys).toBeNull();
    // The rest is still judged.
    expect(check(r.report, 'iam.password-length').status).toBe('fail');
  });
});
