import { Ec2Error, invalidParameter, missingParameter } from './errors.js';
import { checkFilters, matchesFilters } from './filters.js';
import { findUsableImage } from './images.js';
import { instanceTypeInfo } from './instance-types.js';
import { INSTANCE_FILTERS, currentState, instanceWire, stateWire } from './instance-wire.js';
import type {
  Ec2Deps,
  Ec2RegionState,
  Ec2State,
  Filter,
  Instance,
  InstanceStateName,
  Tag,
  WireObject,
} from './model.js';
import { ec2Region, ec2Time, newId, paginate, randomInt, tagsOf } from './world.js';

/** RunInstances arguments (model member names, lower-camel). */
export interface RunInstancesInput {
  imageId?: string;
  instanceType?: string;
  minCount: number;
  maxCount: number;
  keyName?: string;
  userData?: string;
  securityGroupIds?: string[];
  securityGroups?: string[];
  subnetId?: string;
  availabilityZone?: string;
  tagSpecifications?: { resourceType: string; tags: Tag[] }[];
  clientToken?: string;
  disableApiTermination?: boolean;
  iamInstanceProfile?: { arn?: string; name?: string };
  monitoring?: boolean;
  rootVolumeSize?: number;
}

/** Terminated instances stay visible to Describe calls for about an hour (EC2 UG, "Terminate"). */
const TERMINATED_VISIBLE_MS = 60 * 60 * 1000;

/** A `User initiated (YYYY-MM-DD HH:MM:SS GMT)` transition reason. */
function userInitiated(now: Date): string {
  return `User initiated (${now.toISOString().slice(0, 19).replace('T', ' ')} GMT)`;
}

function instanceTags(input: RunInstancesInput, resourceType: string): Tag[] {
  return (input.tagSpecifications ?? [])
    .filter((spec) => spec.resourceType === resourceType)
    .flatMap((spec) => spec.tags.map((tag) => ({ key: tag.key, value: tag.value })));
}

function resolveGroups(region: Ec2RegionState, vpcId: string, input: RunInstancesInput): string[] {
  const ids = [...(input.securityGroupIds ?? [])];
  for (const id of ids) {
    if (!region.securityGroups[id]) {
      throw new Ec2Error(
        'InvalidGroup.NotFound',
        `The security group '${id}' does not exist in VPC '${vpcId}'`,
      );
    }
  }
  for (const name of input.securityGroups ?? []) {
    const group = Object.values(region.securityGroups).find((g) => g.groupName === name && g.vpcId === vpcId);
    if (!group)
      throw new Ec2Error(
        'InvalidGroup.NotFound',
        `The security group '${name}' does not exist in default VPC '${vpcId}'`,
      );
    ids.push(group.groupId);
  }
  if (ids.length === 0) {
    const fallback = Object.values(region.securityGroups).find(
      (g) => g.groupName === 'default' && g.vpcId === vpcId,
    );
    if (fallback) ids.push(fallback.groupId);
  }
  return ids;
}

function randomPublicIp(deps: Ec2Deps): string {
  const firsts = [3, 18, 34, 44, 52, 54];
  return [
    firsts[randomInt(deps, firsts.length)],
    1 + randomInt(deps, 254),
    randomInt(deps, 256),
    1 + randomInt(deps, 254),
  ].join('.');
}

function macAddress(deps: Ec2Deps): string {
  return `0a:${deps.hex(10).match(/../g)!.join(':')}`;
}

