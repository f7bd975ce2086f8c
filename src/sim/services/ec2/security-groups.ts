import { Ec2Error, invalidParameter, missingParameter } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type {
  Ec2Deps,
  Ec2RegionState,
  Ec2State,
  Filter,
  SecurityGroup,
  SecurityGroupRule,
  Tag,
  WireObject,
} from './model.js';
import { allEgressRule, ec2Region, newId, paginate, tagSet, tagsOf } from './world.js';

/** An IpPermission as Authorize/Revoke calls send it. */
export interface IpPermissionInput {
  ipProtocol?: string;
  fromPort?: number;
  toPort?: number;
  ipRanges?: { cidrIp: string; description?: string }[];
  ipv6Ranges?: { cidrIpv6: string; description?: string }[];
  userIdGroupPairs?: { groupId?: string; groupName?: string; userId?: string; description?: string }[];
}

/** Protocol numbers EC2 reports by name; `all`/`-1` mean every protocol (no ports). */
const PROTOCOL_NAMES: Record<string, string> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
  all: '-1',
};

function normaliseProtocol(protocol: string | undefined): string {
  if (!protocol) throw missingParameter('IpProtocol');
  const lower = protocol.toLowerCase();
  return PROTOCOL_NAMES[lower] ?? lower;
}

/** Rules with the same protocol and ports form one IpPermission on the wire. */
function permissionsWire(rules: SecurityGroupRule[]): WireObject[] {
  const grouped = new Map<string, SecurityGroupRule[]>();
  for (const rule of rules) {
    const key = `${rule.ipProtocol}|${rule.fromPort ?? ''}|${rule.toPort ?? ''}`;
    grouped.set(key, [...(grouped.get(key) ?? []), rule]);
  }
  return [...grouped.values()].map((same) => ({
    ipProtocol: same[0]!.ipProtocol,
    fromPort: same[0]!.fromPort,
    toPort: same[0]!.toPort,
    groups: same
      .filter((r) => r.referencedGroupId)
      .map((r) => ({ userId: r.referencedUserId, groupId: r.referencedGroupId, description: r.description })),
    ipRanges: same.filter((r) => r.cidrIpv4).map((r) => ({ cidrIp: r.cidrIpv4, description: r.description })),
    ipv6Ranges: same
      .filter((r) => r.cidrIpv6)
      .map((r) => ({ cidrIpv6: r.cidrIpv6, description: r.description })),
    prefixListIds: [],
  }));
}

function groupArn(region: string, group: SecurityGroup): string {
  return `arn:aws:ec2:${region}:${group.ownerId}:security-group/${group.groupId}`;
}

function groupWire(region: Ec2RegionState, regionName: string, group: SecurityGroup): WireObject {
  return {
    ownerId: group.ownerId,
    groupId: group.groupId,
    groupName: group.groupName,
    groupDescription: group.description,
    ipPermissions: permissionsWire(group.rules.filter((r) => !r.isEgress)),
    ipPermissionsEgress: permissionsWire(group.rules.filter((r) => r.isEgress)),
    vpcId: group.vpcId,
    securityGroupArn: groupArn(regionName, group),
    tagSet: tagSet(region, group.groupId),
  };
}

/** One `securityGroupRuleSet` item. */
export function ruleWire(group: SecurityGroup, rule: SecurityGroupRule): WireObject {
  return {
    securityGroupRuleId: rule.ruleId,
    groupId: group.groupId,
    groupOwnerId: group.ownerId,
    isEgress: rule.isEgress,
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort ?? -1,
    toPort: rule.toPort ?? -1,
    cidrIpv4: rule.cidrIpv4,
    cidrIpv6: rule.cidrIpv6,
    referencedGroupInfo: rule.referencedGroupId
      ? { groupId: rule.referencedGroupId, userId: rule.referencedUserId }
      : undefined,
    description: rule.description,
    securityGroupRuleArn: undefined,
  };
}

/** The caller's group by id, or by name in the default VPC. */
export function findGroup(
  region: Ec2RegionState,
  ref: { groupId?: string; groupName?: string },
): SecurityGroup {
  if (ref.groupId) {
    const group = region.securityGroups[ref.groupId];
    if (!group)
      throw new Ec2Error('InvalidGroup.NotFound', `The security group '${ref.groupId}' does not exist`);
    return group;
  }
  if (ref.groupName) {
    const defaultVpc = region.vpcs.find((v) => v.isDefault)?.vpcId;
    const group = Object.values(region.securityGroups).find(
      (g) => g.groupName === ref.groupName && g.vpcId === defaultVpc,
    );
    if (!group) {
      throw new Ec2Error(
        'InvalidGroup.NotFound',
        `The security group '${ref.groupName}' does not exist in default VPC '${defaultVpc ?? ''}'`,
      );
    }
    return group;
  }
  throw missingParameter('GroupId');
}

