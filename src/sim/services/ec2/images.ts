import { createHash } from 'node:crypto';
import { Ec2Error } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2Deps, Ec2RegionState, Ec2State, Filter, Image, WireObject } from './model.js';
import {
  applyPermissionChange,
  permissionList,
  sharedWithAccount,
  type PermissionChange,
} from './permissions.js';
import { ec2Region, ec2Time, newId, tagSet, tagsOf } from './world.js';

const AMAZON_OWNER = '137112412989';
const CANONICAL_OWNER = '099720109477';

/**
 * Public images every account sees, in every region. AMI ids differ per region in AWS, so
 * they are derived from the region and name (stable across runs and seeds); find them with
 * DescribeImages (`--owners amazon`, or the `name` filter).
 */
const PUBLIC_CATALOG = [
  {
    name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64',
    architecture: 'x86_64',
    owner: AMAZON_OWNER,
    alias: 'amazon',
    platformDetails: 'Linux/UNIX',
    description: 'Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1',
  },
  {
    name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-arm64',
    architecture: 'arm64',
    owner: AMAZON_OWNER,
    alias: 'amazon',
    platformDetails: 'Linux/UNIX',
    description: 'Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1',
  },
  {
    name: 'amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-x86_64-gp2',
    architecture: 'x86_64',
    owner: AMAZON_OWNER,
    alias: 'amazon',
    platformDetails: 'Linux/UNIX',
    description: 'Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 x86_64 HVM gp2',
  },
  {
    name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241210',
    architecture: 'x86_64',
    owner: CANONICAL_OWNER,
    alias: undefined,
    platformDetails: 'Linux/UNIX',
    description: 'Canonical, Ubuntu, 24.04, amd64 noble image',
  },
  {
    name: 'Windows_Server-2022-English-Full-Base-2024.12.13',
    architecture: 'x86_64',
    owner: AMAZON_OWNER,
    alias: 'amazon',
    platformDetails: 'Windows',
    description: 'Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon',
  },
] as const;

/** The public catalogue images of a region. */
export function publicImages(region: string): Image[] {
  return PUBLIC_CATALOG.map((entry) => ({
    imageId: `ami-0${createHash('sha256').update(`${region}/${entry.name}`).digest('hex').slice(0, 16)}`,
    ownerId: entry.owner,
    name: entry.name,
    description: entry.description,
    architecture: entry.architecture,
    creationDate: '2024-12-13T00:00:00.000Z',
    platformDetails: entry.platformDetails,
    sharedWith: [],
    isPublic: true,
    ...(entry.alias ? { ownerAlias: entry.alias } : {}),
  }));
}

interface Located {
  image: Image;
  home: Ec2RegionState | undefined;
}

/** Every image in the region across accounts (catalogue + account-owned). */
function allImages(state: Ec2State, region: string): Located[] {
  const located: Located[] = publicImages(region).map((image) => ({ image, home: undefined }));
  for (const account of Object.values(state.accounts)) {
    const home = account.regions[region];
    for (const image of Object.values(home?.images ?? {})) located.push({ image, home });
  }
  return located;
}

/** The image `imageId` as `callerId` may use it (own, shared or public), or InvalidAMIID.NotFound. */
export function findUsableImage(state: Ec2State, region: string, callerId: string, imageId: string): Image {
  if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) {
    throw new Ec2Error('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
  }
  const found = allImages(state, region).find((l) => l.image.imageId === imageId);
  if (!found || !(found.image.ownerId === callerId || sharedWithAccount(found.image, callerId))) {
    throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  }
  return found.image;
}

const IMAGE_FILTERS: FilterTable<Image> = {
  'image-id': (i) => i.imageId,
  name: (i) => i.name,
  description: (i) => i.description,
  'owner-id': (i) => i.ownerId,
  'owner-alias': (i) => i.ownerAlias,
  architecture: (i) => i.architecture,
  'is-public': (i) => i.isPublic,
  state: () => 'available',
  'image-type': () => 'machine',
  platform: (i) => (i.platformDetails === 'Windows' ? 'windows' : undefined),
  'platform-details': (i) => i.platformDetails,
  'root-device-type': () => 'ebs',
  'virtualization-type': () => 'hvm',
};

function ownerMatches(image: Image, owners: string[], callerId: string): boolean {
  return owners.some((owner) =>
    owner === 'self' ? image.ownerId === callerId : owner === image.ownerAlias || owner === image.ownerId,
  );
}

