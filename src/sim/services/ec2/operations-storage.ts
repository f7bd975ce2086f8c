import { ec2Arn } from './arns.js';
import { createImage } from './create-image.js';
import {
  deregisterImage,
  describeImageAttribute,
  describeImages,
  modifyImageAttribute,
  resetImageAttribute,
} from './images.js';
import type { Ec2OpSpec } from './operation.js';
import { filtersOf, intOf, permissionChangeOf, tagsFor } from './parse.js';
import type { PermissionChange } from './permissions.js';
import {
  createSnapshot,
  deleteSnapshot,
  describeSnapshotAttribute,
  describeSnapshots,
  modifySnapshotAttribute,
  resetSnapshotAttribute,
} from './snapshots.js';
import { ec2TrailShape, filterSet, itemSet } from './trail.js';
import { attachVolume, createVolume, deleteVolume, describeVolumes, detachVolume } from './volumes.js';

/** `{add: {items: […]}, remove: …}` as EC2 records a permission change. */
function changeTrail(change: PermissionChange): unknown {
  return {
    ...(change.add.length ? { add: ec2TrailShape(change.add.map((e) => ({ ...e }))) } : {}),
    ...(change.remove.length ? { remove: ec2TrailShape(change.remove.map((e) => ({ ...e }))) } : {}),
  };
}

