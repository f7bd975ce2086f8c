import { Ec2Error, invalidParameter, notFound } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2Deps, Ec2RegionState, Ec2State, Filter, Tag, Volume, WireObject } from './model.js';
import { availabilityZones } from './regions.js';
import { ec2Region, ec2Time, newId, paginate, tagSet, tagsOf } from './world.js';

const VOLUME_FILTERS: FilterTable<Volume> = {
  'volume-id': (v) => v.volumeId,
  'availability-zone': (v) => v.availabilityZone,
  'attachment.instance-id': (v) => v.attachment?.instanceId,
  'attachment.device': (v) => v.attachment?.device,
  'attachment.status': (v) => (v.attachment ? 'attached' : undefined),
  'attachment.delete-on-termination': (v) => v.attachment?.deleteOnTermination,
  'snapshot-id': (v) => v.snapshotId,
  size: (v) => v.size,
  status: (v) => (v.attachment ? 'in-use' : 'available'),
  'volume-type': (v) => v.volumeType,
  encrypted: (v) => v.encrypted,
  'create-time': (v) => v.createTime,
};

function volumeWire(region: Ec2RegionState, volume: Volume): WireObject {
  return {
    volumeId: volume.volumeId,
    size: volume.size,
    snapshotId: volume.snapshotId,
    availabilityZone: volume.availabilityZone,
    status: volume.attachment ? 'in-use' : 'available',
    createTime: volume.createTime,
    attachmentSet: volume.attachment
      ? [
          {
            volumeId: volume.volumeId,
            instanceId: volume.attachment.instanceId,
            device: volume.attachment.device,
            status: 'attached',
            attachTime: volume.attachment.attachTime,
            deleteOnTermination: volume.attachment.deleteOnTermination,
          },
        ]
      : [],
    tagSet: tagSet(region, volume.volumeId),
    volumeType: volume.volumeType,
    iops: 3000,
    throughput: 125,
    encrypted: volume.encrypted,
    multiAttachEnabled: false,
  };
}

/** The caller's volume, or InvalidVolume.NotFound. */
export function findVolume(region: Ec2RegionState, volumeId: string): Volume {
  const volume = region.volumes[volumeId];
  if (!volume) throw notFound('Volume', volumeId, 'volume');
  return volume;
}

/** DescribeVolumes. */
export function describeVolumes(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { volumeIds?: string[]; filters?: Filter[]; maxResults?: number; nextToken?: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const volumes = input.volumeIds?.length
    ? input.volumeIds.map((id) => findVolume(region, id))
    : Object.values(region.volumes);
  checkFilters(input.filters, VOLUME_FILTERS);
  const matching = volumes.filter((volume) =>
    matchesFilters(volume, input.filters, VOLUME_FILTERS, (v) => tagsOf(region, v.volumeId)),
  );
  const { page, nextToken } = paginate(matching, input.maxResults, input.nextToken);
  return { volumeSet: page.map((volume) => volumeWire(region, volume)), nextToken };
}

/** CreateVolume (empty, or from a snapshot the caller may use). */
export function createVolume(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { availabilityZone?: string; size?: number; snapshotId?: string; volumeType?: string; tags?: Tag[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  if (!input.availabilityZone || !availabilityZones(regionName).includes(input.availabilityZone)) {
    throw invalidParameter(`Invalid availability zone: [${input.availabilityZone ?? ''}]`);
  }
  if (input.size === undefined && input.snapshotId === undefined) {
    throw new Ec2Error('MissingParameter', 'The request must contain the parameter size or snapshotId');
  }
  const volume: Volume = {
    volumeId: newId(deps, 'vol'),
    size: input.size ?? 8,
    volumeType: input.volumeType ?? 'gp2',
    availabilityZone: input.availabilityZone,
    snapshotId: input.snapshotId ?? '',
    createTime: ec2Time(deps.now()),
    encrypted: false,
  };
  region.volumes[volume.volumeId] = volume;
  if (input.tags?.length) region.tags[volume.volumeId] = input.tags.map((t) => ({ ...t }));
  return { ...volumeWire(region, volume), status: 'creating' };
}

/** DeleteVolume: only a volume that is not attached. */
export function deleteVolume(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  volumeId: string,
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const volume = findVolume(region, volumeId);
  if (volume.attachment) {
    throw new Ec2Error(
      'VolumeInUse',
      `Volume ${volumeId} is currently attached to ${volume.attachment.instanceId}`,
    );
  }
  delete region.volumes[volumeId];
  delete region.tags[volumeId];
  return { return: true };
}

/** AttachVolume: an available volume to an instance in the same availability zone. */
export function attachVolume(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { volumeId: string; instanceId: string; device: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const volume = findVolume(region, input.volumeId);
  const instance = region.instances[input.instanceId];
  if (!instance || instance.state === 'terminated') {
    throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${input.instanceId}' does not exist`);
  }
  if (volume.attachment) {
    throw new Ec2Error('VolumeInUse', `${volume.volumeId} is already attached to an instance`);
  }
  if (volume.availabilityZone !== instance.availabilityZone) {
    throw invalidParameter(
      `The volume '${volume.volumeId}' is not in the same availability zone as instance '${instance.instanceId}'`,
    );
  }
  if (instance.blockDevices.some((d) => d.deviceName === input.device)) {
    throw invalidParameter(
      `Invalid value '${input.device}' for unixDevice. Attachment point ${input.device} is already in use`,
    );
  }
  const attachTime = ec2Time(deps.now());
  volume.attachment = {
    instanceId: instance.instanceId,
    device: input.device,
    attachTime,
    deleteOnTermination: false,
  };
  instance.blockDevices.push({
    deviceName: input.device,
    volumeId: volume.volumeId,
    attachTime,
    deleteOnTermination: false,
  });
  return {
    volumeId: volume.volumeId,
    instanceId: instance.instanceId,
    device: input.device,
    status: 'attaching',
    attachTime,
  };
}

/** DetachVolume (the root device of a running instance cannot be detached). */
export function detachVolume(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { volumeId: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const volume = findVolume(region, input.volumeId);
  const attachment = volume.attachment;
  if (!attachment) {
    throw new Ec2Error('IncorrectState', `Volume '${volume.volumeId}' is in the 'available' state.`);
  }
  const instance = region.instances[attachment.instanceId];
  if (instance && instance.rootDeviceName === attachment.device && instance.state !== 'stopped') {
    throw new Ec2Error(
      'OperationNotPermitted',
      `Unable to detach root volume '${volume.volumeId}' from instance '${instance.instanceId}'`,
    );
  }
  if (instance) instance.blockDevices = instance.blockDevices.filter((d) => d.volumeId !== volume.volumeId);
  delete volume.attachment;
  return {
    volumeId: volume.volumeId,
    instanceId: attachment.instanceId,
    device: attachment.device,
    status: 'detaching',
    attachTime: attachment.attachTime,
  };
}
