import { describe, expect, it } from 'vitest';
import { createImage } from './create-image.js';
import { describeImageAttribute, describeImages, modifyImageAttribute, publicImages } from './images.js';
import { describeInstanceAttribute, modifyInstanceAttribute } from './instance-attributes.js';
import { changeInstanceStates, describeInstances, runInstances } from './instances.js';
import type { WireObject } from './model.js';
import { describeRegions } from './regions.js';
import { createSecurityGroup } from './security-groups.js';
import {
  createSnapshot,
  describeSnapshotAttribute,
  describeSnapshots,
  modifySnapshotAttribute,
} from './snapshots.js';
import { testDeps } from './test-deps.js';
import { attachVolume, createVolume, describeVolumes, detachVolume } from './volumes.js';
import { ec2Account, emptyEc2State } from './world.js';

const VICTIM = '111122223333';
const OTHER = '444455556666';
const REGION = 'us-east-1';

function setup() {
  const state = emptyEc2State();
  const deps = testDeps();
  const ami = publicImages(REGION)[0]!.imageId;
  return { state, deps, ami };
}

function instancesOf(result: WireObject): WireObject[] {
  return (result.reservationSet as WireObject[]).flatMap((r) => r.instancesSet as WireObject[]);
}

describe('EC2 regions', () => {
  it('lists the 17 default regions, and opt-in ones only with AllRegions', () => {
    const account = ec2Account(emptyEc2State(), VICTIM);
    const regions = describeRegions(account, {}).regionInfo as WireObject[];
    expect(regions).toHaveLength(17);
    expect(regions.map((r) => r.regionName)).toContain('eu-north-1');
    const all = describeRegions(account, { allRegions: true }).regionInfo as WireObject[];
    expect(all.find((r) => r.regionName === 'af-south-1')).toMatchObject({ optInStatus: 'not-opted-in' });
    account.optedInRegions.push('af-south-1');
    expect(describeRegions(account, {}).regionInfo).toHaveLength(18);
    const filtered = describeRegions(account, { filters: [{ name: 'region-name', values: ['us-*'] }] });
    expect((filtered.regionInfo as WireObject[]).map((r) => r.regionName)).toEqual([
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
    ]);
  });
});