/** CreateSecurityGroup in a VPC (the default VPC when none is named). */
export function createSecurityGroup(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { groupName?: string; description?: string; vpcId?: string; tags?: Tag[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  if (!input.groupName) throw missingParameter('GroupName');
  if (!input.description) throw missingParameter('GroupDescription');
  if (input.groupName.startsWith('sg-')) throw invalidParameter('Group names may not be in the format sg-*.');
  const vpc = input.vpcId
    ? region.vpcs.find((v) => v.vpcId === input.vpcId)
    : region.vpcs.find((v) => v.isDefault);
  if (!vpc) throw new Ec2Error('InvalidVpcID.NotFound', `The vpc ID '${input.vpcId ?? ''}' does not exist`);
  if (
    Object.values(region.securityGroups).some((g) => g.groupName === input.groupName && g.vpcId === vpc.vpcId)
  ) {
    throw new Ec2Error(
      'InvalidGroup.Duplicate',
      `The security group '${input.groupName}' already exists for VPC '${vpc.vpcId}'`,
    );
  }
  const group: SecurityGroup = {
    groupId: newId(deps, 'sg'),
    groupName: input.groupName,
    description: input.description,
    vpcId: vpc.vpcId,
    ownerId: callerId,
    rules: [allEgressRule(deps)],
  };
  region.securityGroups[group.groupId] = group;
  if (input.tags?.length) region.tags[group.groupId] = input.tags.map((t) => ({ ...t }));
  return {
    return: true,
    groupId: group.groupId,
    tagSet: tagSet(region, group.groupId),
    securityGroupArn: groupArn(regionName, group),
  };
}

/** Expand IpPermissions into one candidate rule per source, normalised. */
function expand(
  region: Ec2RegionState,
  callerId: string,
  isEgress: boolean,
  permissions: IpPermissionInput[],
): Omit<SecurityGroupRule, 'ruleId'>[] {
  if (permissions.length === 0) throw missingParameter('IpPermissions');
  return permissions.flatMap((p) => {
    const ipProtocol = normaliseProtocol(p.ipProtocol);
    const ports = ipProtocol === '-1' ? {} : { fromPort: p.fromPort ?? -1, toPort: p.toPort ?? -1 };
    const base = { isEgress, ipProtocol, ...ports };
    const sources: Omit<SecurityGroupRule, 'ruleId'>[] = [
      ...(p.ipRanges ?? []).map((r) => ({
        ...base,
        cidrIpv4: checkCidr(r.cidrIp),
        description: r.description,
      })),
      ...(p.ipv6Ranges ?? []).map((r) => ({ ...base, cidrIpv6: r.cidrIpv6, description: r.description })),
      ...(p.userIdGroupPairs ?? []).map((pair) => {
        const source = findGroup(region, pair);
        return {
          ...base,
          referencedGroupId: source.groupId,
          referencedUserId: pair.userId ?? callerId,
          description: pair.description,
        };
      }),
    ];
    if (sources.length === 0)
      throw invalidParameter('The request must specify a source (CIDR range or security group).');
    return sources;
  });
}

function checkCidr(cidr: string): string {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) {
    throw invalidParameter(`CIDR block ${cidr} is malformed`);
  }
  return cidr;
}

function sameRule(a: Omit<SecurityGroupRule, 'ruleId'>, b: Omit<SecurityGroupRule, 'ruleId'>): boolean {
  return (
    a.isEgress === b.isEgress &&
    a.ipProtocol === b.ipProtocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6 &&
    a.referencedGroupId === b.referencedGroupId
  );
}

function describeRule(rule: Omit<SecurityGroupRule, 'ruleId'>): string {
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.referencedGroupId ?? '';
  const ports =
    rule.ipProtocol === '-1'
      ? 'ALL'
      : `${rule.ipProtocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}`;
  return `peer: ${peer}, ${ports}, ALLOW`;
}

/** AuthorizeSecurityGroupIngress / Egress: add rules; an existing identical rule is a Duplicate error. */
export function authorizeSecurityGroup(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { groupId?: string; groupName?: string; isEgress: boolean; permissions: IpPermissionInput[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const group = findGroup(region, input);
  const candidates = expand(region, callerId, input.isEgress, input.permissions);
  for (const candidate of candidates) {
    if (group.rules.some((rule) => sameRule(rule, candidate))) {
      throw new Ec2Error(
        'InvalidPermission.Duplicate',
        `the specified rule "${describeRule(candidate)}" already exists`,
      );
    }
  }
  const added = candidates.map((candidate) => ({ ruleId: newId(deps, 'sgr'), ...candidate }));
  group.rules.push(...added);
  return { return: true, securityGroupRuleSet: added.map((rule) => ruleWire(group, rule)) };
}

/** RevokeSecurityGroupIngress / Egress by permission or by rule id. */
export function revokeSecurityGroup(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: {
    groupId?: string;
    groupName?: string;
    isEgress: boolean;
    permissions: IpPermissionInput[];
    ruleIds?: string[];
  },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const group = findGroup(region, input);
  const doomed: SecurityGroupRule[] = [];
  for (const ruleId of input.ruleIds ?? []) {
    const rule = group.rules.find((r) => r.ruleId === ruleId && r.isEgress === input.isEgress);
    if (!rule)
      throw new Ec2Error(
        'InvalidSecurityGroupRuleId.NotFound',
        `The security group rule ID '${ruleId}' does not exist`,
      );
    doomed.push(rule);
  }
  if (input.permissions.length || !input.ruleIds?.length) {
    for (const candidate of expand(region, callerId, input.isEgress, input.permissions)) {
      const rule = group.rules.find((r) => sameRule(r, candidate));
      if (!rule) {
        throw new Ec2Error(
          'InvalidPermission.NotFound',
          'The specified rule does not exist in this security group.',
        );
      }
      doomed.push(rule);
    }
  }
  group.rules = group.rules.filter((rule) => !doomed.includes(rule));
  return { return: true, revokedSecurityGroupRuleSet: doomed.map((rule) => ruleWire(group, rule)) };
}

const GROUP_FILTERS: FilterTable<SecurityGroup> = {
  'group-id': (g) => g.groupId,
  'group-name': (g) => g.groupName,
  description: (g) => g.description,
  'vpc-id': (g) => g.vpcId,
  'owner-id': (g) => g.ownerId,
  'ip-permission.cidr': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.cidrIpv4),
  'ip-permission.ipv6-cidr': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.cidrIpv6),
  'ip-permission.from-port': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.fromPort),
  'ip-permission.to-port': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.toPort),
  'ip-permission.protocol': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.ipProtocol),
  'ip-permission.group-id': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.referencedGroupId),
  'egress.ip-permission.cidr': (g) => g.rules.filter((r) => r.isEgress).map((r) => r.cidrIpv4),
};

