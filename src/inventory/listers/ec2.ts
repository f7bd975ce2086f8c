import {
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeSpotInstanceRequestsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { item, nameTag, listPages } from '../item.js';
import type { ListContext, ListerDef } from '../types.js';

const ec2 = (ctx: ListContext): EC2Client => ctx.pool.get(EC2Client, ctx.region);
const arnOf = (ctx: ListContext, kind: string, id: string): string =>
  `arn:aws:ec2:${ctx.region}:${ctx.account}:${kind}/${id}`;

/** Security group rules, flattened to what a responder reads: protocol, ports, from where. */
function rules(perms: IpPermission[] | undefined) {
  return (perms ?? []).map((p) => ({
    protocol: p.IpProtocol,
    fromPort: p.FromPort,
    toPort: p.ToPort,
    cidrs: [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)],
    groups: (p.UserIdGroupPairs ?? []).map((g) => (g.UserId ? `${g.UserId}/${g.GroupId}` : g.GroupId)),
  }));
}

/** Decoded user data (attacker-controlled: it is kept as evidence, never interpreted). */
function userDataText(value: string | undefined): string | null {
  return value ? Buffer.from(value, 'base64').toString('utf8') : null;
}

/** Every EC2 resource type scope reads, one declaration each (regional). */
export const EC2_LISTERS: ListerDef[] = [
  {
    id: 'ec2.instances',
    service: 'ec2',
    scope: 'regional',
    async list(ctx) {
      const client = ec2(ctx);
      const reservations = await listPages(
        ctx,
        'list',
        (t) => client.send(new DescribeInstancesCommand({ NextToken: t })),
        (o) => [o.Reservations, o.NextToken],
      );
      const instances = (reservations ?? []).flatMap((r) => r.Instances ?? []);
      return Promise.all(
        instances.map(async (i) => {
          const id = i.InstanceId ?? '';
          const live = i.State?.Name !== 'terminated';
          const userData = live
            ? await ctx.read('user-data', () =>
                client.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' })),
              )
            : undefined;
          return item(ctx, {
            type: 'AWS::EC2::Instance',
            id,
            name: nameTag(i.Tags) ?? id,
            arn: arnOf(ctx, 'instance', id),
            createdAt: i.LaunchTime,
            data: {
              state: i.State?.Name,
              instanceType: i.InstanceType,
              imageId: i.ImageId,
              keyName: i.KeyName,
              instanceProfile: i.IamInstanceProfile?.Arn,
              securityGroups: (i.SecurityGroups ?? []).map((g) => g.GroupId),
              publicIp: i.PublicIpAddress,
              volumes: (i.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId).filter(Boolean),
              userData: userData === undefined ? undefined : userDataText(userData?.UserData?.Value),
            },
          });
        }),
      );
    },
  },
  {
    id: 'ec2.volumes',
    service: 'ec2',
    scope: 'regional',
    async list(ctx) {
      const client = ec2(ctx);
      const volumes = await listPages(
        ctx,
        'list',
        (t) => client.send(new DescribeVolumesCommand({ NextToken: t })),
        (o) => [o.Volumes, o.NextToken],
      );
      return (volumes ?? []).map((v) =>
        item(ctx, {
          type: 'AWS::EC2::Volume',
          id: v.VolumeId ?? '',
          name: nameTag(v.Tags) ?? v.VolumeId ?? '',
          arn: arnOf(ctx, 'volume', v.VolumeId ?? ''),
          createdAt: v.CreateTime,
          data: {
            size: v.Size,
            state: v.State,
            encrypted: v.Encrypted,
            snapshotId: v.SnapshotId || undefined,
            attachedTo: (v.Attachments ?? []).map((a) => a.InstanceId),
          },
        }),
      );
    },
  },
  {
    id: 'ec2.snapshots',
    service: 'ec2',
    scope: 'regional',
    async list(ctx) {
      const client = ec2(ctx);
      const snapshots = await listPages(
        ctx,
        'list',
        (t) => client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], NextToken: t })),
        (o) => [o.Snapshots, o.NextToken],
      );
      return Promise.all(
        (snapshots ?? []).map(async (s) => {
          const id = s.SnapshotId ?? '';
          const attr = await ctx.read('create-volume-permissions', () =>
            client.send(
              new DescribeSnapshotAttributeCommand({ SnapshotId: id, Attribute: 'createVolumePermission' }),
            ),
          );
          return item(ctx, {
            type: 'AWS::EC2::Snapshot',
            id,
            name: nameTag(s.Tags) ?? id,
            arn: `arn:aws:ec2:${ctx.region}::snapshot/${id}`,
            createdAt: s.StartTime,
            data: {
              volumeId: s.VolumeId,
              description: s.Description,
              encrypted: s.Encrypted,
              sharedWith:
                attr === undefined
                  ? undefined
                  : (attr?.CreateVolumePermissions ?? [])
                      .map((p) => p.Group ?? p.UserId ?? '')
                      .filter(Boolean),
            },
          });
        }),
      );
    },
  },
  {
    id: 'ec2.images',
    service: 'ec2',
    scope: 'regional',
    async list(ctx) {
      const client = ec2(ctx);
      const images = await listPages(
        ctx,
        'list',
        (t) => client.send(new DescribeImagesCommand({ Owners: ['self'], NextToken: t })),
        (o) => [o.Images, o.NextToken],
      );
      return Promise.all(
        (images ?? []).map(async (im) => {
          const id = im.ImageId ?? '';
          const attr = await ctx.read('launch-permissions', () =>
            client.send(new DescribeImageAttributeCommand({ ImageId: id, Attribute: 'launchPermission' })),
          );
          return item(ctx, {
            type: 'AWS::EC2::Image',
            id,
            name: im.Name ?? id,
            arn: `arn:aws:ec2:${ctx.region}::image/${id}`,
            createdAt: im.CreationDate,
            data: {
              public: im.Public,
              state: im.State,
              snapshots: (im.BlockDeviceMappings ?? []).map((b) => b.Ebs?.SnapshotId).filter(Boolean),
              sharedWith:
                attr === undefined
                  ? undefined
                  : (attr?.LaunchPermissions ?? []).map((p) => p.Group ?? p.UserId ?? '').filter(Boolean),
            },
          });
        }),
      );
    },
  },
  {
    id: 'ec2.security-groups',
    service: 'ec2',
    scope: 'regional',
    async list(ctx) {
      const client = ec2(ctx);
      const groups = await listPages(
        ctx,
        'list',
        (t) => client.send(new DescribeSecurityGroupsCommand({ NextToken: t })),
        (o) => [o.SecurityGroups, o.NextToken],
      );
      return (groups ?? []).map((g) =>
        item(ctx, {
          type: 'AWS::EC2::SecurityGroup',
          id: g.GroupId ?? '',
          name: g.GroupName ?? g.GroupId ?? '',
          arn: arnOf(ctx, 'security-group', g.GroupId ?? ''),
          data: {
            vpcId: g.VpcId,
            description: g.Description,
            ingress: rules(g.IpPermissions),
            egress: rules(g.IpPermissionsEgress),
          },
        }),
      );
    },
  },
  {
    id: 'ec2.key-pairs',
    service: 'ec2',
    scope: 'regional',
    async list(ctx) {
      const client = ec2(ctx);
      const out = await ctx.read('list', () => client.send(new DescribeKeyPairsCommand({})));
      return (out?.KeyPairs ?? []).map((k) =>
        item(ctx, {
          type: 'AWS::EC2::KeyPair',
          id: k.KeyName ?? '',
          name: k.KeyName ?? '',
          arn: arnOf(ctx, 'key-pair', k.KeyPairId ?? k.KeyName ?? ''),
          createdAt: k.CreateTime,
          data: { keyPairId: k.KeyPairId, fingerprint: k.KeyFingerprint, keyType: k.KeyType },
        }),
      );
    },
  },
  {
    id: 'ec2.launch-templates',
    service: 'ec2',
    scope: 'regional',
    async list(ctx) {
      const client = ec2(ctx);
      const templates = await listPages(
        ctx,
        'list',
        (t) => client.send(new DescribeLaunchTemplatesCommand({ NextToken: t })),
        (o) => [o.LaunchTemplates, o.NextToken],
      );
      return (templates ?? []).map((t) =>
        item(ctx, {
          type: 'AWS::EC2::LaunchTemplate',
          id: t.LaunchTemplateId ?? '',
          name: t.LaunchTemplateName ?? t.LaunchTemplateId ?? '',
          arn: arnOf(ctx, 'launch-template', t.LaunchTemplateId ?? ''),
          createdAt: t.CreateTime,
          data: {
            createdBy: t.CreatedBy,
            defaultVersion: t.DefaultVersionNumber,
            latestVersion: t.LatestVersionNumber,
          },
        }),
      );
    },
  },
  {
    id: 'ec2.spot-requests',
    service: 'ec2',
    scope: 'regional',
    async list(ctx) {
      const client = ec2(ctx);
      const requests = await listPages(
        ctx,
        'list',
        (t) => client.send(new DescribeSpotInstanceRequestsCommand({ NextToken: t })),
        (o) => [o.SpotInstanceRequests, o.NextToken],
      );
      return (requests ?? []).map((r) =>
        item(ctx, {
          type: 'AWS::EC2::SpotInstanceRequest',
          id: r.SpotInstanceRequestId ?? '',
          name: r.SpotInstanceRequestId ?? '',
          arn: arnOf(ctx, 'spot-instances-request', r.SpotInstanceRequestId ?? ''),
          createdAt: r.CreateTime,
          data: {
            state: r.State,
            instanceId: r.InstanceId,
            instanceType: r.LaunchSpecification?.InstanceType,
          },
        }),
      );
    },
  },
];
