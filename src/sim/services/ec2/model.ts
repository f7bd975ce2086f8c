/**
 * EC2 state, per account and region, as plain JSON-serialisable data. Times are ISO strings
 * so `JSON.stringify(state)` round-trips without revivers.
 */

/** What the EC2 logic needs from the simulator: the virtual clock and (seeded) randomness. */
export interface Ec2Deps {
  now(): Date;
  /** `length` lowercase hex characters, from the simulator's (possibly seeded) generator. */
  hex(length: number): string;
}

/** A key/value tag, in request order. */
export interface Tag {
  key: string;
  value: string;
}

export type InstanceStateName =
  'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface Instance {
  instanceId: string;
  reservationId: string;
  /** The account that called RunInstances (EC2 `requesterId` is for service-launched instances only). */
  ownerId: string;
  imageId: string;
  instanceType: string;
  architecture: string;
  keyName?: string;
  /** Base64 as sent by the client (the CLI encodes `--user-data` for you). */
  userData?: string;
  launchTime: string;
  amiLaunchIndex: number;
  availabilityZone: string;
  subnetId: string;
  vpcId: string;
  privateIpAddress: string;
  publicIpAddress?: string;
  networkInterfaceId: string;
  macAddress: string;
  securityGroupIds: string[];
  clientToken: string;
  iamInstanceProfileArn?: string;
  disableApiTermination: boolean;
  monitoring: boolean;
  /** The settled state, and the transitional one reported until `settlesAt` (sim time). */
  state: InstanceStateName;
  transitional?: InstanceStateName;
  settlesAt?: string;
  stateTransitionReason: string;
  stateReason?: { code: string; message: string };
  rootDeviceName: string;
  blockDevices: { deviceName: string; volumeId: string; attachTime: string; deleteOnTermination: boolean }[];
  terminatedAt?: string;
  /** Set for instances launched to fulfil a Spot request. */
  spotInstanceRequestId?: string;
}

export interface Volume {
  volumeId: string;
  size: number;
  volumeType: string;
  availabilityZone: string;
  snapshotId: string;
  createTime: string;
  encrypted: boolean;
  attachment?: { instanceId: string; device: string; attachTime: string; deleteOnTermination: boolean };
}

export interface Snapshot {
  snapshotId: string;
  volumeId: string;
  volumeSize: number;
  description: string;
  startTime: string;
  encrypted: boolean;
  /** createVolumePermission: account ids, and whether group `all` (public) is granted. */
  sharedWith: string[];
  isPublic: boolean;
}

export interface Image {
  imageId: string;
  ownerId: string;
  name: string;
  description: string;
  architecture: string;
  creationDate: string;
  rootSnapshotId?: string;
  platformDetails: string;
  /** launchPermission: account ids, and whether group `all` (public) is granted. */
  sharedWith: string[];
  isPublic: boolean;
  ownerAlias?: string;
}

export interface KeyPair {
  keyPairId: string;
  keyName: string;
  keyType: 'rsa' | 'ed25519';
  keyFingerprint: string;
  publicKey: string;
  createTime: string;
}

/** One security group rule (EC2 "security group rule", id `sgr-…`): one source per rule. */
export interface SecurityGroupRule {
  ruleId: string;
  isEgress: boolean;
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  referencedUserId?: string;
  description?: string;
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ownerId: string;
  rules: SecurityGroupRule[];
}

export interface Subnet {
  subnetId: string;
  availabilityZone: string;
  cidrBlock: string;
  nextHost: number;
}

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
  subnets: Subnet[];
}

/** One version of a launch template: the launch parameters in the response shape. */
export interface LaunchTemplateVersion {
  versionNumber: number;
  versionDescription?: string;
  createTime: string;
  createdBy: string;
  /** `ResponseLaunchTemplateData` members (user data kept base64, as sent). */
  data: WireObject;
}

export interface LaunchTemplate {
  launchTemplateId: string;
  launchTemplateName: string;
  createTime: string;
  /** ARN of the principal that created it. */
  createdBy: string;
  defaultVersion: number;
  latestVersion: number;
  versions: LaunchTemplateVersion[];
}

/** A Spot Instance request, fulfilled at once by one instance (one-time or persistent). */
export interface SpotRequest {
  spotInstanceRequestId: string;
  type: 'one-time' | 'persistent';
  spotPrice: string;
  createTime: string;
  /** `open`, `active`, `cancelled`, `closed`. */
  state: string;
  statusCode: string;
  statusMessage: string;
  statusUpdateTime: string;
  instanceId?: string;
  availabilityZone: string;
  /** The request's LaunchSpecification in the response shape. */
  launchSpecification: WireObject;
  instanceInterruptionBehavior: string;
  validUntil?: string;
}

/** One account's EC2 resources in one region. */
export interface Ec2RegionState {
  vpcs: Vpc[];
  instances: Record<string, Instance>;
  volumes: Record<string, Volume>;
  snapshots: Record<string, Snapshot>;
  images: Record<string, Image>;
  keyPairs: Record<string, KeyPair>;
  securityGroups: Record<string, SecurityGroup>;
  /** Tags by resource id, in insertion order (EC2 returns tagSet in that order). */
  tags: Record<string, Tag[]>;
  /** Absent in states saved before launch templates and Spot requests were simulated. */
  launchTemplates?: Record<string, LaunchTemplate>;
  spotRequests?: Record<string, SpotRequest>;
}

export interface Ec2AccountState {
  /** Opt-in regions this account has enabled (default regions are always enabled). */
  optedInRegions: string[];
  regions: Record<string, Ec2RegionState>;
}

/** The EC2 "world": every account, so snapshots and AMIs can be shared across accounts. */
export interface Ec2State {
  accounts: Record<string, Ec2AccountState>;
}

/** A wire value: what the ec2Query serializer writes (arrays become `<item>` lists). */
export type Wire = string | number | boolean | undefined | Wire[] | { [key: string]: Wire };
export type WireObject = { [key: string]: Wire };

/** EC2 `Filter` as the API receives it. */
export interface Filter {
  name: string;
  values: string[];
}
