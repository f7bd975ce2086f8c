import {
  CreateSnapshotCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DescribeImageAttributeCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifyInstanceAttributeCommand,
  ModifySnapshotAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
  type Instance,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { classifyAwsError } from '../../aws/errors.js';
import type { ClientPool } from '../../aws/pool.js';
import type { ApplyContext, StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, listParam, removal, restoration, waitWith } from './declare.js';

const ec2 = (pool: ClientPool, p: StepParams) => pool.get(EC2Client, p.region);

/** Tags that mark a snapshot as this case's evidence (and find it again on a resumed run). */
export const EVIDENCE_TAG = { case: 'tourniquet:case', volume: 'tourniquet:evidence-of' } as const;

async function readInstance(pool: ClientPool, p: StepParams): Promise<Instance | undefined> {
  const out = await readOrAbsent(() =>
    ec2(pool, p).send(new DescribeInstancesCommand({ InstanceIds: [p.instanceId!] })),
  );
  return out?.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === p.instanceId);
}

interface EvidenceSnapshot {
  volumeId: string;
  device: string | undefined;
  snapshotId: string;
  state: string | undefined;
}

/**
 * One snapshot per EBS volume, tagged with the case: a resumed run finds the snapshot it made
 * before it was interrupted instead of making a second one.
 */
