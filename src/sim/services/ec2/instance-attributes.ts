import { Ec2Error, invalidParameter } from './errors.js';
import { instanceTypeInfo } from './instance-types.js';
import { currentState } from './instance-wire.js';
import { findInstances } from './instances.js';
import type { Ec2Deps, Ec2State, Instance, WireObject } from './model.js';
import { ec2Region } from './world.js';

type Value = string | boolean | undefined;

/** Instance attributes by API name: how to read them (DescribeInstanceAttribute). */
const READERS: Record<string, (i: Instance) => WireObject> = {
  userData: (i) => ({ userData: attributeValue(i.userData) }),
  instanceType: (i) => ({ instanceType: attributeValue(i.instanceType) }),
  disableApiTermination: (i) => ({ disableApiTermination: attributeValue(i.disableApiTermination) }),
  rootDeviceName: (i) => ({ rootDeviceName: attributeValue(i.rootDeviceName) }),
  groupSet: (i) => ({ groupSet: i.securityGroupIds.map((groupId) => ({ groupId })) }),
};

function attributeValue(value: Value): WireObject {
  return value === undefined ? {} : { value };
}

/** DescribeInstanceAttribute for the attributes an investigation reads (user data, type, groups…). */
export function describeInstanceAttribute(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { instanceId: string; attribute: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const [instance] = findInstances(region, [input.instanceId], deps.now());
  const reader = Object.hasOwn(READERS, input.attribute) ? READERS[input.attribute] : undefined;
  if (!reader) {
    throw invalidParameter(
      `Value (${input.attribute}) for parameter attribute is invalid. Unknown attribute.`,
    );
  }
  return { instanceId: instance!.instanceId, ...reader(instance!) };
}

/** ModifyInstanceAttribute arguments: one change per call, as EC2 requires. */
export interface InstanceAttributeChange {
  instanceId: string;
  groupIds?: string[];
  disableApiTermination?: boolean;
  instanceType?: string;
  userData?: string;
}

/**
 * ModifyInstanceAttribute: replace the security groups (how responders isolate an instance),
 * toggle termination protection, or — on a stopped instance only — change type or user data.
 */
export function modifyInstanceAttribute(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  change: InstanceAttributeChange,
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const now = deps.now();
  const [instance] = findInstances(region, [change.instanceId], now);
  const target = instance!;
  const stoppedOnly = (): void => {
    if (currentState(target, now) !== 'stopped') {
      throw new Ec2Error(
        'IncorrectInstanceState',
        `The instance '${target.instanceId}' is not in the 'stopped' state.`,
      );
    }
  };
  if (change.groupIds?.length) {
    for (const id of change.groupIds) {
      const group = region.securityGroups[id];
      if (!group) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
      if (group.vpcId !== target.vpcId) {
        throw invalidParameter(
          `Security group ${id} and subnet ${target.subnetId} belong to different networks.`,
        );
      }
    }
    target.securityGroupIds = [...change.groupIds];
  } else if (change.disableApiTermination !== undefined) {
    target.disableApiTermination = change.disableApiTermination;
  } else if (change.instanceType !== undefined) {
    stoppedOnly();
    const info = instanceTypeInfo(change.instanceType);
    if (!info || info.arch !== target.architecture) {
      throw invalidParameter(`Invalid value '${change.instanceType}' for InstanceType.`);
    }
    target.instanceType = change.instanceType;
  } else if (change.userData !== undefined) {
    stoppedOnly();
    target.userData = change.userData;
  } else {
    throw new Ec2Error(
      'MissingParameter',
      'The request must contain the parameter attribute or a value to modify',
    );
  }
  return { return: true };
}
