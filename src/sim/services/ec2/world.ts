import { createHash } from 'node:crypto';
import { Ec2Error } from './errors.js';
import type {
  Ec2AccountState,
  Ec2Deps,
  Ec2RegionState,
  Ec2State,
  SecurityGroup,
  SecurityGroupRule,
  Tag,
} from './model.js';
import { availabilityZones, regionEnabled } from './regions.js';

/** An empty EC2 world. */
export function emptyEc2State(): Ec2State {
  return { accounts: {} };
}

/** The account's EC2 record, created on first use. */
export function ec2Account(state: Ec2State, accountId: string): Ec2AccountState {
  let account = state.accounts[accountId];
  if (!account) {
    account = { optedInRegions: [], regions: {} };
    state.accounts[accountId] = account;
  }
  return account;
}

/** A new EC2 resource id: prefix + 17 hex characters, the current AWS format. */
export function newId(deps: Ec2Deps, prefix: string): string {
  return `${prefix}-${deps.hex(17)}`;
}

/**
 * One account's resources in one region, created on first use with what every account has
 * there: a default VPC (172.31.0.0/16) with one /20 default subnet per availability zone and
 * the VPC's `default` security group (EC2 UG, "Default VPCs").
 */
export function ec2Region(state: Ec2State, deps: Ec2Deps, accountId: string, region: string): Ec2RegionState {
  const account = ec2Account(state, accountId);
  if (!regionEnabled(account, region)) {
    // A call into a region the account has not enabled fails authentication (EC2 AuthFailure).
    throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  }
  const existing = account.regions[region];
  if (existing) return existing;
  // The default network exists before anyone looks: its ids derive from account and region, so
  // a read-only call does not shift the seeded ids of what is created later.
  let drawn = 0;
  const fixed: Ec2Deps = {
    now: () => deps.now(),
    hex: (length) =>
      createHash('sha256').update(`${accountId}/${region}/${drawn++}`).digest('hex').slice(0, length),
  };
  const vpcId = newId(fixed, 'vpc');
  const subnets = availabilityZones(region).map((availabilityZone, index) => ({
    subnetId: newId(fixed, 'subnet'),
    availabilityZone,
    cidrBlock: `172.31.${index * 16}.0/20`,
    nextHost: 4,
  }));
  const created: Ec2RegionState = {
    vpcs: [{ vpcId, cidrBlock: '172.31.0.0/16', isDefault: true, subnets }],
    instances: {},
    volumes: {},
    snapshots: {},
    images: {},
    keyPairs: {},
    securityGroups: {},
    tags: {},
  };
  const group = defaultSecurityGroup(fixed, accountId, vpcId);
  created.securityGroups[group.groupId] = group;
  account.regions[region] = created;
  return created;
}

/**
 * The default security group: all traffic from members of the group itself, all traffic out.
 */
export function defaultSecurityGroup(deps: Ec2Deps, ownerId: string, vpcId: string): SecurityGroup {
  const groupId = newId(deps, 'sg');
  return {
    groupId,
    groupName: 'default',
    description: 'default VPC security group',
    vpcId,
    ownerId,
    rules: [
      {
        ruleId: newId(deps, 'sgr'),
        isEgress: false,
        ipProtocol: '-1',
        referencedGroupId: groupId,
        referencedUserId: ownerId,
      },
      allEgressRule(deps),
    ],
  };
}

/** The rule every new VPC security group starts with: all traffic out to anywhere. */
export function allEgressRule(deps: Ec2Deps): SecurityGroupRule {
  return { ruleId: newId(deps, 'sgr'), isEgress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' };
}

/** The tags of a resource (empty when it has none). */
export function tagsOf(region: Ec2RegionState, resourceId: string): Tag[] {
  return region.tags[resourceId] ?? [];
}

/** Wire form of a tag list, `tagSet` items. */
export function tagSet(region: Ec2RegionState, resourceId: string): { key: string; value: string }[] {
  return tagsOf(region, resourceId).map((tag) => ({ key: tag.key, value: tag.value }));
}

/** EC2 timestamps on the wire: ISO-8601 with milliseconds. */
export function ec2Time(date: Date): string {
  return date.toISOString();
}

/** An integer in [0, bound) from the simulator's randomness. */
export function randomInt(deps: Ec2Deps, bound: number): number {
  return parseInt(deps.hex(8), 16) % bound;
}

/** Page a list the way Describe* calls do: `maxResults` items, an opaque `nextToken`. */
export function paginate<T>(
  items: T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { page: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) {
      throw new Ec2Error('InvalidParameterValue', `Invalid value '${nextToken}' for NextToken`);
    }
    start = decoded;
  }
  if (maxResults === undefined) return { page: items.slice(start) };
  const end = start + maxResults;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextToken: Buffer.from(String(end)).toString('base64url') } : { page };
}
