import type { QueryParams } from '../../core/params.js';
import { arnOfResourceId, ec2Arn } from './arns.js';
import { createKeyPair, deleteKeyPair, describeKeyPairs, importKeyPair } from './key-pairs.js';
import type { Ec2Call, Ec2OpSpec } from './operation.js';
import { filtersOf, intOf, ipPermissionsOf, tagsFor, tagsOf } from './parse.js';
import {
  authorizeSecurityGroup,
  createSecurityGroup,
  deleteSecurityGroup,
  describeSecurityGroups,
  findGroup,
  revokeSecurityGroup,
} from './security-groups.js';
import { createTags, deleteTags, describeTags } from './tags.js';
import { ec2TrailShape, itemSet } from './trail.js';
import { ec2Region } from './world.js';

/** The ARN of the group a request names by id, or by name in the default VPC. */
function groupArn(c: Ec2Call): string {
  const groupId = c.p.get('GroupId');
  if (groupId) return ec2Arn.securityGroup(c.region, c.account, groupId);
  const region = ec2Region(c.world, c.deps, c.account, c.region);
  const id = findGroup(region, { groupName: c.p.get('GroupName') }).groupId;
  return ec2Arn.securityGroup(c.region, c.account, id);
}

function ruleChange(isEgress: boolean, revoke: boolean): Ec2OpSpec {
  return {
    resources: (c) => [groupArn(c)],
    requestParameters: (c) => ({
      groupId: c.p.get('GroupId'),
      groupName: c.p.get('GroupName'),
      ipPermissions: ec2TrailShape(
        ipPermissionsOf(c.p).map((p) => ({
          ipProtocol: p.ipProtocol,
          fromPort: p.fromPort,
          toPort: p.toPort,
          groups: (p.userIdGroupPairs ?? []).map((g) => ({ ...g })),
          ipRanges: (p.ipRanges ?? []).map((r) => ({ ...r })),
          ipv6Ranges: (p.ipv6Ranges ?? []).map((r) => ({ ...r })),
          prefixListIds: [],
        })),
      ),
    }),
    run: (c) => {
      const input = {
        groupId: c.p.get('GroupId'),
        groupName: c.p.get('GroupName'),
        isEgress,
        permissions: ipPermissionsOf(c.p),
      };
      return revoke
        ? revokeSecurityGroup(c.world, c.deps, c.account, c.region, {
            ...input,
            ruleIds: c.p.list('SecurityGroupRuleId'),
          })
        : authorizeSecurityGroup(c.world, c.deps, c.account, c.region, input);
    },
  };
}

const resourceIds = (p: QueryParams): string[] => p.list('ResourceId');

/** Security groups, key pairs and tags. */
export const NETWORK_OPERATIONS: Record<string, Ec2OpSpec> = {
  CreateSecurityGroup: {
    resources: (c) => [ec2Arn.securityGroup(c.region, c.account, '*')],
    run: (c) =>
      createSecurityGroup(c.world, c.deps, c.account, c.region, {
        groupName: c.p.get('GroupName'),
        description: c.p.get('GroupDescription'),
        vpcId: c.p.get('VpcId'),
        tags: tagsFor(c.p, 'security-group'),
      }),
  },
  DescribeSecurityGroups: {
    run: (c) =>
      describeSecurityGroups(c.world, c.deps, c.account, c.region, {
        groupIds: c.p.list('GroupId'),
        groupNames: c.p.list('GroupName'),
        filters: filtersOf(c.p),
        maxResults: intOf(c.p, 'MaxResults'),
        nextToken: c.p.get('NextToken'),
      }),
  },
  AuthorizeSecurityGroupIngress: ruleChange(false, false),
  AuthorizeSecurityGroupEgress: ruleChange(true, false),
  RevokeSecurityGroupIngress: ruleChange(false, true),
  RevokeSecurityGroupEgress: ruleChange(true, true),
  DeleteSecurityGroup: {
    resources: (c) => [groupArn(c)],
    run: (c) =>
      deleteSecurityGroup(c.world, c.deps, c.account, c.region, {
        groupId: c.p.get('GroupId'),
        groupName: c.p.get('GroupName'),
      }),
  },
  CreateKeyPair: {
    resources: (c) => [ec2Arn.keyPair(c.region, c.account, c.p.get('KeyName') ?? '*')],
    run: (c) =>
      createKeyPair(c.world, c.deps, c.account, c.region, {
        keyName: c.p.require('KeyName'),
        keyType: c.p.get('KeyType'),
        tags: tagsFor(c.p, 'key-pair'),
      }),
  },
  ImportKeyPair: {
    resources: (c) => [ec2Arn.keyPair(c.region, c.account, c.p.get('KeyName') ?? '*')],
    run: (c) =>
      importKeyPair(c.world, c.deps, c.account, c.region, {
        keyName: c.p.require('KeyName'),
        // A blob member: base64 on the wire (the CLI reads the file and encodes it).
        publicKeyMaterial: Buffer.from(c.p.require('PublicKeyMaterial'), 'base64').toString('utf8'),
        tags: tagsFor(c.p, 'key-pair'),
      }),
  },
  DescribeKeyPairs: {
    run: (c) =>
      describeKeyPairs(c.world, c.deps, c.account, c.region, {
        keyNames: c.p.list('KeyName'),
        keyPairIds: c.p.list('KeyPairId'),
        filters: filtersOf(c.p),
        includePublicKey: c.p.bool('IncludePublicKey'),
      }),
  },
  DeleteKeyPair: {
    resources: (c) => [ec2Arn.keyPair(c.region, c.account, c.p.get('KeyName') ?? '*')],
    run: (c) =>
      deleteKeyPair(c.world, c.deps, c.account, c.region, {
        keyName: c.p.get('KeyName'),
        keyPairId: c.p.get('KeyPairId'),
      }),
  },
  CreateTags: {
    resources: (c) => resourceIds(c.p).map((id) => arnOfResourceId(c.region, c.account, id)),
    requestParameters: (c) => ({
      resourcesSet: itemSet('resourceId', resourceIds(c.p)),
      tagSet: ec2TrailShape(tagsOf(c.p).map((t) => ({ key: t.key, value: t.value }))),
    }),
    run: (c) =>
      createTags(c.world, c.deps, c.account, c.region, { resources: resourceIds(c.p), tags: tagsOf(c.p) }),
  },
  DeleteTags: {
    resources: (c) => resourceIds(c.p).map((id) => arnOfResourceId(c.region, c.account, id)),
    run: (c) =>
      deleteTags(c.world, c.deps, c.account, c.region, {
        resources: resourceIds(c.p),
        tags: c.p.structs('Tag').map((t) => ({ key: t.require('Key'), value: t.get('Value') })),
      }),
  },
  DescribeTags: {
    run: (c) =>
      describeTags(c.world, c.deps, c.account, c.region, {
        filters: filtersOf(c.p),
        maxResults: intOf(c.p, 'MaxResults'),
        nextToken: c.p.get('NextToken'),
      }),
  },
};
