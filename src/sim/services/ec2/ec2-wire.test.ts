import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVpcsCommand,
  DescribeVolumesCommand,
  EC2Client,
  EC2ServiceException,
  ModifyInstanceAttributeCommand,
  ModifySnapshotAttributeCommand,
  RunInstancesCommand,
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
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';
import { SERVICES } from '../index.js';
import { ec2Service } from './index.js';

const ADMIN = ['arn:aws:iam::aws:policy/AdministratorAccess'];

let sim: RunningSim;
let admin: Creds;
let outsider: Creds;
let nobody: Creds;

beforeAll(async () => {
  // Serve EC2 explicitly so this suite does not depend on the shared service list.
  const services = [
    ...SERVICES.filter((s) => s.signingName !== 'ec2'),
    ec2Service as (typeof SERVICES)[number],
  ];
  sim = await startSim({
    seed: 3,
    services,
    clock: new SimClock({ start: '2026-05-01T09:30:00Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: ADMIN }).key;
  outsider = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'mallory', { managedPolicies: ADMIN }).key;
  nobody = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'intern').key;
});

afterAll(async () => {
  await sim.stop();
});

function ec2(creds: Creds, region = 'us-east-1'): EC2Client {
  return new EC2Client(sdkConfig(sim, creds, region));
}

async function errorOf(promise: Promise<unknown>): Promise<EC2ServiceException> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof EC2ServiceException) return e;
    throw e;
  }
  throw new Error('expected an EC2 error');
}

function events(account: string, name: string) {
  return sim.state.accountOrThrow(account).cloudtrail.events.filter((e) => e.eventName === name);
}

async function launch(client: EC2Client, instanceType: string, count: number): Promise<string[]> {
  const images = await client.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-*-x86_64'] }],
    }),
  );
  const run = await client.send(
    new RunInstancesCommand({
      ImageId: images.Images![0]!.ImageId!,
      InstanceType: instanceType as 't3.micro',
      MinCount: count,
      MaxCount: count,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'miner' }] }],
    }),
  );
  return run.Instances!.map((i) => i.InstanceId!);
}

describe('EC2 over the wire (JS SDK)', () => {
  it('runs, describes, terminates and records RunInstances the way CloudTrail does', async () => {
    const client = ec2(admin);
    const ids = await launch(client, 'p3.16xlarge', 2);
    expect(ids).toHaveLength(2);
    const described = await client.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-type', Values: ['p3.*'] }] }),
    );
    const instances = described.Reservations!.flatMap((r) => r.Instances!);
    expect(instances.map((i) => i.InstanceId)).toEqual(ids);
    expect(instances[0]).toMatchObject({ State: { Code: 16, Name: 'running' }, InstanceType: 'p3.16xlarge' });
    expect(instances[0]!.LaunchTime).toEqual(new Date('2026-05-01T09:30:00Z'));
    expect(instances[0]!.Tags).toEqual([{ Key: 'Name', Value: 'miner' }]);

    const run = events(VICTIM_ACCOUNT, 'RunInstances').at(-1)!;
    expect(run.requestParameters).toMatchObject({
      instanceType: 'p3.16xlarge',
      instancesSet: { items: [{ minCount: 2, maxCount: 2 }] },
    });
    const response = run.responseElements as {
      instancesSet: { items: { instanceId: string }[] };
      requestId: string;
    };
    expect(response.instancesSet.items.map((i) => i.instanceId)).toEqual(ids);
    expect(response.requestId).toBe(run.requestID);
    expect(run).toMatchObject({ awsRegion: 'us-east-1', eventSource: 'ec2.amazonaws.com', readOnly: false });

    const volumes = await client.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: ids }] }),
    );
    expect(volumes.Volumes).toHaveLength(2);
    const terminated = await client.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    expect(terminated.TerminatingInstances!.map((t) => t.CurrentState!.Name)).toEqual([
      'shutting-down',
      'shutting-down',
    ]);
    const after = await client.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    expect(after.Reservations!.flatMap((r) => r.Instances!).map((i) => i.State!.Name)).toEqual([
      'terminated',
      'terminated',
    ]);
  });

  it('raises the typed errors EC2 raises and records them with the Client. prefix', async () => {
    const missing = await errorOf(
      ec2(admin).send(new TerminateInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
    );
    expect(missing.name).toBe('InvalidInstanceID.NotFound');
    expect(missing.$metadata.httpStatusCode).toBe(400);

    const denied = await errorOf(ec2(nobody).send(new DescribeInstancesCommand({})));
    expect(denied.name).toBe('UnauthorizedOperation');
    const record = events(VICTIM_ACCOUNT, 'DescribeInstances').at(-1)!;
    expect(record.errorCode).toBe('Client.UnauthorizedOperation');

    const dryRun = await errorOf(ec2(admin).send(new DescribeRegionsCommand({ DryRun: true })));
    expect(dryRun.name).toBe('DryRunOperation');

    // The playbook's loop: every region DescribeRegions lists answers DescribeInstances.
    const regions = await ec2(admin).send(new DescribeRegionsCommand({}));
    for (const { RegionName } of regions.Regions!) {
      await ec2(admin, RegionName).send(new DescribeInstancesCommand({}));
    }
    expect(events(VICTIM_ACCOUNT, 'DescribeInstances').at(-1)).toMatchObject({
      awsRegion: regions.Regions!.at(-1)!.RegionName,
      requestParameters: { instancesSet: {}, filterSet: {} },
      responseElements: null,
    });
    const optIn = await errorOf(ec2(admin, 'af-south-1').send(new DescribeInstancesCommand({})));
    expect(optIn.name).toBe('AuthFailure');
  });

  it('shares a snapshot across accounts', async () => {
    const client = ec2(admin);
    const [instanceId] = await launch(client, 't3.micro', 1);
    const volumes = await client.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId!] }] }),
    );
    const snap = await client.send(
      new CreateSnapshotCommand({ VolumeId: volumes.Volumes![0]!.VolumeId!, Description: 'db' }),
    );
    await client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: snap.SnapshotId!,
        Attribute: 'createVolumePermission',
        CreateVolumePermission: { Add: [{ UserId: EXTERNAL_ACCOUNT }] },
      }),
    );
    const seen = await ec2(outsider).send(new DescribeSnapshotsCommand({ RestorableByUserIds: ['self'] }));
    expect(seen.Snapshots!.map((s) => [s.SnapshotId, s.OwnerId])).toEqual([
      [snap.SnapshotId, VICTIM_ACCOUNT],
    ]);
    const modify = events(VICTIM_ACCOUNT, 'ModifySnapshotAttribute').at(-1)!;
    expect(modify.requestParameters).toEqual({
      snapshotId: snap.SnapshotId,
      createVolumePermission: { add: { items: [{ userId: EXTERNAL_ACCOUNT }] } },
      attributeType: 'CREATE_VOLUME_PERMISSION',
    });
  });

  it('opens a security group and refuses the same rule twice', async () => {
    const client = ec2(admin);
    const group = await client.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web' }));
    const rule = {
      GroupId: group.GroupId!,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    };
    const added = await client.send(new AuthorizeSecurityGroupIngressCommand(rule));
    expect(added.SecurityGroupRules![0]).toMatchObject({
      FromPort: 443,
      CidrIpv4: '0.0.0.0/0',
      IsEgress: false,
    });
    const duplicate = await errorOf(client.send(new AuthorizeSecurityGroupIngressCommand(rule)));
    expect(duplicate.name).toBe('InvalidPermission.Duplicate');

    // Isolation: swap the instance's groups for an empty one in the same (default) VPC.
    const vpcs = await client.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    const isolation = await client.send(
      new CreateSecurityGroupCommand({
        GroupName: 'isolation',
        Description: 'none',
        VpcId: vpcs.Vpcs![0]!.VpcId!,
      }),
    );
    const [instanceId] = await launch(client, 't3.micro', 1);
    await client.send(
      new ModifyInstanceAttributeCommand({ InstanceId: instanceId!, Groups: [isolation.GroupId!] }),
    );
    const described = await client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId!] }));
    expect(described.Reservations![0]!.Instances![0]!.SecurityGroups).toEqual([
      { GroupId: isolation.GroupId, GroupName: 'isolation' },
    ]);
  });
});

