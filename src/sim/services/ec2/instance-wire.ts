import type { FilterTable } from './filters.js';
import type { Ec2RegionState, Instance, InstanceStateName, WireObject } from './model.js';
import { instanceTypeInfo } from './instance-types.js';
import { tagSet } from './world.js';

/** EC2 instance state codes (the low byte of `instanceState.code`). */
export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** The state a caller sees now: the transitional one until it settles (sim time). */
export function currentState(instance: Instance, now: Date): InstanceStateName {
  if (instance.transitional && instance.settlesAt && now.getTime() < Date.parse(instance.settlesAt)) {
    return instance.transitional;
  }
  return instance.state;
}

/** `{code, name}` as EC2 writes instanceState / currentState / previousState. */
export function stateWire(name: InstanceStateName): WireObject {
  return { code: STATE_CODES[name], name };
}

/** EC2's DNS names: `ec2.internal` / `compute-1` in us-east-1, region-qualified elsewhere. */
export function privateDnsName(ip: string, region: string): string {
  const host = `ip-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

function publicDnsName(ip: string | undefined, region: string): string {
  if (!ip) return '';
  const host = `ec2-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1'
    ? `${host}.compute-1.amazonaws.com`
    : `${host}.${region}.compute.amazonaws.com`;
}

/** Filters DescribeInstances accepts (a subset of the documented list, plus tag filters). */
export const INSTANCE_FILTERS: FilterTable<{ instance: Instance; now: Date; region: Ec2RegionState }> = {
  'instance-id': ({ instance }) => instance.instanceId,
  'instance-type': ({ instance }) => instance.instanceType,
  'instance-state-name': ({ instance, now }) => currentState(instance, now),
  'instance-state-code': ({ instance, now }) => STATE_CODES[currentState(instance, now)],
  'launch-time': ({ instance }) => instance.launchTime,
  'key-name': ({ instance }) => instance.keyName,
  'image-id': ({ instance }) => instance.imageId,
  'availability-zone': ({ instance }) => instance.availabilityZone,
  'vpc-id': ({ instance }) => instance.vpcId,
  'subnet-id': ({ instance }) => instance.subnetId,
  'private-ip-address': ({ instance }) => instance.privateIpAddress,
  'ip-address': ({ instance }) => instance.publicIpAddress,
  'owner-id': ({ instance }) => instance.ownerId,
  'reservation-id': ({ instance }) => instance.reservationId,
  'client-token': ({ instance }) => instance.clientToken,
  architecture: ({ instance }) => instance.architecture,
  'iam-instance-profile.arn': ({ instance }) => instance.iamInstanceProfileArn,
  'instance.group-id': ({ instance }) => instance.securityGroupIds,
  'group-id': ({ instance }) => instance.securityGroupIds,
  'instance.group-name': ({ instance, region }) =>
    instance.securityGroupIds.map((id) => region.securityGroups[id]?.groupName),
  'network-interface.network-interface-id': ({ instance }) => instance.networkInterfaceId,
};

/** One `instancesSet` item, with the member names of the EC2 model's Instance shape. */
export function instanceWire(
  instance: Instance,
  region: Ec2RegionState,
  regionName: string,
  now: Date,
): WireObject {
  const state = currentState(instance, now);
  const groups = instance.securityGroupIds.map((groupId) => ({
    groupId,
    groupName: region.securityGroups[groupId]?.groupName ?? groupId,
  }));
  const vcpus = instanceTypeInfo(instance.instanceType)?.vcpus ?? 1;
  const running = state !== 'terminated';
  const publicIp = running ? instance.publicIpAddress : undefined;
  const association = publicIp
    ? { publicIp, publicDnsName: publicDnsName(publicIp, regionName), ipOwnerId: 'amazon' }
    : undefined;
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: stateWire(state),
    privateDnsName: running ? privateDnsName(instance.privateIpAddress, regionName) : '',
    dnsName: publicDnsName(publicIp, regionName),
    reason: instance.stateTransitionReason,
    keyName: instance.keyName,
    amiLaunchIndex: instance.amiLaunchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    placement: { availabilityZone: instance.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: instance.monitoring ? 'enabled' : 'disabled' },
    subnetId: running ? instance.subnetId : undefined,
    vpcId: running ? instance.vpcId : undefined,
    privateIpAddress: running ? instance.privateIpAddress : undefined,
    ipAddress: publicIp,
    sourceDestCheck: running ? true : undefined,
    groupSet: groups,
    stateReason: instance.stateReason ? { ...instance.stateReason } : undefined,
    architecture: instance.architecture,
    rootDeviceType: 'ebs',
    rootDeviceName: instance.rootDeviceName,
    blockDeviceMapping: instance.blockDevices.map((device) => ({
      deviceName: device.deviceName,
      ebs: {
        volumeId: device.volumeId,
        status: 'attached',
        attachTime: device.attachTime,
        deleteOnTermination: device.deleteOnTermination,
      },
    })),
    virtualizationType: 'hvm',
    ...(instance.spotInstanceRequestId
      ? { instanceLifecycle: 'spot', spotInstanceRequestId: instance.spotInstanceRequestId }
      : {}),
    clientToken: instance.clientToken,
    tagSet: tagSet(region, instance.instanceId),
    hypervisor: 'xen',
    networkInterfaceSet: running
      ? [
          {
            networkInterfaceId: instance.networkInterfaceId,
            subnetId: instance.subnetId,
            vpcId: instance.vpcId,
            description: '',
            ownerId: instance.ownerId,
            status: 'in-use',
            macAddress: instance.macAddress,
            privateIpAddress: instance.privateIpAddress,
            privateDnsName: privateDnsName(instance.privateIpAddress, regionName),
            sourceDestCheck: true,
            groupSet: groups,
            attachment: {
              attachmentId: `eni-attach-${instance.networkInterfaceId.slice(4)}`,
              deviceIndex: 0,
              status: 'attached',
              attachTime: instance.launchTime,
              deleteOnTermination: true,
              networkCardIndex: 0,
            },
            association,
            privateIpAddressesSet: [
              {
                privateIpAddress: instance.privateIpAddress,
                privateDnsName: privateDnsName(instance.privateIpAddress, regionName),
                primary: true,
                association,
              },
            ],
            ipv6AddressesSet: [],
            interfaceType: 'interface',
          },
        ]
      : [],
    iamInstanceProfile: instance.iamInstanceProfileArn
      ? { arn: instance.iamInstanceProfileArn, id: `AIPA${instance.instanceId.slice(2, 19).toUpperCase()}` }
      : undefined,
    ebsOptimized: false,
    enaSupport: true,
    cpuOptions: { coreCount: Math.max(1, Math.floor(vcpus / 2)), threadsPerCore: vcpus > 1 ? 2 : 1 },
    capacityReservationSpecification: { capacityReservationPreference: 'open' },
    hibernationOptions: { configured: false },
    metadataOptions: {
      state: 'applied',
      httpTokens: 'required',
      httpPutResponseHopLimit: 2,
      httpEndpoint: 'enabled',
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'disabled',
    },
    enclaveOptions: { enabled: false },
    bootMode: 'uefi-preferred',
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    usageOperationUpdateTime: instance.launchTime,
    privateDnsNameOptions: {
      hostnameType: 'ip-name',
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
    },
    maintenanceOptions: { autoRecovery: 'default' },
    currentInstanceBootMode: 'legacy-bios',
  };
}