/** DescribeImages: images the caller may launch, narrowed by ids, owners, executable users and filters. */
export function describeImages(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  region: string,
  input: { imageIds?: string[]; owners?: string[]; executableUsers?: string[]; filters?: Filter[] },
): WireObject {
  ec2Region(state, deps, callerId, region);
  const ids = input.imageIds ?? [];
  const visible = allImages(state, region).filter(({ image }) => {
    if (image.ownerId !== callerId && !sharedWithAccount(image, callerId)) return false;
    if (ids.length && !ids.includes(image.imageId)) return false;
    if (input.owners?.length && !ownerMatches(image, input.owners, callerId)) return false;
    if (input.executableUsers?.length) {
      const ok = input.executableUsers.some((user) =>
        user === 'all' ? image.isPublic : image.sharedWith.includes(user === 'self' ? callerId : user),
      );
      if (!ok) return false;
    }
    return true;
  });
  for (const id of ids) {
    if (!visible.some((l) => l.image.imageId === id)) {
      throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    }
  }
  checkFilters(input.filters, IMAGE_FILTERS);
  const matching = visible.filter(({ image, home }) =>
    matchesFilters(image, input.filters, IMAGE_FILTERS, (i) => (home ? tagsOf(home, i.imageId) : [])),
  );
  return {
    imagesSet: matching.map(({ image, home }) => imageWire(image, home, image.ownerId === callerId)),
  };
}

function imageWire(image: Image, home: Ec2RegionState | undefined, owned: boolean): WireObject {
  return {
    imageId: image.imageId,
    imageLocation: `${image.ownerAlias ?? image.ownerId}/${image.name}`,
    imageState: 'available',
    imageOwnerId: image.ownerId,
    creationDate: image.creationDate,
    isPublic: image.isPublic,
    architecture: image.architecture,
    imageType: 'machine',
    ...(image.platformDetails === 'Windows' ? { platform: 'windows' } : {}),
    platformDetails: image.platformDetails,
    usageOperation: image.platformDetails === 'Windows' ? 'RunInstances:0002' : 'RunInstances',
    imageOwnerAlias: image.ownerAlias,
    name: image.name,
    description: image.description,
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [
      {
        deviceName: '/dev/xvda',
        ebs: {
          snapshotId: image.rootSnapshotId,
          volumeSize: 8,
          deleteOnTermination: true,
          volumeType: 'gp3',
          encrypted: false,
        },
      },
    ],
    virtualizationType: 'hvm',
    hypervisor: 'xen',
    enaSupport: true,
    sriovNetSupport: 'simple',
    // Only the owner sees its own tags on an image (EC2 UG, "Tag your resources").
    tagSet: home && owned ? tagSet(home, image.imageId) : [],
  };
}

/** The caller's own image, or InvalidAMIID.NotFound. */
function ownImage(region: Ec2RegionState, imageId: string): Image {
  const image = region.images[imageId];
  if (!image) throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  return image;
}

/** ModifyImageAttribute for `launchPermission` (the only attribute sharing an AMI). */
export function modifyImageAttribute(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { imageId: string; attribute?: string; change: PermissionChange; description?: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const image = ownImage(region, input.imageId);
  if (input.description !== undefined) {
    image.description = input.description;
    return { return: true };
  }
  if (input.attribute !== undefined && input.attribute !== 'launchPermission') {
    throw new Ec2Error('InvalidParameterValue', `Invalid attribute '${input.attribute}'`);
  }
  applyPermissionChange(image, input.change);
  return { return: true };
}

/** DescribeImageAttribute for `launchPermission` and `description`. */
export function describeImageAttribute(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { imageId: string; attribute: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const image = ownImage(region, input.imageId);
  if (input.attribute === 'launchPermission') {
    return { imageId: image.imageId, launchPermission: permissionList(image) };
  }
  if (input.attribute === 'description') {
    return { imageId: image.imageId, description: { value: image.description } };
  }
  throw new Ec2Error('InvalidParameterValue', `Invalid attribute '${input.attribute}'`);
}

/** ResetImageAttribute (`launchPermission`): the image is private again. */
export function resetImageAttribute(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { imageId: string; attribute: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const image = ownImage(region, input.imageId);
  if (input.attribute !== 'launchPermission')
    throw new Ec2Error('InvalidParameterValue', `Invalid attribute '${input.attribute}'`);
  image.sharedWith = [];
  image.isPublic = false;
  return { return: true };
}

/** DeregisterImage: the AMI goes; its snapshots stay (EC2 UG, "Deregister an AMI"). */
export function deregisterImage(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  imageId: string,
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  ownImage(region, imageId);
  delete region.images[imageId];
  delete region.tags[imageId];
  return { return: true };
}

/** Register a new image owned by `callerId` (CreateImage), returning its id. */
export function registerImage(
  region: Ec2RegionState,
  deps: Ec2Deps,
  callerId: string,
  fields: {
    name: string;
    description: string;
    architecture: string;
    platformDetails: string;
    rootSnapshotId: string;
  },
): Image {
  const clash = Object.values(region.images).find((image) => image.name === fields.name);
  if (clash) {
    throw new Ec2Error(
      'InvalidAMIName.Duplicate',
      `AMI name ${fields.name} is already in use by AMI ${clash.imageId}`,
    );
  }
  const image: Image = {
    imageId: newId(deps, 'ami'),
    ownerId: callerId,
    ...fields,
    creationDate: ec2Time(deps.now()),
    sharedWith: [],
    isPublic: false,
  };
  region.images[image.imageId] = image;
  return image;
}
