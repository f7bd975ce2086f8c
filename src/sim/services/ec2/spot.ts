import { Ec2Error } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import { currentState } from './instance-wire.js';
import { runInstances } from './instances.js';
import { runInput } from './operations-instances.js';
import type { Ec2Call, Ec2OpSpec } from './operation.js';
import type { Ec2RegionState, SpotRequest, WireObject } from './model.js';
import { filtersOf, intOf, tagsFor } from './parse.js';
import { f, readSchema, type Schema } from './query-schema.js';
import { ec2TrailShape, filterSet, itemSet } from './trail.js';
import { ec2Region, ec2Time, paginate, tagSet, tagsOf } from './world.js';

/** RequestSpotLaunchSpecification → the LaunchSpecification DescribeSpotInstanceRequests shows. */
const LAUNCH_SPECIFICATION: Schema = {
  ImageId: f.str('imageId'),
  InstanceType: f.str('instanceType'),
  KeyName: f.str('keyName'),
  UserData: f.str('userData'),
  SubnetId: f.str('subnetId'),
  IamInstanceProfile: f.struct('iamInstanceProfile', { Arn: f.str('arn'), Name: f.str('name') }),
  Monitoring: f.struct('monitoring', { Enabled: f.bool('enabled') }),
  Placement: f.struct('placement', {
    AvailabilityZone: f.str('availabilityZone'),
    Tenancy: f.str('tenancy'),
  }),
  EbsOptimized: f.bool('ebsOptimized'),
};

function spotRequestsOf(region: Ec2RegionState): Record<string, SpotRequest> {
  return (region.spotRequests ??= {});
}

const regionOf = (c: Ec2Call): Ec2RegionState => ec2Region(c.world, c.deps, c.account, c.region);

/** The request as Describe shows it now: a one-time request closes when its instance ends. */
function settled(region: Ec2RegionState, request: SpotRequest, now: Date): SpotRequest {
  const instance = request.instanceId ? region.instances[request.instanceId] : undefined;
  if (request.state !== 'active' || !instance || currentState(instance, now) !== 'terminated') return request;
  return {
    ...request,
    state: request.type === 'one-time' ? 'closed' : 'open',
    statusCode: 'instance-terminated-by-user',
    statusMessage: 'Spot Instance terminated due to user-initiated termination.',
    statusUpdateTime: instance.terminatedAt ?? request.statusUpdateTime,
  };
}

function requestWire(region: Ec2RegionState, r: SpotRequest): WireObject {
  return {
    spotInstanceRequestId: r.spotInstanceRequestId,
    spotPrice: r.spotPrice,
    type: r.type,
    state: r.state,
    status: { code: r.statusCode, updateTime: r.statusUpdateTime, message: r.statusMessage },
    launchSpecification: r.launchSpecification,
    instanceId: r.instanceId,
    createTime: r.createTime,
    productDescription: 'Linux/UNIX',
    tagSet: tagSet(region, r.spotInstanceRequestId),
    launchedAvailabilityZone: r.instanceId ? r.availabilityZone : undefined,
    instanceInterruptionBehavior: r.instanceInterruptionBehavior,
    validUntil: r.validUntil,
  };
}

const SPOT_FILTERS: FilterTable<SpotRequest> = {
  'spot-instance-request-id': (r) => r.spotInstanceRequestId,
  state: (r) => r.state,
  type: (r) => r.type,
  'instance-id': (r) => r.instanceId,
  'status-code': (r) => r.statusCode,
  'launch.image-id': (r) => r.launchSpecification.imageId as string | undefined,
  'launch.instance-type': (r) => r.launchSpecification.instanceType as string | undefined,
  'launch.key-name': (r) => r.launchSpecification.keyName as string | undefined,
};

const requestIds = (c: Ec2Call): string[] => c.p.list('SpotInstanceRequestId');

function findRequests(region: Ec2RegionState, ids: string[]): SpotRequest[] {
  return ids.map((id) => {
    const request = spotRequestsOf(region)[id];
    if (!request)
      throw new Ec2Error(
        'InvalidSpotInstanceRequestID.NotFound',
        `The spot instance request ID '${id}' does not exist`,
      );
    return request;
  });
}

/**
 * Spot Instance requests: fulfilled at once by an instance (`instanceLifecycle: spot`) that runs
 * and is billed like any other; cancelling a request leaves its instance running, as in EC2.
 */
