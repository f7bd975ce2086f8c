import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2Deps, Ec2State, Filter, Subnet, Vpc, WireObject } from './model.js';
import { availabilityZones } from './regions.js';
import { ec2Region, tagSet, tagsOf } from './world.js';

const VPC_FILTERS: FilterTable<Vpc> = {
  'vpc-id': (v) => v.vpcId,
  'cidr-block': (v) => v.cidrBlock,
  'is-default': (v) => v.isDefault,
  state: () => 'available',
};

/** DescribeVpcs (each region has its default VPC). */
export function describeVpcs(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { vpcIds?: string[]; filters?: Filter[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  checkFilters(input.filters, VPC_FILTERS);
  const vpcs = region.vpcs.filter(
    (v) =>
      (!input.vpcIds?.length || input.vpcIds.includes(v.vpcId)) &&
      matchesFilters(v, input.filters, VPC_FILTERS, (x) => tagsOf(region, x.vpcId)),
  );
  return {
    vpcSet: vpcs.map((v) => ({
      vpcId: v.vpcId,
      ownerId: callerId,
      state: 'available',
      cidrBlock: v.cidrBlock,
      cidrBlockAssociationSet: [
        {
          cidrBlock: v.cidrBlock,
          associationId: `vpc-cidr-assoc-${v.vpcId.slice(4)}`,
          cidrBlockState: { state: 'associated' },
        },
      ],
      instanceTenancy: 'default',
      isDefault: v.isDefault,
      tagSet: tagSet(region, v.vpcId),
    })),
  };
}

const SUBNET_FILTERS: FilterTable<{ subnet: Subnet; vpc: Vpc }> = {
  'subnet-id': ({ subnet }) => subnet.subnetId,
  'vpc-id': ({ vpc }) => vpc.vpcId,
  'availability-zone': ({ subnet }) => subnet.availabilityZone,
  'cidr-block': ({ subnet }) => subnet.cidrBlock,
  'default-for-az': ({ vpc }) => vpc.isDefault,
};

/** DescribeSubnets. */
export function describeSubnets(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { subnetIds?: string[]; filters?: Filter[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  checkFilters(input.filters, SUBNET_FILTERS);
  const rows = region.vpcs
    .flatMap((vpc) => vpc.subnets.map((subnet) => ({ subnet, vpc })))
    .filter(
      (row) =>
        (!input.subnetIds?.length || input.subnetIds.includes(row.subnet.subnetId)) &&
        matchesFilters(row, input.filters, SUBNET_FILTERS, (r) => tagsOf(region, r.subnet.subnetId)),
    );
  return {
    subnetSet: rows.map(({ subnet, vpc }) => ({
      subnetId: subnet.subnetId,
      subnetArn: `arn:aws:ec2:${regionName}:${callerId}:subnet/${subnet.subnetId}`,
      state: 'available',
      vpcId: vpc.vpcId,
      ownerId: callerId,
      cidrBlock: subnet.cidrBlock,
      // A /20 holds 4091 usable addresses (AWS reserves 5 per subnet).
      availableIpAddressCount: 4091 - (subnet.nextHost - 4),
      availabilityZone: subnet.availabilityZone,
      defaultForAz: vpc.isDefault,
      mapPublicIpOnLaunch: vpc.isDefault,
      tagSet: tagSet(region, subnet.subnetId),
    })),
  };
}

/** DescribeAvailabilityZones of the request's region. */
export function describeAvailabilityZones(regionName: string): WireObject {
  const short = regionName.replace(/^(\w\w)-(\w)\w*-(\d)$/, '$1$2$3');
  return {
    availabilityZoneInfo: availabilityZones(regionName).map((zoneName, index) => ({
      zoneName,
      zoneId: `${short}-az${index + 1}`,
      zoneState: 'available',
      optInStatus: 'opt-in-not-required',
      regionName,
      groupName: regionName,
      networkBorderGroup: regionName,
      zoneType: 'availability-zone',
      messageSet: [],
    })),
  };
}
