import { registerImage } from './images.js';
import { findInstances } from './instances.js';
import { Ec2Error, missingParameter } from './errors.js';
import type { Ec2Deps, Ec2State, Tag, WireObject } from './model.js';
import { ec2Region, ec2Time, newId } from './world.js';

/**
 * CreateImage from one of the caller's instances: snapshots its root volume (EC2 does the
 * same; the snapshot's description names the new AMI) and registers an AMI on it.
 */
export function createImage(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { instanceId: string; name?: string; description?: string; tags?: Tag[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  if (!input.name) throw missingParameter('Name');
  const [instance] = findInstances(region, [input.instanceId], deps.now());
  const root = instance!.blockDevices[0];
  const volume = root ? region.volumes[root.volumeId] : undefined;
  if (!volume) {
    throw new Ec2Error(
      'IncorrectInstanceState',
      `The instance '${input.instanceId}' is not in a state from which an image can be created.`,
    );
  }
  const snapshotId = newId(deps, 'snap');
  const image = registerImage(region, deps, callerId, {
    name: input.name,
    description: input.description ?? '',
    architecture: instance!.architecture,
    platformDetails: 'Linux/UNIX',
    rootSnapshotId: snapshotId,
  });
  region.snapshots[snapshotId] = {
    snapshotId,
    volumeId: volume.volumeId,
    volumeSize: volume.size,
    description: `Created by CreateImage(${instance!.instanceId}) for ${image.imageId}`,
    startTime: ec2Time(deps.now()),
    encrypted: volume.encrypted,
    sharedWith: [],
    isPublic: false,
  };
  if (input.tags?.length) region.tags[image.imageId] = input.tags.map((t) => ({ ...t }));
  return { imageId: image.imageId };
}
