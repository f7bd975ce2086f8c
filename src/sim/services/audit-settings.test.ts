import {
  AccessAnalyzerClient,
  CreateAnalyzerCommand,
  ListAnalyzersCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-accessanalyzer';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeMetricFiltersCommand,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  GetEbsEncryptionByDefaultCommand,
  GetInstanceMetadataDefaultsCommand,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListTopicsCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, startSim, VICTIM_ACCOUNT, EXTERNAL_ACCOUNT, type RunningSim } from '../index.js';
import { runAws, runShell, sdkConfig, type Creds } from '../test-support/aws.js';

let sim: RunningSim;
let admin: Creds;
let reader: Creds;

beforeAll(async () => {
  sim = await startSim({ port: 0, seed: 19 });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  reader = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'reader', {
    managedPolicies: ['arn:aws:iam::aws:policy/AWSDenyAll'],
  }).key;
});
afterAll(async () => {
  await sim.stop();
});

describe('account settings an audit reads, over the wire', () => {
  it('EC2: EBS encryption by default and instance metadata defaults (SDK, aws CLI, python awscli)', async () => {
    const ec2 = new EC2Client(sdkConfig(sim, admin, 'eu-west-1'));
    expect((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(false);
    await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));
    expect((await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault).toBe(true);
    // Per region: us-east-1 is still off.
    const cli = await runAws(sim, admin, ['ec2', 'get-ebs-encryption-by-default', '--output', 'json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ EbsEncryptionByDefault: false });
    expect(
      (await ec2.send(new GetInstanceMetadataDefaultsCommand({}))).AccountLevel?.HttpTokens,
    ).toBeUndefined();
    // The Debian CLI (2.9) predates the metadata defaults API: the second client is python awscli.
    const set = await runShell(
      sim,
      admin,
      'python3 -m awscli ec2 modify-instance-metadata-defaults --http-tokens required --endpoint-url "$AWS_ENDPOINT_URL" --region eu-west-1 && ' +
        'python3 -m awscli ec2 get-instance-metadata-defaults --endpoint-url "$AWS_ENDPOINT_URL" --region eu-west-1 --output json',
    );
    expect(set.stderr).toBe('');
    expect(JSON.parse(set.stdout.slice(set.stdout.indexOf('{', set.stdout.indexOf('}') + 1)))).toMatchObject({
      AccountLevel: { HttpTokens: 'required' },
    });
    expect((await ec2.send(new GetInstanceMetadataDefaultsCommand({}))).AccountLevel?.HttpTokens).toBe(
      'required',
    );
  });

  it('S3 Control: account Block Public Access, absent then set; refused to a caller without rights', async () => {
    // A custom endpoint cannot serve `<account>.host`: the client is told to use the endpoint as given.
    const url = new URL(sim.endpoint);
    const s3c = new S3ControlClient({ ...sdkConfig(sim, admin), endpointProvider: () => ({ url }) });
    await expect(
      s3c.send(new GetPublicAccessBlockCommand({ AccountId: VICTIM_ACCOUNT })),
    ).rejects.toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
    });
    await s3c.send(
      new PutPublicAccessBlockCommand({
        AccountId: VICTIM_ACCOUNT,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
        },
      }),
    );
    const got = await s3c.send(new GetPublicAccessBlockCommand({ AccountId: VICTIM_ACCOUNT }));
    expect(got.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });
    const denied = new S3ControlClient({ ...sdkConfig(sim, reader), endpointProvider: () => ({ url }) });
    await expect(
      denied.send(new GetPublicAccessBlockCommand({ AccountId: VICTIM_ACCOUNT })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    const names = sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events.map((e) => e.eventName);
    expect(names).toContain('PutAccountPublicAccessBlock');
  });

  it('CloudWatch Logs metric filters and CloudWatch alarms (SDK; Logs also through the aws CLI)', async () => {
    const logs = new CloudWatchLogsClient(sdkConfig(sim, admin));
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'trail-logs' }));
    await logs.send(
      new PutMetricFilterCommand({
        logGroupName: 'trail-logs',
        filterName: 'root-use',
        filterPattern: '{ $.userIdentity.type = "Root" }',
        metricTransformations: [{ metricName: 'RootUse', metricNamespace: 'CIS', metricValue: '1' }],
      }),
    );
    const cli = await runAws(sim, admin, [
      'logs',
      'describe-metric-filters',
      '--log-group-name',
      'trail-logs',
      '--output',
      'json',
    ]);
    expect(cli.code).toBe(0);
    expect((JSON.parse(cli.stdout) as { metricFilters: unknown[] }).metricFilters).toMatchObject([
      {
        filterName: 'root-use',
        logGroupName: 'trail-logs',
        metricTransformations: [{ metricName: 'RootUse' }],
      },
    ]);
    const sdk = await logs.send(new DescribeMetricFiltersCommand({}));
    expect(sdk.metricFilters?.[0]?.filterPattern).toBe('{ $.userIdentity.type = "Root" }');

    const cw = new CloudWatchClient(sdkConfig(sim, admin));
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'root-use',
        MetricName: 'RootUse',
        Namespace: 'CIS',
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [`arn:aws:sns:us-east-1:${VICTIM_ACCOUNT}:alerts`],
      }),
    );
    const alarms = await cw.send(new DescribeAlarmsCommand({}));
    expect(alarms.MetricAlarms?.[0]).toMatchObject({
      AlarmName: 'root-use',
      MetricName: 'RootUse',
      AlarmActions: [`arn:aws:sns:us-east-1:${VICTIM_ACCOUNT}:alerts`],
    });
    expect(alarms.MetricAlarms?.[0]?.AlarmConfigurationUpdatedTimestamp).toBeInstanceOf(Date);
  });

  it('Access Analyzer reports a role trusting another account and nothing for in-account trust', async () => {
    const iam = new IAMClient(sdkConfig(sim, admin));
    const trust = (principal: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
      });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'vendor',
        AssumeRolePolicyDocument: trust(`arn:aws:iam::${EXTERNAL_ACCOUNT}:root`),
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'internal',
        AssumeRolePolicyDocument: trust(`arn:aws:iam::${VICTIM_ACCOUNT}:root`),
      }),
    );
    const aa = new AccessAnalyzerClient(sdkConfig(sim, admin));
    const { arn } = await aa.send(new CreateAnalyzerCommand({ analyzerName: 'account', type: 'ACCOUNT' }));
    const listed = await aa.send(new ListAnalyzersCommand({}));
    expect(listed.analyzers?.map((a) => [a.name, a.status])).toEqual([['account', 'ACTIVE']]);
    expect(listed.analyzers?.[0]?.createdAt).toBeInstanceOf(Date);
    const findings = await aa.send(new ListFindingsCommand({ analyzerArn: arn }));
    expect(findings.findings?.map((f) => [f.resource, f.principal?.AWS, f.status])).toEqual([
      [`arn:aws:iam::${VICTIM_ACCOUNT}:role/vendor`, `arn:aws:iam::${EXTERNAL_ACCOUNT}:root`, 'ACTIVE'],
    ]);
    const cli = await runAws(sim, admin, [
      'accessanalyzer',
      'list-findings',
      '--analyzer-arn',
      arn!,
      '--output',
      'json',
    ]);
    expect(cli.code).toBe(0);
    expect(
      (JSON.parse(cli.stdout) as { findings: { resource: string }[] }).findings.map((f) => f.resource),
    ).toEqual([`arn:aws:iam::${VICTIM_ACCOUNT}:role/vendor`]);
    // Another region has no analyzer.
    const other = new AccessAnalyzerClient(sdkConfig(sim, admin, 'eu-west-3'));
    expect((await other.send(new ListAnalyzersCommand({}))).analyzers).toEqual([]);
  });

  it('SNS topics: create (idempotent), list, attributes, through the SDK and the aws CLI', async () => {
    const sns = new SNSClient(sdkConfig(sim, admin));
    const a = await sns.send(new CreateTopicCommand({ Name: 'security-alerts' }));
    const b = await sns.send(new CreateTopicCommand({ Name: 'security-alerts' }));
    expect(a.TopicArn).toBe(`arn:aws:sns:us-east-1:${VICTIM_ACCOUNT}:security-alerts`);
    expect(b.TopicArn).toBe(a.TopicArn);
    const sub = await runAws(sim, admin, [
      'sns',
      'subscribe',
      '--topic-arn',
      a.TopicArn!,
      '--protocol',
      'email',
      '--notification-endpoint',
      'soc@example.com',
      '--output',
      'json',
    ]);
    expect(sub.code).toBe(0);
    expect(JSON.parse(sub.stdout)).toEqual({ SubscriptionArn: 'pending confirmation' });
    const attrs = await sns.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn }));
    expect(attrs.Attributes).toMatchObject({
      TopicArn: a.TopicArn,
      SubscriptionsPending: '1',
      Owner: VICTIM_ACCOUNT,
    });
    const cli = await runAws(sim, admin, ['sns', 'list-topics', '--output', 'json']);
    expect(JSON.parse(cli.stdout)).toEqual({ Topics: [{ TopicArn: a.TopicArn }] });
    expect((await sns.send(new ListTopicsCommand({}))).Topics).toEqual([{ TopicArn: a.TopicArn }]);
    const missing = await runAws(sim, admin, [
      'sns',
      'get-topic-attributes',
      '--topic-arn',
      `${a.TopicArn!}-nope`,
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NotFound');
  });
});