/** EBS volumes, snapshots and AMIs. */
export const STORAGE_OPERATIONS: Record<string, Ec2OpSpec> = {
  DescribeVolumes: {
    run: (c) =>
      describeVolumes(c.world, c.deps, c.account, c.region, {
        volumeIds: c.p.list('VolumeId'),
        filters: filtersOf(c.p),
        maxResults: intOf(c.p, 'MaxResults'),
        nextToken: c.p.get('NextToken'),
      }),
  },
  CreateVolume: {
    resources: (c) => [ec2Arn.volume(c.region, c.account, '*')],
    run: (c) =>
      createVolume(c.world, c.deps, c.account, c.region, {
        availabilityZone: c.p.get('AvailabilityZone'),
        size: intOf(c.p, 'Size'),
        snapshotId: c.p.get('SnapshotId'),
        volumeType: c.p.get('VolumeType'),
        tags: tagsFor(c.p, 'volume'),
      }),
  },
  DeleteVolume: {
    resources: (c) => [ec2Arn.volume(c.region, c.account, c.p.get('VolumeId') ?? '*')],
    run: (c) => deleteVolume(c.world, c.deps, c.account, c.region, c.p.require('VolumeId')),
  },
  AttachVolume: {
    resources: (c) => [
      ec2Arn.volume(c.region, c.account, c.p.get('VolumeId') ?? '*'),
      ec2Arn.instance(c.region, c.account, c.p.get('InstanceId') ?? '*'),
    ],
    run: (c) =>
      attachVolume(c.world, c.deps, c.account, c.region, {
        volumeId: c.p.require('VolumeId'),
        instanceId: c.p.require('InstanceId'),
        device: c.p.require('Device'),
      }),
  },
  DetachVolume: {
    resources: (c) => [ec2Arn.volume(c.region, c.account, c.p.get('VolumeId') ?? '*')],
    run: (c) => detachVolume(c.world, c.deps, c.account, c.region, { volumeId: c.p.require('VolumeId') }),
  },
  CreateSnapshot: {
    resources: (c) => [
      ec2Arn.volume(c.region, c.account, c.p.get('VolumeId') ?? '*'),
      ec2Arn.snapshot(c.region, '*'),
    ],
    run: (c) =>
      createSnapshot(c.world, c.deps, c.account, c.region, {
        volumeId: c.p.require('VolumeId'),
        description: c.p.get('Description'),
        tags: tagsFor(c.p, 'snapshot'),
      }),
  },
  DescribeSnapshots: {
    requestParameters: (c) => ({
      snapshotSet: itemSet('snapshotId', c.p.list('SnapshotId')),
      ownersSet: itemSet('owner', c.p.list('Owner')),
      restorableBySet: itemSet('user', c.p.list('RestorableBy')),
      filterSet: filterSet(filtersOf(c.p)),
    }),
    run: (c) =>
      describeSnapshots(c.world, c.deps, c.account, c.region, {
        snapshotIds: c.p.list('SnapshotId'),
        ownerIds: c.p.list('Owner'),
        restorableByUserIds: c.p.list('RestorableBy'),
        filters: filtersOf(c.p),
        maxResults: intOf(c.p, 'MaxResults'),
        nextToken: c.p.get('NextToken'),
      }),
  },
  DeleteSnapshot: {
    resources: (c) => [ec2Arn.snapshot(c.region, c.p.get('SnapshotId') ?? '*')],
    run: (c) => deleteSnapshot(c.world, c.deps, c.account, c.region, c.p.require('SnapshotId')),
  },
  ModifySnapshotAttribute: {
    resources: (c) => [ec2Arn.snapshot(c.region, c.p.get('SnapshotId') ?? '*')],
    requestParameters: (c) => ({
      snapshotId: c.p.get('SnapshotId'),
      createVolumePermission: changeTrail(permissionChangeOf(c.p, 'CreateVolumePermission')),
      attributeType: 'CREATE_VOLUME_PERMISSION',
    }),
    run: (c) =>
      modifySnapshotAttribute(c.world, c.deps, c.account, c.region, {
        snapshotId: c.p.require('SnapshotId'),
        attribute: c.p.get('Attribute'),
        change: permissionChangeOf(c.p, 'CreateVolumePermission'),
      }),
  },
  DescribeSnapshotAttribute: {
    resources: (c) => [ec2Arn.snapshot(c.region, c.p.get('SnapshotId') ?? '*')],
    run: (c) =>
      describeSnapshotAttribute(c.world, c.deps, c.account, c.region, {
        snapshotId: c.p.require('SnapshotId'),
        attribute: c.p.require('Attribute'),
      }),
  },
  ResetSnapshotAttribute: {
    resources: (c) => [ec2Arn.snapshot(c.region, c.p.get('SnapshotId') ?? '*')],
    run: (c) =>
      resetSnapshotAttribute(c.world, c.deps, c.account, c.region, {
        snapshotId: c.p.require('SnapshotId'),
        attribute: c.p.require('Attribute'),
      }),
  },
  DescribeImages: {
    run: (c) =>
      describeImages(c.world, c.deps, c.account, c.region, {
        imageIds: c.p.list('ImageId'),
        owners: c.p.list('Owner'),
        executableUsers: c.p.list('ExecutableBy'),
        filters: filtersOf(c.p),
      }),
  },
  ModifyImageAttribute: {
    resources: (c) => [ec2Arn.image(c.region, c.p.get('ImageId') ?? '*')],
    requestParameters: (c) => ({
      imageId: c.p.get('ImageId'),
      launchPermission: changeTrail(permissionChangeOf(c.p, 'LaunchPermission')),
      attributeType: c.p.get('Attribute') ?? 'launchPermission',
    }),
    run: (c) =>
      modifyImageAttribute(c.world, c.deps, c.account, c.region, {
        imageId: c.p.require('ImageId'),
        attribute: c.p.get('Attribute'),
        change: permissionChangeOf(c.p, 'LaunchPermission'),
        description: c.p.get('Description.Value'),
      }),
  },
  ResetImageAttribute: {
    resources: (c) => [ec2Arn.image(c.region, c.p.get('ImageId') ?? '*')],
    run: (c) =>
      resetImageAttribute(c.world, c.deps, c.account, c.region, {
        imageId: c.p.require('ImageId'),
        attribute: c.p.require('Attribute'),
      }),
  },
  DeregisterImage: {
    resources: (c) => [ec2Arn.image(c.region, c.p.get('ImageId') ?? '*')],
    run: (c) => deregisterImage(c.world, c.deps, c.account, c.region, c.p.require('ImageId')),
  },
  DescribeImageAttribute: {
    resources: (c) => [ec2Arn.image(c.region, c.p.get('ImageId') ?? '*')],
    run: (c) =>
      describeImageAttribute(c.world, c.deps, c.account, c.region, {
        imageId: c.p.require('ImageId'),
        attribute: c.p.require('Attribute'),
      }),
  },
  CreateImage: {
    resources: (c) => [
      ec2Arn.instance(c.region, c.account, c.p.get('InstanceId') ?? '*'),
      ec2Arn.image(c.region, '*'),
    ],
    run: (c) =>
      createImage(c.world, c.deps, c.account, c.region, {
        instanceId: c.p.require('InstanceId'),
        name: c.p.get('Name'),
        description: c.p.get('Description'),
        tags: tagsFor(c.p, 'image'),
      }),
  },
};