describe('EC2 with the AWS CLI', () => {
  it('answers the playbook commands: describe-regions loop, launch-time filter with --query, terminate', async () => {
    const regions = await runAws(sim, admin, [
      'ec2',
      'describe-regions',
      '--query',
      'Regions[].RegionName',
      '--output',
      'text',
    ]);
    expect(regions.stderr).toBe('');
    expect(regions.stdout.trim().split(/\s+/)).toHaveLength(17);

    const ids = await launch(ec2(admin, 'eu-west-1'), 'c5.24xlarge', 1);
    const listed = await runAws(
      sim,
      admin,
      [
        'ec2',
        'describe-instances',
        '--filters',
        'Name=launch-time,Values=2026-05-01*',
        'Name=instance-state-name,Values=running',
        '--query',
        'Reservations[].Instances[].[InstanceId,InstanceType,LaunchTime]',
        '--output',
        'text',
      ],
      'eu-west-1',
    );
    expect(listed.stderr).toBe('');
    expect(listed.stdout.trim()).toBe(`${ids[0]}\tc5.24xlarge\t2026-05-01T09:30:00+00:00`);

    const terminated = await runAws(
      sim,
      admin,
      ['ec2', 'terminate-instances', '--instance-ids', ids[0]!],
      'eu-west-1',
    );
    expect(JSON.parse(terminated.stdout)).toEqual({
      TerminatingInstances: [
        {
          CurrentState: { Code: 32, Name: 'shutting-down' },
          InstanceId: ids[0],
          PreviousState: { Code: 16, Name: 'running' },
        },
      ],
    });
  });

  it('shares a snapshot and opens SSH with the CLI shorthand forms', async () => {
    const client = ec2(admin);
    const [instanceId] = await launch(client, 't3.micro', 1);
    const volumes = await client.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId!] }] }),
    );
    const snap = await client.send(new CreateSnapshotCommand({ VolumeId: volumes.Volumes![0]!.VolumeId! }));
    const share = await runAws(sim, admin, [
      'ec2',
      'modify-snapshot-attribute',
      '--snapshot-id',
      snap.SnapshotId!,
      '--attribute',
      'createVolumePermission',
      '--operation-type',
      'add',
      '--group-names',
      'all',
    ]);
    expect(share.stderr).toBe('');
    const attr = await client.send(
      new DescribeSnapshotAttributeCommand({
        SnapshotId: snap.SnapshotId!,
        Attribute: 'createVolumePermission',
      }),
    );
    expect(attr.CreateVolumePermissions).toEqual([{ Group: 'all' }]);

    const group = await client.send(new CreateSecurityGroupCommand({ GroupName: 'ssh', Description: 'ssh' }));
    const open = await runAws(sim, admin, [
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      group.GroupId!,
      '--protocol',
      'tcp',
      '--port',
      '22',
      '--cidr',
      '0.0.0.0/0',
    ]);
    expect(open.stderr).toBe('');
    expect(JSON.parse(open.stdout)).toMatchObject({
      Return: true,
      SecurityGroupRules: [{ FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' }],
    });
  });
});