async function snapshotVolumes(
  pool: ClientPool,
  p: StepParams,
  instance: Instance,
  context: ApplyContext,
): Promise<EvidenceSnapshot[]> {
  const client = ec2(pool, p);
  const out: EvidenceSnapshot[] = [];
  for (const device of instance.BlockDeviceMappings ?? []) {
    const volumeId = device.Ebs?.VolumeId;
    if (!volumeId) continue;
    const existing = await client.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${EVIDENCE_TAG.case}`, Values: [context.caseId] },
          { Name: `tag:${EVIDENCE_TAG.volume}`, Values: [`${p.instanceId}/${volumeId}`] },
        ],
      }),
    );
    const found = existing.Snapshots?.[0];
    const snapshot =
      found ??
      (await client.send(
        new CreateSnapshotCommand({
          VolumeId: volumeId,
          Description: `Tourniquet evidence: ${device.DeviceName ?? volumeId} of ${p.instanceId} (case ${context.caseId})`,
          TagSpecifications: [
            {
              ResourceType: 'snapshot',
              Tags: [
                { Key: EVIDENCE_TAG.case, Value: context.caseId },
                { Key: EVIDENCE_TAG.volume, Value: `${p.instanceId}/${volumeId}` },
              ],
            },
          ],
        }),
      ));
    out.push({
      volumeId,
      device: device.DeviceName,
      snapshotId: snapshot.SnapshotId!,
      state: snapshot.State,
    });
  }
  // EBS takes the point-in-time copy when asked, but the volume is deleted with the instance:
  // terminate only once every snapshot is complete.
  const ids = out.map((s) => s.snapshotId);
  if (ids.length) {
    const { value, settled } = await waitWith(
      context,
      async () => (await client.send(new DescribeSnapshotsCommand({ SnapshotIds: ids }))).Snapshots ?? [],
      (snaps) => snaps.every((s) => s.State === 'completed'),
    );
    for (const s of out) s.state = value.find((v) => v.SnapshotId === s.snapshotId)?.State ?? s.state;
    if (!settled)
      throw new Error(
        `evidence snapshots ${ids.join(', ')} are not complete yet; the instance is left running until they are (run the apply again)`,
      );
  }
  return out;
}

/**
 * Terminate an instance the attacker launched, once its disks, user data and description are
 * kept: an EBS snapshot of every volume (ids recorded), the user data decoded, the instance as
 * DescribeInstances showed it. Termination protection set by the attacker is lifted first.
 */
export const terminateInstance = removal<Instance>({
  name: 'terminate-instance',
  summary: 'snapshot every EBS volume, keep the user data and description, then terminate the instance',
  irreversibleBecause:
    'a terminated instance cannot be started again; its volumes live on as the evidence snapshots',
  target: (p) => `${p.region ?? '?'}/${p.instanceId ?? '?'}`,
  async read(pool, p) {
    const instance = await readInstance(pool, p);
    if (!instance) return undefined;
    const state = instance.State?.Name;
    return {
      state: instance,
      created: instance.LaunchTime?.toISOString(),
      gone: state === 'terminated' || state === 'shutting-down',
    };
  },
  summarize: (i) => ({
    instanceType: i.InstanceType,
    state: i.State?.Name,
    launchTime: i.LaunchTime?.toISOString(),
    keyName: i.KeyName,
    volumes: (i.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId),
    securityGroups: (i.SecurityGroups ?? []).map((g) => g.GroupId),
  }),
  describe: (i) =>
    `snapshot ${(i.BlockDeviceMappings ?? []).length} volume(s), keep user data and description, terminate (${i.InstanceType ?? '?'}, ${i.State?.Name ?? '?'})`,
  async preserve(pool, p, instance, context) {
    const client = ec2(pool, p);
    const described = await context.keep(
      'instance.json',
      asJson(instance),
      `ec2:DescribeInstances ${p.region}`,
    );
    const attr = await client.send(
      new DescribeInstanceAttributeCommand({ InstanceId: p.instanceId, Attribute: 'userData' }),
    );
    const encoded = attr.UserData?.Value;
    const userData = encoded
      ? await context.keep(
          'user-data',
          Buffer.from(encoded, 'base64'),
          `ec2:DescribeInstanceAttribute userData ${p.region}`,
        )
      : null;
    const snapshots = await snapshotVolumes(pool, p, instance, context);
    const listed = await context.keep('snapshots.json', asJson(snapshots), `ec2:CreateSnapshot ${p.region}`);
    return { described, userData, snapshots, listed };
  },
  async remove(pool, p, instance) {
    const client = ec2(pool, p);
    const protectedAttr = await client.send(
      new DescribeInstanceAttributeCommand({ InstanceId: p.instanceId, Attribute: 'disableApiTermination' }),
    );
    if (protectedAttr.DisableApiTermination?.Value)
      await client.send(
        new ModifyInstanceAttributeCommand({
          InstanceId: p.instanceId,
          DisableApiTermination: { Value: false },
        }),
      );
    await client.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId!] }));
  },
});

async function readGroup(pool: ClientPool, p: StepParams): Promise<SecurityGroup | undefined> {
  const out = await readOrAbsent(() =>
    ec2(pool, p).send(new DescribeSecurityGroupsCommand({ GroupIds: [p.groupId!] })),
  );
  return out?.SecurityGroups?.[0];
}

/** Delete a security group the attacker created (after its instances are terminated). */
export const deleteSecurityGroup = removal<SecurityGroup>({
  name: 'delete-security-group',
  summary: 'keep its rules, then delete a security group the attacker created',
  irreversibleBecause: 'a deleted security group cannot be restored (its rules are in the evidence)',
  target: (p) => `${p.region ?? '?'}/${p.groupId ?? '?'}`,
  async read(pool, p) {
    const group = await readGroup(pool, p);
    return group && { state: group };
  },
  describe: (g) =>
    `keep ${(g.IpPermissions ?? []).length} ingress and ${(g.IpPermissionsEgress ?? []).length} egress rule(s), delete ${g.GroupName ?? '?'}`,
  preserve: (_pool, p, g, context) =>
    context.keep('security-group.json', asJson(g), `ec2:DescribeSecurityGroups ${p.region}`),
  async remove(pool, p, _g, context) {
    // Instances terminated just before still hold the group while they shut down.
    const { settled } = await waitWith(
      context,
      async () => {
        try {
          await readOrAbsent(() => ec2(pool, p).send(new DeleteSecurityGroupCommand({ GroupId: p.groupId })));
          return true;
        } catch (error) {
          if (classifyAwsError(error).code === 'DependencyViolation') return false;
          throw error;
        }
      },
      (done) => done,
    );
    if (!settled)
      throw new Error(
        `${p.groupId} is still in use (DependencyViolation); run the apply again once its instances are gone`,
      );
  },
});

/** The rules of a pre-existing group that open `port` to `cidr` (the attacker's addition). */
function attackerRules(g: SecurityGroup, p: StepParams): IpPermission[] {
  const port = Number(p.port);
  const protocol = p.protocol ?? 'tcp';
  return (g.IpPermissions ?? [])
    .filter(
      (r) =>
        (r.IpProtocol === protocol || r.IpProtocol === '-1') &&
        (r.IpProtocol === '-1' || ((r.FromPort ?? 0) <= port && (r.ToPort ?? 65535) >= port)),
    )
    .map((r) => ({
      ...r,
      IpRanges: (r.IpRanges ?? []).filter((x) => x.CidrIp === p.cidr),
      Ipv6Ranges: (r.Ipv6Ranges ?? []).filter((x) => x.CidrIpv6 === p.cidr),
      UserIdGroupPairs: [],
      PrefixListIds: [],
    }))
    .filter((r) => r.IpRanges.length + r.Ipv6Ranges.length > 0);
}

/** Take an ingress rule the attacker added out of a security group that stays. */
export const revokeIngress = restoration<SecurityGroup>({
  name: 'revoke-ingress',
  summary: 'keep the rules, then revoke the ingress the attacker opened on an existing security group',
  target: (p) =>
    `${p.region ?? '?'}/${p.groupId ?? '?'}/${p.protocol ?? 'tcp'}:${p.port ?? '?'}/${p.cidr ?? '?'}`,
  read: readGroup,
  restored: (g, p) => attackerRules(g, p).length === 0,
  describe: (_g, p) => `keep the rules, revoke ${p.protocol ?? 'tcp'}/${p.port ?? '?'} from ${p.cidr ?? '?'}`,
  evidence: (g) => [{ file: 'security-group.json', content: asJson(g) }],
  async write(pool, p, g) {
    const rules = attackerRules(g, p);
    await ec2(pool, p).send(
      new RevokeSecurityGroupIngressCommand({ GroupId: p.groupId, IpPermissions: rules }),
    );
    return { revoked: rules.length };
  },
});

/** Delete an SSH key pair the attacker created or imported. */
export const deleteKeyPair = removal<Record<string, unknown>>({
  name: 'delete-key-pair',
  summary: 'keep its public key and fingerprint, then delete a key pair the attacker imported',
  irreversibleBecause:
    'the attacker holds the private key; a deleted key pair can be imported again from the kept public key',
  target: (p) => `${p.region ?? '?'}/${p.keyName ?? '?'}`,
  async read(pool, p) {
    const out = await readOrAbsent(() =>
      ec2(pool, p).send(new DescribeKeyPairsCommand({ KeyNames: [p.keyName!], IncludePublicKey: true })),
    );
    const key = out?.KeyPairs?.[0];
    if (!key) return undefined;
    const created = key.CreateTime?.toISOString();
    return {
      state: {
        keyName: key.KeyName,
        keyPairId: key.KeyPairId,
        fingerprint: key.KeyFingerprint,
        type: key.KeyType,
        publicKey: key.PublicKey,
        created,
      },
      created,
    };
  },
  describe: (k) => `keep the public key (${String(k.fingerprint)}), delete ${String(k.keyName)}`,
  preserve: (_pool, p, k, context) =>
    context.keep('key-pair.json', asJson(k), `ec2:DescribeKeyPairs ${p.region}`),
  async remove(pool, p) {
    await readOrAbsent(() => ec2(pool, p).send(new DeleteKeyPairCommand({ KeyName: p.keyName })));
  },
});

interface Sharing {
  /** Account ids (and `all` for public) that may use it. */
  sharedWith: string[];
}

/** Who may use a snapshot or an image besides its owner, as one declaration per kind. */
const SHARES = {
  snapshot: {
    id: (p: StepParams) => p.snapshotId!,
    async read(client: EC2Client, p: StepParams): Promise<Sharing | undefined> {
      const out = await readOrAbsent(() =>
        client.send(
          new DescribeSnapshotAttributeCommand({
            SnapshotId: p.snapshotId,
            Attribute: 'createVolumePermission',
          }),
        ),
      );
      if (!out) return undefined;
      return {
        sharedWith: (out.CreateVolumePermissions ?? []).map((x) => x.UserId ?? x.Group ?? '').filter(Boolean),
      };
    },
    modify: (client: EC2Client, p: StepParams, op: 'add' | 'remove', users: string[], groups: string[]) =>
      client.send(
        new ModifySnapshotAttributeCommand({
          SnapshotId: p.snapshotId,
          Attribute: 'createVolumePermission',
          OperationType: op,
          ...(users.length ? { UserIds: users } : {}),
          ...(groups.length ? { GroupNames: groups } : {}),
        }),
      ),
  },
  image: {
    id: (p: StepParams) => p.imageId!,
    async read(client: EC2Client, p: StepParams): Promise<Sharing | undefined> {
      const out = await readOrAbsent(() =>
        client.send(new DescribeImageAttributeCommand({ ImageId: p.imageId, Attribute: 'launchPermission' })),
      );
      if (!out) return undefined;
      return {
        sharedWith: (out.LaunchPermissions ?? []).map((x) => x.UserId ?? x.Group ?? '').filter(Boolean),
      };
    },
    modify: (client: EC2Client, p: StepParams, op: 'add' | 'remove', users: string[], groups: string[]) => {
      const list = [...users.map((UserId) => ({ UserId })), ...groups.map(() => ({ Group: 'all' as const }))];
      return client.send(
        new ModifyImageAttributeCommand({
          ImageId: p.imageId,
          LaunchPermission: op === 'add' ? { Add: list } : { Remove: list },
        }),
      );
    },
  },
};

/** The shares to take away: the accounts named, or every share when none is named. */
function toRemove(s: Sharing, p: StepParams): string[] {
  const named = listParam(p, 'accounts');
  return s.sharedWith.filter(
    (x) => !named.length || named.includes(x) || (x === 'all' && named.includes('all')),
  );
}

function unshare(kind: keyof typeof SHARES, name: string, what: string) {
  const k = SHARES[kind];
  return restoration<Sharing>({
    name,
    summary: `keep who could use it, then stop sharing the ${what} with the attacker's account(s) (or the public)`,
    target: (p) => `${p.region ?? '?'}/${k.id(p)}`,
    read: (pool, p) => k.read(ec2(pool, p), p),
    restored: (s, p) => toRemove(s, p).length === 0,
    describe: (s, p) => `keep the permission list, remove ${toRemove(s, p).join(', ')}`,
    evidence: (s) => [{ file: `${kind}-permissions.json`, content: asJson(s) }],
    async write(pool, p, s) {
      const gone = toRemove(s, p);
      const users = gone.filter((x) => x !== 'all');
      const groups = gone.filter((x) => x === 'all');
      await k.modify(ec2(pool, p), p, 'remove', users, groups);
      return { removed: gone };
    },
    async undo(pool, step, before) {
      const back = toRemove(before, step.params);
      await k.modify(
        ec2(pool, step.params),
        step.params,
        'add',
        back.filter((x) => x !== 'all'),
        back.filter((x) => x === 'all'),
      );
      return { restored: back };
    },
  });
}

export const unshareSnapshot = unshare('snapshot', 'unshare-snapshot', 'EBS snapshot');
export const unshareImage = unshare('image', 'unshare-image', 'AMI');
