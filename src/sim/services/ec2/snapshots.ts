import { Ec2Error, invalidParameter } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2Deps, Ec2RegionState, Ec2State, Filter, Snapshot, Tag, WireObject } from './model.js';
import {
  applyPermissionChange,
  permissionList,
  sharedWithAccount,
  type PermissionChange,
} from './permissions.js';
import { findVolume } from './volumes.js';
import { ec2Region, ec2Time, newId, paginate, tagSet, tagsOf } from './world.js';

interface Located {
  snapshot: Snapshot;
  ownerId: string;
  home: Ec2RegionState;
}

const SNAPSHOT_FILTERS: FilterTable<Located> = {
  'snapshot-id': (l) => l.snapshot.snapshotId,
  'volume-id': (l) => l.snapshot.volumeId,
  'volume-size': (l) => l.snapshot.volumeSize,
  'owner-id': (l) => l.ownerId,
  description: (l) => l.snapshot.description,
  status: () => 'completed',
  progress: () => '100%',
  'start-time': (l) => l.snapshot.startTime,
  encrypted: (l) => l.snapshot.encrypted,
};

function allSnapshots(state: Ec2State, regionName: string): Located[] {
  return Object.entries(state.accounts).flatMap(([ownerId, account]) => {
    const home = account.regions[regionName];
    return home ? Object.values(home.snapshots).map((snapshot) => ({ snapshot, ownerId, home })) : [];
  });
}

function snapshotWire(l: Located, callerId: string): WireObject {
  return {
    snapshotId: l.snapshot.snapshotId,
    volumeId: l.snapshot.volumeId,
    status: 'completed',
    startTime: l.snapshot.startTime,
    progress: '100%',
    ownerId: l.ownerId,
    volumeSize: l.snapshot.volumeSize,
    description: l.snapshot.description,
    encrypted: l.snapshot.encrypted,
    storageTier: 'standard',
    // Tags are private to the owning account.
    tagSet: l.ownerId === callerId ? tagSet(l.home, l.snapshot.snapshotId) : [],
  };
}

/** CreateSnapshot of one of the caller's volumes; complete at once in the simulator. */
export function createSnapshot(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { volumeId: string; description?: string; tags?: Tag[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const volume = findVolume(region, input.volumeId);
  const snapshot: Snapshot = {
    snapshotId: newId(deps, 'snap'),
    volumeId: volume.volumeId,
    volumeSize: volume.size,
    description: input.description ?? '',
    startTime: ec2Time(deps.now()),
    encrypted: volume.encrypted,
    sharedWith: [],
    isPublic: false,
  };
  region.snapshots[snapshot.snapshotId] = snapshot;
  if (input.tags?.length) region.tags[snapshot.snapshotId] = input.tags.map((t) => ({ ...t }));
  // The CreateSnapshot response reports the snapshot as just started.
  return {
    ...snapshotWire({ snapshot, ownerId: callerId, home: region }, callerId),
    status: 'pending',
    progress: '',
  };
}

function ownerMatches(l: Located, owners: string[], callerId: string): boolean {
  return owners.some((owner) => (owner === 'self' ? l.ownerId === callerId : owner === l.ownerId));
}

/**
 * DescribeSnapshots: without owner or restorable-by arguments, every snapshot the caller can
 * use — its own, those shared with it, and public ones (EC2 API reference).
 */
export function describeSnapshots(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: {
    snapshotIds?: string[];
    ownerIds?: string[];
    restorableByUserIds?: string[];
    filters?: Filter[];
    maxResults?: number;
    nextToken?: string;
  },
): WireObject {
  ec2Region(state, deps, callerId, regionName);
  const ids = input.snapshotIds ?? [];
  const usable = allSnapshots(state, regionName).filter(
    (l) => l.ownerId === callerId || sharedWithAccount(l.snapshot, callerId),
  );
  for (const id of ids) {
    if (!usable.some((l) => l.snapshot.snapshotId === id)) {
      throw new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
    }
  }
  checkFilters(input.filters, SNAPSHOT_FILTERS);
  const matching = usable.filter((l) => {
    if (ids.length && !ids.includes(l.snapshot.snapshotId)) return false;
    if (input.ownerIds?.length && !ownerMatches(l, input.ownerIds, callerId)) return false;
    if (input.restorableByUserIds?.length) {
      const ok = input.restorableByUserIds.some((user) => {
        const id = user === 'self' ? callerId : user;
        return user === 'all' ? l.snapshot.isPublic : l.ownerId === id || l.snapshot.sharedWith.includes(id);
      });
      if (!ok) return false;
    }
    return matchesFilters(l, input.filters, SNAPSHOT_FILTERS, (x) => tagsOf(x.home, x.snapshot.snapshotId));
  });
  const { page, nextToken } = paginate(matching, input.maxResults, input.nextToken);
  return { snapshotSet: page.map((l) => snapshotWire(l, callerId)), nextToken };
}

function ownSnapshot(region: Ec2RegionState, snapshotId: string): Snapshot {
  const snapshot = region.snapshots[snapshotId];
  if (!snapshot)
    throw new Ec2Error('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
  return snapshot;
}

function requireCreateVolumePermission(attribute: string | undefined): void {
  if (attribute !== undefined && attribute !== 'createVolumePermission') {
    throw invalidParameter(`Value (${attribute}) for parameter attribute is invalid.`);
  }
}

/** ModifySnapshotAttribute: share or unshare (createVolumePermission add/remove, group `all`). */
export function modifySnapshotAttribute(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { snapshotId: string; attribute?: string; change: PermissionChange },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const snapshot = ownSnapshot(region, input.snapshotId);
  requireCreateVolumePermission(input.attribute);
  applyPermissionChange(snapshot, input.change);
  return { return: true };
}

/** DescribeSnapshotAttribute (createVolumePermission). */
export function describeSnapshotAttribute(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { snapshotId: string; attribute: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const snapshot = ownSnapshot(region, input.snapshotId);
  requireCreateVolumePermission(input.attribute);
  return { snapshotId: snapshot.snapshotId, createVolumePermission: permissionList(snapshot) };
}

/** ResetSnapshotAttribute: back to private. */
export function resetSnapshotAttribute(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { snapshotId: string; attribute: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const snapshot = ownSnapshot(region, input.snapshotId);
  requireCreateVolumePermission(input.attribute);
  snapshot.sharedWith = [];
  snapshot.isPublic = false;
  return { return: true };
}

/** DeleteSnapshot (refused while an image of the caller uses it). */
export function deleteSnapshot(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  snapshotId: string,
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  ownSnapshot(region, snapshotId);
  const image = Object.values(region.images).find((i) => i.rootSnapshotId === snapshotId);
  if (image) {
    throw new Ec2Error(
      'InvalidSnapshot.InUse',
      `The snapshot ${snapshotId} is currently in use by ${image.imageId}`,
    );
  }
  delete region.snapshots[snapshotId];
  delete region.tags[snapshotId];
  return {};
}