/** RunInstances: launch `maxCount` instances in one reservation, each with a root EBS volume. */
export function runInstances(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: RunInstancesInput,
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  if (!input.imageId) throw missingParameter('ImageId');
  const image = findUsableImage(state, regionName, callerId, input.imageId);
  const instanceType = input.instanceType ?? 'm1.small';
  const typeInfo = instanceTypeInfo(instanceType);
  if (!typeInfo) throw invalidParameter(`Invalid value '${instanceType}' for InstanceType.`);
  if (typeInfo.arch !== image.architecture) {
    throw invalidParameter(
      `The architecture '${typeInfo.arch}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.`,
    );
  }
  if (
    !Number.isInteger(input.minCount) ||
    !Number.isInteger(input.maxCount) ||
    input.minCount < 1 ||
    input.maxCount < input.minCount
  ) {
    throw invalidParameter('MinCount and MaxCount must be positive integers and MinCount <= MaxCount');
  }
  if (input.keyName !== undefined && !region.keyPairs[input.keyName]) {
    throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${input.keyName}' does not exist`);
  }
  const vpc = region.vpcs.find((v) => v.isDefault) ?? region.vpcs[0]!;
  const subnet = input.subnetId
    ? region.vpcs.flatMap((v) => v.subnets).find((s) => s.subnetId === input.subnetId)
    : (vpc.subnets.find((s) => s.availabilityZone === input.availabilityZone) ?? vpc.subnets[0]);
  if (!subnet)
    throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${input.subnetId ?? ''}' does not exist`);
  const subnetVpc = region.vpcs.find((v) => v.subnets.includes(subnet))!;
  const groupIds = resolveGroups(region, subnetVpc.vpcId, input);
  const profileArn =
    input.iamInstanceProfile?.arn ??
    (input.iamInstanceProfile?.name
      ? `arn:aws:iam::${callerId}:instance-profile/${input.iamInstanceProfile.name}`
      : undefined);
  const now = deps.now();
  const launchTime = ec2Time(new Date(Math.floor(now.getTime() / 1000) * 1000));
  const reservationId = newId(deps, 'r');
  const clientToken =
    input.clientToken ?? `${deps.hex(8)}-${deps.hex(4)}-${deps.hex(4)}-${deps.hex(4)}-${deps.hex(12)}`;
  const created: Instance[] = [];
  for (let index = 0; index < input.maxCount; index++) {
    const host = subnet.nextHost++;
    const [a, b, c] = subnet.cidrBlock.split('.').map(Number);
    const privateIp = `${a}.${b}.${(c ?? 0) + Math.floor(host / 256)}.${host % 256}`;
    const instanceId = newId(deps, 'i');
    const volumeId = newId(deps, 'vol');
    region.volumes[volumeId] = {
      volumeId,
      size: input.rootVolumeSize ?? 8,
      volumeType: 'gp3',
      availabilityZone: subnet.availabilityZone,
      snapshotId: image.rootSnapshotId ?? '',
      createTime: launchTime,
      encrypted: false,
      attachment: { instanceId, device: '/dev/xvda', attachTime: launchTime, deleteOnTermination: true },
    };
    const instance: Instance = {
      instanceId,
      reservationId,
      ownerId: callerId,
      imageId: image.imageId,
      instanceType,
      architecture: image.architecture,
      ...(input.keyName !== undefined ? { keyName: input.keyName } : {}),
      ...(input.userData !== undefined ? { userData: input.userData } : {}),
      launchTime,
      amiLaunchIndex: index,
      availabilityZone: subnet.availabilityZone,
      subnetId: subnet.subnetId,
      vpcId: subnetVpc.vpcId,
      privateIpAddress: privateIp,
      publicIpAddress: randomPublicIp(deps),
      networkInterfaceId: newId(deps, 'eni'),
      macAddress: macAddress(deps),
      securityGroupIds: groupIds,
      clientToken,
      ...(profileArn ? { iamInstanceProfileArn: profileArn } : {}),
      disableApiTermination: input.disableApiTermination ?? false,
      monitoring: input.monitoring ?? false,
      state: 'running',
      transitional: 'pending',
      settlesAt: now.toISOString(),
      stateTransitionReason: '',
      rootDeviceName: '/dev/xvda',
      blockDevices: [
        { deviceName: '/dev/xvda', volumeId, attachTime: launchTime, deleteOnTermination: true },
      ],
    };
    region.instances[instanceId] = instance;
    const tags = instanceTags(input, 'instance');
    if (tags.length) region.tags[instanceId] = tags;
    const volumeTags = instanceTags(input, 'volume');
    if (volumeTags.length) region.tags[volumeId] = volumeTags;
    created.push(instance);
  }
  return {
    reservationId,
    ownerId: callerId,
    groupSet: [],
    // The RunInstances response reports the instances as they are at launch: pending.
    instancesSet: created.map((instance) => instanceWire(instance, region, regionName, new Date(0))),
  };
}

function visible(instance: Instance, now: Date): boolean {
  return !(
    instance.terminatedAt && now.getTime() - Date.parse(instance.terminatedAt) > TERMINATED_VISIBLE_MS
  );
}

