import { Ec2Error, invalidParameter, missingParameter } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2Deps, Ec2RegionState, Ec2State, Filter, Tag, WireObject } from './model.js';
import { ec2Region, paginate } from './world.js';

/** Resource id prefix → EC2 resource type and the NotFound code for that type. */
const RESOURCE_TYPES: {
  prefix: string;
  type: string;
  notFound: string;
  exists: (r: Ec2RegionState, id: string) => boolean;
}[] = [
  {
    prefix: 'i-',
    type: 'instance',
    notFound: 'InvalidInstanceID.NotFound',
    exists: (r, id) => Boolean(r.instances[id]),
  },
  {
    prefix: 'vol-',
    type: 'volume',
    notFound: 'InvalidVolume.NotFound',
    exists: (r, id) => Boolean(r.volumes[id]),
  },
  {
    prefix: 'snap-',
    type: 'snapshot',
    notFound: 'InvalidSnapshot.NotFound',
    exists: (r, id) => Boolean(r.snapshots[id]),
  },
  {
    prefix: 'ami-',
    type: 'image',
    notFound: 'InvalidAMIID.NotFound',
    exists: (r, id) => Boolean(r.images[id]),
  },
  {
    prefix: 'sg-',
    type: 'security-group',
    notFound: 'InvalidGroup.NotFound',
    exists: (r, id) => Boolean(r.securityGroups[id]),
  },
  {
    prefix: 'key-',
    type: 'key-pair',
    notFound: 'InvalidKeyPair.NotFound',
    exists: (r, id) => Object.values(r.keyPairs).some((k) => k.keyPairId === id),
  },
  {
    prefix: 'vpc-',
    type: 'vpc',
    notFound: 'InvalidVpcID.NotFound',
    exists: (r, id) => r.vpcs.some((v) => v.vpcId === id),
  },
  {
    prefix: 'subnet-',
    type: 'subnet',
    notFound: 'InvalidSubnetID.NotFound',
    exists: (r, id) => r.vpcs.some((v) => v.subnets.some((s) => s.subnetId === id)),
  },
];

/** EC2's resource type name for an id (`instance` for `i-…`), or undefined. */
export function resourceTypeOf(resourceId: string): string | undefined {
  return RESOURCE_TYPES.find((t) => resourceId.startsWith(t.prefix))?.type;
}

function requireResource(region: Ec2RegionState, resourceId: string): void {
  const type = RESOURCE_TYPES.find((t) => resourceId.startsWith(t.prefix));
  if (!type) throw new Ec2Error('InvalidID', `The ID '${resourceId}' is not valid`);
  if (!type.exists(region, resourceId))
    throw new Ec2Error(type.notFound, `The ID '${resourceId}' does not exist`);
}

/** A resource may carry at most 50 tags; `aws:` keys are reserved (EC2 UG, "Tag restrictions"). */
const MAX_TAGS = 50;

/** CreateTags: add or overwrite tags on the caller's resources. */
export function createTags(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { resources: string[]; tags: Tag[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  if (input.resources.length === 0) throw missingParameter('ResourceId');
  if (input.tags.length === 0) throw missingParameter('Tag');
  for (const tag of input.tags) {
    if (tag.key.toLowerCase().startsWith('aws:')) {
      throw invalidParameter("Tag keys starting with 'aws:' are reserved for internal use");
    }
  }
  input.resources.forEach((id) => requireResource(region, id));
  for (const id of input.resources) {
    const tags = [...(region.tags[id] ?? [])];
    for (const tag of input.tags) {
      const existing = tags.find((t) => t.key === tag.key);
      if (existing) existing.value = tag.value;
      else tags.push({ key: tag.key, value: tag.value });
    }
    if (tags.length > MAX_TAGS) {
      throw new Ec2Error('TagLimitExceeded', `The maximum number of Tags for a resource has been reached.`);
    }
    region.tags[id] = tags;
  }
  return { return: true };
}

/** DeleteTags: remove the named keys (only where the value matches, when one is given), or all tags. */
export function deleteTags(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { resources: string[]; tags?: { key: string; value?: string }[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  if (input.resources.length === 0) throw missingParameter('ResourceId');
  input.resources.forEach((id) => requireResource(region, id));
  for (const id of input.resources) {
    const remaining = (region.tags[id] ?? []).filter(
      (tag) =>
        input.tags?.length &&
        !input.tags.some(
          (doomed) => doomed.key === tag.key && (doomed.value === undefined || doomed.value === tag.value),
        ),
    );
    if (remaining.length) region.tags[id] = remaining;
    else delete region.tags[id];
  }
  return { return: true };
}

interface TagRow {
  resourceId: string;
  resourceType: string;
  key: string;
  value: string;
}

const TAG_FILTERS: FilterTable<TagRow> = {
  'resource-id': (t) => t.resourceId,
  'resource-type': (t) => t.resourceType,
  key: (t) => t.key,
  value: (t) => t.value,
};

/** DescribeTags across the caller's resources in the region. */
export function describeTags(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { filters?: Filter[]; maxResults?: number; nextToken?: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const rows: TagRow[] = Object.entries(region.tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([resourceId, tags]) =>
      tags.map((tag) => ({
        resourceId,
        resourceType: resourceTypeOf(resourceId) ?? 'unknown',
        key: tag.key,
        value: tag.value,
      })),
    );
  checkFilters(input.filters, TAG_FILTERS, false);
  const matching = rows.filter((row) => matchesFilters(row, input.filters, TAG_FILTERS));
  const { page, nextToken } = paginate(matching, input.maxResults, input.nextToken);
  return { tagSet: page.map((row) => ({ ...row })), nextToken };
}
