import type { QueryParams } from '../../core/params.js';
import { ec2Arn } from './arns.js';
import { describeInstanceAttribute, modifyInstanceAttribute } from './instance-attributes.js';
import {
  describeInstances,
  changeInstanceStates,
  runInstances,
  type RunInstancesInput,
} from './instances.js';
import type { Wire } from './model.js';
import type { Ec2OpSpec } from './operation.js';
import { filtersOf, intOf, tagSpecificationsOf } from './parse.js';
import { describeRegions } from './regions.js';
import { filterSet, itemSet, ec2TrailShape } from './trail.js';
import { describeAvailabilityZones, describeSubnets, describeVpcs } from './vpcs.js';
import { ec2Account } from './world.js';

/** RunInstances input from its members (also the members of a Spot LaunchSpecification). */
export function runInput(p: QueryParams): RunInstancesInput {
  const profile = p.struct('IamInstanceProfile');
  const root = p.structs('BlockDeviceMapping')[0];
  return {
    imageId: p.get('ImageId'),
    instanceType: p.get('InstanceType'),
    minCount: intOf(p, 'MinCount') ?? 0,
    maxCount: intOf(p, 'MaxCount') ?? 0,
    keyName: p.get('KeyName'),
    userData: p.get('UserData'),
    securityGroupIds: p.list('SecurityGroupId'),
    securityGroups: p.list('SecurityGroup'),
    subnetId: p.get('SubnetId'),
    availabilityZone: p.get('Placement.AvailabilityZone'),
    tagSpecifications: tagSpecificationsOf(p),
    clientToken: p.get('ClientToken'),
    disableApiTermination: p.bool('DisableApiTermination'),
    iamInstanceProfile: profile ? { arn: profile.get('Arn'), name: profile.get('Name') } : undefined,
    monitoring: p.bool('Monitoring.Enabled'),
    rootVolumeSize: root ? intOf(root, 'Ebs.VolumeSize') : undefined,
  };
}

const instanceIds = (p: QueryParams): string[] => p.list('InstanceId');

function lifecycle(transition: 'stop' | 'start' | 'terminate'): Ec2OpSpec {
  return {
    resources: (c) => instanceIds(c.p).map((id) => ec2Arn.instance(c.region, c.account, id)),
    requestParameters: (c) => ({
      instancesSet: itemSet('instanceId', instanceIds(c.p)),
      ...(transition === 'stop' ? { force: c.p.bool('Force') ?? false } : {}),
    }),
    run: (c) => ({
      instancesSet: changeInstanceStates(c.world, c.deps, c.account, c.region, transition, instanceIds(c.p)),
    }),
  };
}

