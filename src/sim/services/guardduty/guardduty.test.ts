import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CloudTrailClient, CreateTrailCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateDetectorCommand,
  DeleteDetectorCommand,
  GetDetectorCommand,
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { amiFor } from '../../scenarios/world.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';
import { instanceRoleSession } from '../../test-support/instance-role.js';
import { createUserWithKey } from '../iam/entities.js';

let sim: RunningSim;
let admin: Creds;
const HOUR = 3_600_000;

beforeAll(async () => {
  sim = await startSim({ seed: 9, clock: new SimClock({ start: '2026-07-01T00:00:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
});
afterAll(() => sim.stop());

describe('GuardDuty', () => {
  it('raises findings on the virtual clock from the account activity, with the real fields', async () => {
    const gd = new GuardDutyClient(sdkConfig(sim, admin));
    const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: true }));
    await expect(gd.send(new CreateDetectorCommand({ Enable: true }))).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([DetectorId]);
    // A day of normal use from one address, then the key shows up somewhere new.
    sim.state.setApparentIp(admin.accessKeyId, '198.51.100.7');
    await new IAMClient(sdkConfig(sim, admin)).send(new ListUsersCommand({}));
    sim.clock.advance(48 * HOUR);
    sim.state.setApparentIp(admin.accessKeyId, '203.0.113.99');
    await new IAMClient(sdkConfig(sim, admin)).send(new ListUsersCommand({}));
    await new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true }).send(
      new CreateBucketCommand({ Bucket: 'trail-b' }),
    );
    const ct = new CloudTrailClient(sdkConfig(sim, admin));
    await ct.send(new CreateTrailCommand({ Name: 'main-trail', S3BucketName: 'trail-b' }));
    await ct.send(new StopLoggingCommand({ Name: 'main-trail' }));
    const miner = Buffer.from('#!/bin/sh\nxmrig -o stratum+tcp://pool.supportxmr.com:443\n').toString(
      'base64',
    );
    const ec2 = new EC2Client(sdkConfig(sim, admin));
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: amiFor('us-east-1'),
        InstanceType: 'p3.2xlarge',
        MinCount: 1,
        MaxCount: 1,
        UserData: miner,
      }),
    );
    // Nothing is published before GuardDuty's delay has passed on the simulated clock.
    expect((await gd.send(new ListFindingsCommand({ DetectorId }))).FindingIds).toEqual([]);
    sim.clock.advance(10 * 60_000);
    const ids = (await gd.send(new ListFindingsCommand({ DetectorId }))).FindingIds ?? [];
    const findings = (await gd.send(new GetFindingsCommand({ DetectorId, FindingIds: ids }))).Findings ?? [];
    const byType = new Map(findings.map((f) => [f.Type ?? '', f] as const));
    expect([...byType.keys()].sort()).toEqual([
      'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      'Discovery:IAMUser/AnomalousBehavior',
      'Stealth:IAMUser/CloudTrailLoggingDisabled',
    ]);
    const discovery = byType.get('Discovery:IAMUser/AnomalousBehavior')!;
    expect(discovery.Resource?.AccessKeyDetails).toMatchObject({
      AccessKeyId: admin.accessKeyId,
      UserName: 'admin',
      UserType: 'IAMUser',
    });
    expect(discovery.Service?.Action?.AwsApiCallAction).toMatchObject({
      Api: 'ListUsers',
      ServiceName: 'iam.amazonaws.com',
    });
    expect(discovery.Service?.Action?.AwsApiCallAction?.RemoteIpDetails?.IpAddressV4).toBe('203.0.113.99');
    const crypto = byType.get('CryptoCurrency:EC2/BitcoinTool.B!DNS')!;
    expect(crypto.Resource?.InstanceDetails?.InstanceId).toBe(run.Instances?.[0]?.InstanceId);
    expect(crypto.Service?.Action?.DnsRequestAction?.Domain).toBe('pool.supportxmr.com');
    expect(crypto.Severity).toBe(8);

    // Cost Explorer bills the instance by the hour on the same clock.
    sim.clock.advance(10 * HOUR - 10 * 60_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [run.Instances![0]!.InstanceId!] }));
    const cost = await new CostExplorerClient(sdkConfig(sim, admin)).send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: '2026-07-03', End: '2026-07-04' },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
      }),
    );
    expect(Number(cost.ResultsByTime?.[0]?.Total?.UnblendedCost?.Amount)).toBeCloseTo(10 * 3.06, 6);

    // Instance-role credentials (the session is named after the instance) used from outside AWS.
    const stolen = await instanceRoleSession(sim, admin);
    sim.state.setApparentIp(stolen.accessKeyId, '3.91.10.10');
    await new EC2Client(sdkConfig(sim, stolen)).send(new DescribeInstancesCommand({}));
    sim.state.setApparentIp(stolen.accessKeyId, '203.0.113.50');
    await new EC2Client(sdkConfig(sim, stolen)).send(new DescribeInstancesCommand({}));
    sim.clock.advance(10 * 60_000);
    const later = (await gd.send(new ListFindingsCommand({ DetectorId }))).FindingIds ?? [];
    const exfil = (
      (await gd.send(new GetFindingsCommand({ DetectorId, FindingIds: later }))).Findings ?? []
    ).filter((f) => f.Type === 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS');
    expect(exfil).toHaveLength(1);
    expect(exfil[0]?.Resource?.AccessKeyDetails).toMatchObject({
      AccessKeyId: stolen.accessKeyId,
      UserType: 'AssumedRole',
      UserName: 'app-server',
    });
    expect(exfil[0]?.Service?.Action?.AwsApiCallAction?.RemoteIpDetails?.IpAddressV4).toBe('203.0.113.50');

    await gd.send(new DeleteDetectorCommand({ DetectorId }));
    expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toEqual([]);
  });

  it('UpdateDetector disables and enables a detector (SDK and the official CLI)', async () => {
    const gd = new GuardDutyClient(sdkConfig(sim, admin, 'eu-west-3'));
    const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: true }));
    await gd.send(new UpdateDetectorCommand({ DetectorId, Enable: false }));
    expect((await gd.send(new GetDetectorCommand({ DetectorId }))).Status).toBe('DISABLED');
    const cli = await runAws(
      sim,
      admin,
      ['guardduty', 'update-detector', '--detector-id', DetectorId!, '--enable'],
      'eu-west-3',
    );
    expect([cli.code, cli.stderr]).toEqual([0, '']);
    expect((await gd.send(new GetDetectorCommand({ DetectorId }))).Status).toBe('ENABLED');
    await expect(
      gd.send(new UpdateDetectorCommand({ DetectorId: 'f'.repeat(32), Enable: true })),
    ).rejects.toMatchObject({
      name: 'BadRequestException',
    });
  });
});