describe('EC2 instances', () => {
  it('runs, filters by launch time with wildcards, stops, starts and terminates', () => {
    const { state, deps, ami } = setup();
    const launched = runInstances(state, deps, VICTIM, REGION, {
      imageId: ami,
      instanceType: 'p3.16xlarge',
      minCount: 2,
      maxCount: 2,
      userData: Buffer.from('#!/bin/sh\nxmrig').toString('base64'),
      tagSpecifications: [{ resourceType: 'instance', tags: [{ key: 'Name', value: 'miner' }] }],
    });
    const items = launched.instancesSet as WireObject[];
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      instanceType: 'p3.16xlarge',
      instanceState: { code: 0, name: 'pending' },
    });
    expect(items[0]!.launchTime).toBe('2026-05-01T12:00:00.000Z');
    const [first, second] = items.map((i) => i.instanceId as string);

    deps.advance(86_400_000);
    runInstances(state, deps, VICTIM, REGION, {
      imageId: ami,
      instanceType: 't3.micro',
      minCount: 1,
      maxCount: 1,
    });

    const may1 = describeInstances(state, deps, VICTIM, REGION, {
      filters: [{ name: 'launch-time', values: ['2026-05-01*'] }],
    });
    expect(instancesOf(may1).map((i) => i.instanceId)).toEqual([first, second]);
    expect(instancesOf(may1)[0]).toMatchObject({ instanceState: { code: 16, name: 'running' } });
    const tagged = describeInstances(state, deps, VICTIM, REGION, {
      filters: [{ name: 'tag:Name', values: ['min?r'] }],
    });
    expect(instancesOf(tagged)).toHaveLength(2);

    const stopped = changeInstanceStates(state, deps, VICTIM, REGION, 'stop', [first!]);
    expect(stopped[0]).toMatchObject({
      currentState: { name: 'stopping' },
      previousState: { name: 'running' },
    });
    const byState = describeInstances(state, deps, VICTIM, REGION, {
      filters: [{ name: 'instance-state-name', values: ['stopped'] }],
    });
    expect(instancesOf(byState).map((i) => i.instanceId)).toEqual([first]);
    expect(instancesOf(byState)[0]!.ipAddress).toBeUndefined();
    expect(() => changeInstanceStates(state, deps, VICTIM, REGION, 'start', [second!])).not.toThrow();

    const terminated = changeInstanceStates(state, deps, VICTIM, REGION, 'terminate', [first!, second!]);
    expect(terminated.map((t) => (t.currentState as WireObject).name)).toEqual([
      'shutting-down',
      'shutting-down',
    ]);
    expect(describeVolumes(state, deps, VICTIM, REGION, {}).volumeSet).toHaveLength(1);
    expect(() => changeInstanceStates(state, deps, VICTIM, REGION, 'start', [first!])).toThrow(
      /IncorrectInstanceState|not in a state/,
    );
    const again = changeInstanceStates(state, deps, VICTIM, REGION, 'terminate', [first!]);
    expect(again[0]).toMatchObject({
      currentState: { name: 'terminated' },
      previousState: { name: 'terminated' },
    });

    expect(
      describeInstanceAttribute(state, deps, VICTIM, REGION, { instanceId: first!, attribute: 'userData' }),
    ).toMatchObject({
      userData: { value: Buffer.from('#!/bin/sh\nxmrig').toString('base64') },
    });
    deps.advance(2 * 3_600_000);
    expect(() => describeInstances(state, deps, VICTIM, REGION, { instanceIds: [first!] })).toThrow(
      `The instance ID '${first}' does not exist`,
    );
  });

  it('rejects unknown filters, AMIs, key pairs and instance ids the way EC2 does', () => {
    const { state, deps, ami } = setup();
    expect(() =>
      describeInstances(state, deps, VICTIM, REGION, { filters: [{ name: 'colour', values: ['x'] }] }),
    ).toThrow("The filter 'colour' is invalid");
    expect(() =>
      runInstances(state, deps, VICTIM, REGION, {
        imageId: 'ami-0123456789abcdef0',
        minCount: 1,
        maxCount: 1,
      }),
    ).toThrow(/does not exist/);
    expect(() =>
      runInstances(state, deps, VICTIM, REGION, { imageId: ami, keyName: 'nope', minCount: 1, maxCount: 1 }),
    ).toThrow("The key pair 'nope' does not exist");
    expect(() =>
      runInstances(state, deps, VICTIM, REGION, {
        imageId: ami,
        instanceType: 't4g.micro',
        minCount: 1,
        maxCount: 1,
      }),
    ).toThrow(/architecture/);
    expect(() =>
      describeInstances(state, deps, VICTIM, REGION, {
        instanceIds: ['i-0123456789abcdef0', 'i-0123456789abcdef1'],
      }),
    ).toThrow("The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist");
    expect(() => describeInstances(state, deps, VICTIM, 'af-south-1', {})).toThrow(
      /AWS was not able to validate/,
    );
  });

  it('isolates an instance by replacing its security groups, and changes user data only when stopped', () => {
    const { state, deps, ami } = setup();
    const run = runInstances(state, deps, VICTIM, REGION, { imageId: ami, minCount: 1, maxCount: 1 });
    const instanceId = (run.instancesSet as WireObject[])[0]!.instanceId as string;
    const quarantine = createSecurityGroup(state, deps, VICTIM, REGION, {
      groupName: 'quarantine',
      description: 'no traffic',
    });
    modifyInstanceAttribute(state, deps, VICTIM, REGION, {
      instanceId,
      groupIds: [quarantine.groupId as string],
    });
    expect(
      describeInstanceAttribute(state, deps, VICTIM, REGION, { instanceId, attribute: 'groupSet' }),
    ).toEqual({
      instanceId,
      groupSet: [{ groupId: quarantine.groupId }],
    });
    expect(() =>
      modifyInstanceAttribute(state, deps, VICTIM, REGION, { instanceId, userData: 'eA==' }),
    ).toThrow(/stopped/);
    modifyInstanceAttribute(state, deps, VICTIM, REGION, { instanceId, disableApiTermination: true });
    expect(() => changeInstanceStates(state, deps, VICTIM, REGION, 'terminate', [instanceId])).toThrow(
      /may not be terminated/,
    );
  });

  it('restores a snapshot to a volume and attaches it to a forensic instance', () => {
    const { state, deps, ami } = setup();
    const run = runInstances(state, deps, VICTIM, REGION, { imageId: ami, minCount: 2, maxCount: 2 });
    const [suspect, forensic] = (run.instancesSet as WireObject[]).map((i) => i.instanceId as string);
    const root = (
      describeVolumes(state, deps, VICTIM, REGION, {
        filters: [{ name: 'attachment.instance-id', values: [suspect!] }],
      }).volumeSet as WireObject[]
    )[0]!;
    const snap = createSnapshot(state, deps, VICTIM, REGION, { volumeId: root.volumeId as string });
    const copy = createVolume(state, deps, VICTIM, REGION, {
      availabilityZone: root.availabilityZone as string,
      snapshotId: snap.snapshotId as string,
    });
    attachVolume(state, deps, VICTIM, REGION, {
      volumeId: copy.volumeId as string,
      instanceId: forensic!,
      device: '/dev/sdf',
    });
    expect(() =>
      attachVolume(state, deps, VICTIM, REGION, {
        volumeId: copy.volumeId as string,
        instanceId: forensic!,
        device: '/dev/sdg',
      }),
    ).toThrow(/already attached/);
    expect(() => detachVolume(state, deps, VICTIM, REGION, { volumeId: root.volumeId as string })).toThrow(
      /root volume/,
    );
    detachVolume(state, deps, VICTIM, REGION, { volumeId: copy.volumeId as string });
    expect(
      describeVolumes(state, deps, VICTIM, REGION, { volumeIds: [copy.volumeId as string] }).volumeSet,
    ).toMatchObject([{ status: 'available', snapshotId: snap.snapshotId }]);
  });

  it('pages with MaxResults and NextToken', () => {
    const { state, deps, ami } = setup();
    runInstances(state, deps, VICTIM, REGION, { imageId: ami, minCount: 5, maxCount: 5 });
    const page1 = describeInstances(state, deps, VICTIM, REGION, { maxResults: 3 });
    expect(instancesOf(page1)).toHaveLength(3);
    const page2 = describeInstances(state, deps, VICTIM, REGION, {
      maxResults: 3,
      nextToken: page1.nextToken as string,
    });
    expect(instancesOf(page2)).toHaveLength(2);
    expect(page2.nextToken).toBeUndefined();
  });
});