/** Regions and instance lifecycle. */
export const INSTANCE_OPERATIONS: Record<string, Ec2OpSpec> = {
  DescribeRegions: {
    requestParameters: (c) => ({
      regionSet: itemSet('regionName', c.p.list('RegionName')),
      ...(c.p.has('AllRegions') ? { allRegions: c.p.bool('AllRegions') } : {}),
      filterSet: filterSet(filtersOf(c.p)),
    }),
    run: (c) =>
      describeRegions(ec2Account(c.world, c.account), {
        regionNames: c.p.list('RegionName'),
        allRegions: c.p.bool('AllRegions'),
        filters: filtersOf(c.p),
      }),
  },
  DescribeInstances: {
    requestParameters: (c) => ({
      instancesSet: itemSet('instanceId', instanceIds(c.p)),
      filterSet: filterSet(filtersOf(c.p)),
      ...(c.p.has('MaxResults') ? { maxResults: intOf(c.p, 'MaxResults') } : {}),
    }),
    run: (c) =>
      describeInstances(c.world, c.deps, c.account, c.region, {
        instanceIds: instanceIds(c.p),
        filters: filtersOf(c.p),
        maxResults: intOf(c.p, 'MaxResults'),
        nextToken: c.p.get('NextToken'),
      }),
  },
  RunInstances: {
    resources: (c) => [
      ec2Arn.instance(c.region, c.account, '*'),
      ec2Arn.image(c.region, c.p.get('ImageId') ?? '*'),
    ],
    context: (c) => ({ 'ec2:InstanceType': c.p.get('InstanceType') ?? 'm1.small' }),
    requestParameters: (c) => {
      const input = runInput(c.p);
      return ec2TrailShape({
        instancesSet: [
          {
            imageId: input.imageId,
            minCount: input.minCount,
            maxCount: input.maxCount,
            keyName: input.keyName,
          },
        ],
        // CloudTrail never shows user data (it may hold secrets).
        userData: input.userData !== undefined ? '<sensitiveDataRemoved>' : undefined,
        instanceType: input.instanceType,
        blockDeviceMapping: [],
        monitoring: { enabled: input.monitoring ?? false },
        disableApiTermination: input.disableApiTermination ?? false,
        disableApiStop: false,
        clientToken: input.clientToken,
        tagSpecificationSet: (input.tagSpecifications ?? []).map((s) => ({
          resourceType: s.resourceType,
          tags: s.tags.map((t) => ({ key: t.key, value: t.value })),
        })),
      });
    },
    run: (c) => runInstances(c.world, c.deps, c.account, c.region, runInput(c.p)),
  },
  StopInstances: lifecycle('stop'),
  StartInstances: lifecycle('start'),
  TerminateInstances: lifecycle('terminate'),
  DescribeInstanceAttribute: {
    resources: (c) => [ec2Arn.instance(c.region, c.account, c.p.get('InstanceId') ?? '*')],
    run: (c) =>
      describeInstanceAttribute(c.world, c.deps, c.account, c.region, {
        instanceId: c.p.require('InstanceId'),
        attribute: c.p.require('Attribute'),
      }),
  },
  ModifyInstanceAttribute: {
    resources: (c) => [ec2Arn.instance(c.region, c.account, c.p.get('InstanceId') ?? '*')],
    // As EC2 records it: `{"instanceId": …, "userData": "<sensitiveDataRemoved>"}` (Stratus
    // ec2-user-data detonation), other attributes as `{"value": …}` or the group items.
    requestParameters: (c) => {
      const attribute = c.p.get('Attribute');
      const value = c.p.get('Value');
      const groups = c.p.list('GroupId');
      const named = (name: string): Wire => {
        const v =
          c.p.get(`${name.charAt(0).toUpperCase()}${name.slice(1)}.Value`) ??
          (attribute === name ? value : undefined);
        return v === undefined
          ? undefined
          : { value: /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : v };
      };
      const userData = c.p.has('UserData.Value') || attribute === 'userData';
      return ec2TrailShape({
        instanceId: c.p.get('InstanceId'),
        ...(groups.length ? { groupSet: groups.map((groupId) => ({ groupId })) } : {}),
        disableApiTermination: named('disableApiTermination'),
        instanceType: named('instanceType'),
        ...(userData ? { userData: '<sensitiveDataRemoved>' } : {}),
      });
    },
    run: (c) => {
      // Either the dedicated members or the older Attribute + Value pair.
      const attribute = c.p.get('Attribute');
      const value = c.p.get('Value');
      const pick = (name: string): string | undefined =>
        c.p.get(`${name}.Value`) ?? (attribute === name ? value : undefined);
      const termination = pick('disableApiTermination') ?? c.p.get('DisableApiTermination.Value');
      const userData = c.p.get('UserData.Value') ?? (attribute === 'userData' ? value : undefined);
      return modifyInstanceAttribute(c.world, c.deps, c.account, c.region, {
        instanceId: c.p.require('InstanceId'),
        groupIds: c.p.list('GroupId'),
        disableApiTermination: termination === undefined ? undefined : termination.toLowerCase() === 'true',
        instanceType: c.p.get('InstanceType.Value') ?? (attribute === 'instanceType' ? value : undefined),
        userData,
      });
    },
  },
  DescribeVpcs: {
    run: (c) =>
      describeVpcs(c.world, c.deps, c.account, c.region, {
        vpcIds: c.p.list('VpcId'),
        filters: filtersOf(c.p),
      }),
  },
  DescribeSubnets: {
    run: (c) =>
      describeSubnets(c.world, c.deps, c.account, c.region, {
        subnetIds: c.p.list('SubnetId'),
        filters: filtersOf(c.p),
      }),
  },
  DescribeAvailabilityZones: { run: (c) => describeAvailabilityZones(c.region) },
};