/** The caller's instances by id; unknown ids fail together, as EC2 reports them. */
export function findInstances(region: Ec2RegionState, ids: string[], now: Date): Instance[] {
  for (const id of ids) {
    if (!/^i-[0-9a-f]{8,17}$/.test(id))
      throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
  }
  const missing = ids.filter((id) => {
    const instance = region.instances[id];
    return !instance || !visible(instance, now);
  });
  if (missing.length === 1) {
    throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
  }
  if (missing.length > 1) {
    throw new Ec2Error('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  }
  return ids.map((id) => region.instances[id]!);
}

/** DescribeInstances: reservations of the caller's instances matching ids and filters. */
export function describeInstances(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { instanceIds?: string[]; filters?: Filter[]; maxResults?: number; nextToken?: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const now = deps.now();
  const candidates = input.instanceIds?.length
    ? findInstances(region, input.instanceIds, now)
    : Object.values(region.instances).filter((instance) => visible(instance, now));
  checkFilters(input.filters, INSTANCE_FILTERS);
  const matching = candidates.filter((instance) =>
    matchesFilters({ instance, now, region }, input.filters, INSTANCE_FILTERS, ({ instance: i }) =>
      tagsOf(region, i.instanceId),
    ),
  );
  const { page, nextToken } = paginate(matching, input.maxResults, input.nextToken);
  const reservations = new Map<string, Instance[]>();
  for (const instance of page) {
    reservations.set(instance.reservationId, [...(reservations.get(instance.reservationId) ?? []), instance]);
  }
  return {
    reservationSet: [...reservations].map(([reservationId, instances]) => ({
      reservationId,
      ownerId: instances[0]!.ownerId,
      groupSet: [],
      instancesSet: instances.map((instance) => instanceWire(instance, region, regionName, now)),
    })),
    nextToken,
  };
}

type Transition = 'stop' | 'start' | 'terminate';

/** Which settled states each lifecycle call may start from, and where it leads. */
const TRANSITIONS: Record<
  Transition,
  { from: InstanceStateName[]; via: InstanceStateName; to: InstanceStateName }
> = {
  stop: { from: ['pending', 'running'], via: 'stopping', to: 'stopped' },
  start: { from: ['stopped'], via: 'pending', to: 'running' },
  terminate: { from: ['pending', 'running', 'stopping', 'stopped'], via: 'shutting-down', to: 'terminated' },
};

const VERB: Record<Transition, string> = { stop: 'stopped', start: 'started', terminate: 'terminated' };

/**
 * Stop/Start/TerminateInstances. Each returns `{instanceId, currentState, previousState}` per
 * instance; an instance already in the target state is reported unchanged (EC2 behaviour).
 */
export function changeInstanceStates(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  transition: Transition,
  instanceIds: string[],
): WireObject[] {
  const region = ec2Region(state, deps, callerId, regionName);
  if (instanceIds.length === 0) throw missingParameter('InstanceId');
  const now = deps.now();
  const instances = findInstances(region, instanceIds, now);
  const rule = TRANSITIONS[transition];
  for (const instance of instances) {
    const previous = currentState(instance, now);
    if (previous === rule.to || previous === rule.via) continue;
    if (!rule.from.includes(previous)) {
      throw new Ec2Error(
        'IncorrectInstanceState',
        `This instance '${instance.instanceId}' is not in a state from which it can be ${VERB[transition]}.`,
      );
    }
    if (transition === 'terminate' && instance.disableApiTermination) {
      throw new Ec2Error(
        'OperationNotPermitted',
        `The instance '${instance.instanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
      );
    }
  }
  return instances.map((instance) => {
    const previous = currentState(instance, now);
    if (previous === rule.to || previous === rule.via) {
      return {
        instanceId: instance.instanceId,
        currentState: stateWire(previous),
        previousState: stateWire(previous),
      };
    }
    applyTransition(region, deps, instance, transition, now);
    return {
      instanceId: instance.instanceId,
      currentState: stateWire(rule.via),
      previousState: stateWire(previous),
    };
  });
}

function applyTransition(
  region: Ec2RegionState,
  deps: Ec2Deps,
  instance: Instance,
  transition: Transition,
  now: Date,
): void {
  const rule = TRANSITIONS[transition];
  instance.state = rule.to;
  instance.transitional = rule.via;
  instance.settlesAt = now.toISOString();
  if (transition === 'start') {
    instance.stateTransitionReason = '';
    delete instance.stateReason;
    instance.publicIpAddress = randomPublicIp(deps);
    return;
  }
  instance.stateTransitionReason = userInitiated(now);
  instance.stateReason = {
    code: 'Client.UserInitiatedShutdown',
    message: 'Client.UserInitiatedShutdown: User initiated shutdown',
  };
  // Without an Elastic IP, the public address is released on stop and on terminate.
  delete instance.publicIpAddress;
  if (transition === 'terminate') {
    instance.terminatedAt = now.toISOString();
    for (const device of instance.blockDevices) {
      const volume = region.volumes[device.volumeId];
      if (!volume) continue;
      if (device.deleteOnTermination) {
        delete region.volumes[device.volumeId];
        delete region.tags[device.volumeId];
      } else {
        delete volume.attachment;
      }
    }
    instance.blockDevices = [];
  }
}