describe('EBS snapshots and AMIs', () => {
  it('shares a snapshot with another account and publicly, then revokes', () => {
    const { state, deps, ami } = setup();
    const run = runInstances(state, deps, VICTIM, REGION, { imageId: ami, minCount: 1, maxCount: 1 });
    const volumeId = describeVolumes(state, deps, VICTIM, REGION, {}).volumeSet as WireObject[];
    const snap = createSnapshot(state, deps, VICTIM, REGION, {
      volumeId: volumeId[0]!.volumeId as string,
      description: 'evidence',
    });
    const snapshotId = snap.snapshotId as string;
    expect(snap.status).toBe('pending');
    expect(describeSnapshots(state, deps, OTHER, REGION, {}).snapshotSet).toEqual([]);

    modifySnapshotAttribute(state, deps, VICTIM, REGION, {
      snapshotId,
      attribute: 'createVolumePermission',
      change: { add: [{ userId: OTHER }], remove: [] },
    });
    const seen = describeSnapshots(state, deps, OTHER, REGION, { restorableByUserIds: ['self'] })
      .snapshotSet as WireObject[];
    expect(seen.map((s) => s.snapshotId)).toEqual([snapshotId]);
    expect(describeSnapshots(state, deps, OTHER, REGION, { ownerIds: ['self'] }).snapshotSet).toEqual([]);

    modifySnapshotAttribute(state, deps, VICTIM, REGION, {
      snapshotId,
      change: { add: [{ group: 'all' }], remove: [{ userId: OTHER }] },
    });
    expect(
      describeSnapshotAttribute(state, deps, VICTIM, REGION, {
        snapshotId,
        attribute: 'createVolumePermission',
      }),
    ).toEqual({
      snapshotId,
      createVolumePermission: [{ group: 'all' }],
    });
    expect(
      describeSnapshots(state, deps, VICTIM, REGION, {
        filters: [{ name: 'description', values: ['evid*'] }],
      }).snapshotSet,
    ).toHaveLength(1);
    expect(() =>
      modifySnapshotAttribute(state, deps, OTHER, REGION, {
        snapshotId,
        change: { add: [{ group: 'all' }], remove: [] },
      }),
    ).toThrow(/does not exist/);

    const instanceId = (run.instancesSet as WireObject[])[0]!.instanceId as string;
    const image = createImage(state, deps, VICTIM, REGION, { instanceId, name: 'backdoor' });
    modifyImageAttribute(state, deps, VICTIM, REGION, {
      imageId: image.imageId as string,
      attribute: 'launchPermission',
      change: { add: [{ userId: OTHER }], remove: [] },
    });
    const shared = describeImages(state, deps, OTHER, REGION, { executableUsers: ['self'] })
      .imagesSet as WireObject[];
    expect(shared.map((i) => i.imageId)).toEqual([image.imageId]);
    expect(
      describeImageAttribute(state, deps, VICTIM, REGION, {
        imageId: image.imageId as string,
        attribute: 'launchPermission',
      }),
    ).toEqual({
      imageId: image.imageId,
      launchPermission: [{ userId: OTHER }],
    });
    const amazon = describeImages(state, deps, VICTIM, REGION, { owners: ['amazon'] })
      .imagesSet as WireObject[];
    expect(amazon).toHaveLength(4);
  });
});