/** DescribeSecurityGroups. */
export function describeSecurityGroups(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: {
    groupIds?: string[];
    groupNames?: string[];
    filters?: Filter[];
    maxResults?: number;
    nextToken?: string;
  },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const selected = [
    ...(input.groupIds ?? []).map((groupId) => findGroup(region, { groupId })),
    ...(input.groupNames ?? []).map((groupName) => findGroup(region, { groupName })),
  ];
  const groups = selected.length ? selected : Object.values(region.securityGroups);
  checkFilters(input.filters, GROUP_FILTERS);
  const matching = groups.filter((g) =>
    matchesFilters(g, input.filters, GROUP_FILTERS, (x) => tagsOf(region, x.groupId)),
  );
  const { page, nextToken } = paginate(matching, input.maxResults, input.nextToken);
  return { securityGroupInfo: page.map((g) => groupWire(region, regionName, g)), nextToken };
}

/** DeleteSecurityGroup: not the default group, not while instances or other groups use it. */
export function deleteSecurityGroup(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { groupId?: string; groupName?: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const group = findGroup(region, input);
  if (group.groupName === 'default') {
    throw new Ec2Error(
      'CannotDelete',
      `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
    );
  }
  const inUse =
    Object.values(region.instances).some(
      (i) => i.state !== 'terminated' && i.securityGroupIds.includes(group.groupId),
    ) ||
    Object.values(region.securityGroups).some(
      (g) => g !== group && g.rules.some((r) => r.referencedGroupId === group.groupId),
    );
  if (inUse) throw new Ec2Error('DependencyViolation', `resource ${group.groupId} has a dependent object`);
  delete region.securityGroups[group.groupId];
  delete region.tags[group.groupId];
  return { return: true, groupId: group.groupId };
}