export const SPOT_OPERATIONS: Record<string, Ec2OpSpec> = {
  RequestSpotInstances: {
    resources: (c) => [`arn:aws:ec2:${c.region}:${c.account}:spot-instances-request/*`],
    requestParameters: (c) => {
      const spec = readSchema(c.p.struct('LaunchSpecification') ?? c.p, LAUNCH_SPECIFICATION);
      const groups = c.p.list('LaunchSpecification.SecurityGroupId');
      return ec2TrailShape({
        spotPrice: c.p.get('SpotPrice'),
        instanceCount: intOf(c.p, 'InstanceCount') ?? 1,
        type: c.p.get('Type') ?? 'one-time',
        launchSpecification: { ...spec, groupSet: groups.map((groupId) => ({ groupId })) },
      });
    },
    run: (c) => {
      const region = regionOf(c);
      const p = c.p.struct('LaunchSpecification');
      if (!p)
        throw new Ec2Error('MissingParameter', 'The request must contain the parameter LaunchSpecification');
      const count = intOf(c.p, 'InstanceCount') ?? 1;
      const type = c.p.get('Type') ?? 'one-time';
      if (type !== 'one-time' && type !== 'persistent')
        throw new Ec2Error('InvalidParameterValue', `Invalid value '${type}' for type`);
      const now = ec2Time(c.deps.now());
      const created: SpotRequest[] = [];
      for (let i = 0; i < count; i++) {
        const launched = runInstances(c.world, c.deps, c.account, c.region, {
          ...runInput(p),
          minCount: 1,
          maxCount: 1,
        });
        const instanceId = (launched.instancesSet as WireObject[])[0]!.instanceId as string;
        const instance = region.instances[instanceId]!;
        const id = `sir-${c.deps.hex(8)}`;
        instance.spotInstanceRequestId = id;
        const request: SpotRequest = {
          spotInstanceRequestId: id,
          type,
          spotPrice: c.p.get('SpotPrice') ?? '0.500000',
          createTime: now,
          state: 'active',
          statusCode: 'fulfilled',
          statusMessage: 'Your spot request is fulfilled.',
          statusUpdateTime: now,
          instanceId,
          availabilityZone: instance.availabilityZone,
          launchSpecification: {
            ...readSchema(p, LAUNCH_SPECIFICATION),
            groupSet: instance.securityGroupIds.map((groupId) => ({
              groupId,
              groupName: region.securityGroups[groupId]?.groupName ?? groupId,
            })),
          },
          instanceInterruptionBehavior: c.p.get('InstanceInterruptionBehavior') ?? 'terminate',
          ...(c.p.get('ValidUntil') ? { validUntil: c.p.get('ValidUntil') } : {}),
        };
        spotRequestsOf(region)[id] = request;
        const tags = tagsFor(c.p, 'spot-instances-request');
        if (tags.length) region.tags[id] = tags;
        created.push(request);
      }
      // The answer shows the requests as they are submitted: open, pending evaluation.
      return {
        spotInstanceRequestSet: created.map((r) => ({
          ...requestWire(region, {
            ...r,
            state: 'open',
            statusCode: 'pending-evaluation',
            statusMessage: 'Your Spot request has been submitted for review, and is pending evaluation.',
          }),
          instanceId: undefined,
          launchedAvailabilityZone: undefined,
        })),
      };
    },
  },
  DescribeSpotInstanceRequests: {
    requestParameters: (c) => ({
      spotInstanceRequestIdSet: itemSet('spotInstanceRequestId', requestIds(c)),
      filterSet: filterSet(filtersOf(c.p)),
    }),
    run: (c) => {
      const region = regionOf(c);
      const now = c.deps.now();
      const ids = requestIds(c);
      const filters = filtersOf(c.p);
      checkFilters(filters, SPOT_FILTERS);
      const all = (ids.length ? findRequests(region, ids) : Object.values(spotRequestsOf(region))).map((r) =>
        settled(region, r, now),
      );
      const matching = all.filter((r) =>
        matchesFilters(r, filters, SPOT_FILTERS, (x) => tagsOf(region, x.spotInstanceRequestId)),
      );
      const { page, nextToken } = paginate(matching, intOf(c.p, 'MaxResults'), c.p.get('NextToken'));
      return { spotInstanceRequestSet: page.map((r) => requestWire(region, r)), nextToken };
    },
  },
  CancelSpotInstanceRequests: {
    resources: (c) =>
      requestIds(c).map((id) => `arn:aws:ec2:${c.region}:${c.account}:spot-instances-request/${id}`),
    requestParameters: (c) => ({
      spotInstanceRequestIdSet: itemSet('spotInstanceRequestId', requestIds(c)),
    }),
    run: (c) => {
      const region = regionOf(c);
      const now = c.deps.now();
      const requests = findRequests(region, requestIds(c));
      for (const request of requests) {
        const instance = request.instanceId ? region.instances[request.instanceId] : undefined;
        const running = instance !== undefined && currentState(instance, now) !== 'terminated';
        request.state = 'cancelled';
        request.statusCode = running ? 'request-canceled-and-instance-running' : 'canceled';
        request.statusMessage = running
          ? 'Spot Instance request is canceled, but the instance is still running.'
          : 'Spot Instance request is canceled.';
        request.statusUpdateTime = ec2Time(now);
      }
      return {
        spotInstanceRequestSet: requests.map((r) => ({
          spotInstanceRequestId: r.spotInstanceRequestId,
          state: 'cancelled',
        })),
      };
    },
  },
};
