import type { QueryParams } from '../../core/params.js';
import { Ec2Error } from './errors.js';
import type { Filter, Tag } from './model.js';
import type { PermissionChange, PermissionEntry } from './permissions.js';
import type { IpPermissionInput } from './security-groups.js';

/**
 * Readers for the ec2Query request shapes (flattened lists, `Filter.1.Value.1`), with the wire
 * names of the botocore EC2 model (capitalised `locationName`, else the member name).
 */

/** `Filter.N.Name` / `Filter.N.Value.M`. */
export function filtersOf(p: QueryParams): Filter[] {
  return p.structs('Filter').map((f) => ({ name: f.require('Name'), values: f.list('Value') }));
}

/** `Tag.N.Key` / `Tag.N.Value` (value defaults to empty, as EC2 stores it). */
export function tagsOf(p: QueryParams, name = 'Tag'): Tag[] {
  return p.structs(name).map((t) => ({ key: t.require('Key'), value: t.get('Value') ?? '' }));
}

/** `TagSpecification.N.ResourceType` + `.Tag.M.*`. */
export function tagSpecificationsOf(p: QueryParams): { resourceType: string; tags: Tag[] }[] {
  return p
    .structs('TagSpecification')
    .map((s) => ({ resourceType: s.get('ResourceType') ?? '', tags: tagsOf(s) }));
}

/** Tags from TagSpecification entries for one resource type. */
export function tagsFor(p: QueryParams, resourceType: string): Tag[] {
  return tagSpecificationsOf(p)
    .filter((s) => s.resourceType === resourceType)
    .flatMap((s) => s.tags);
}

/** An integer member, or EC2's InvalidParameterValue. */
export function intOf(p: QueryParams, name: string): number | undefined {
  const raw = p.get(name);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw new Ec2Error('InvalidParameterValue', `Invalid value '${raw}' for ${name}`);
  return value;
}

function entries(list: QueryParams[]): PermissionEntry[] {
  return list.map((e) => {
    const group = e.get('Group');
    const userId = e.get('UserId');
    return group !== undefined ? { group } : { userId: userId ?? '' };
  });
}

/**
 * A createVolumePermission / launchPermission change, from either form the API accepts:
 * `<Structure>.Add.N.UserId|Group` / `.Remove.N…`, or `OperationType` + `UserId.N` +
 * `UserGroup.N` (the form `aws ec2 modify-snapshot-attribute --operation-type add` sends).
 */
export function permissionChangeOf(p: QueryParams, structure: string): PermissionChange {
  const change: PermissionChange = {
    add: entries(p.structs(`${structure}.Add`)),
    remove: entries(p.structs(`${structure}.Remove`)),
  };
  const operation = p.get('OperationType');
  const flat: PermissionEntry[] = [
    ...p.list('UserId').map((userId) => ({ userId })),
    ...p.list('UserGroup').map((group) => ({ group })),
  ];
  if (flat.length) {
    if (operation !== 'add' && operation !== 'remove') {
      throw new Ec2Error('InvalidParameterValue', `Invalid value '${operation ?? ''}' for OperationType`);
    }
    change[operation].push(...flat);
  }
  return change;
}

/** IpPermissions, or the older top-level CidrIp/IpProtocol/FromPort/ToPort/SourceSecurityGroupName form. */
export function ipPermissionsOf(p: QueryParams): IpPermissionInput[] {
  const listed = p.structs('IpPermissions').map((s): IpPermissionInput => ({
    ipProtocol: s.get('IpProtocol'),
    fromPort: intOf(s, 'FromPort'),
    toPort: intOf(s, 'ToPort'),
    ipRanges: s
      .structs('IpRanges')
      .map((r) => ({ cidrIp: r.require('CidrIp'), description: r.get('Description') })),
    ipv6Ranges: s
      .structs('Ipv6Ranges')
      .map((r) => ({ cidrIpv6: r.require('CidrIpv6'), description: r.get('Description') })),
    userIdGroupPairs: s.structs('Groups').map((g) => ({
      groupId: g.get('GroupId'),
      groupName: g.get('GroupName'),
      userId: g.get('UserId'),
      description: g.get('Description'),
    })),
  }));
  const cidr = p.get('CidrIp');
  const sourceGroup = p.get('SourceSecurityGroupName');
  if (cidr !== undefined || sourceGroup !== undefined) {
    listed.push({
      ipProtocol: p.get('IpProtocol') ?? '-1',
      fromPort: intOf(p, 'FromPort'),
      toPort: intOf(p, 'ToPort'),
      ipRanges: cidr !== undefined ? [{ cidrIp: cidr }] : [],
      userIdGroupPairs: sourceGroup !== undefined ? [{ groupName: sourceGroup }] : [],
    });
  }
  return listed;
}
