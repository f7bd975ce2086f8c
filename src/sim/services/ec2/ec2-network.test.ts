import { describe, expect, it } from 'vitest';
import { publicImages } from './images.js';
import { describeInstances, runInstances } from './instances.js';
import { createKeyPair, deleteKeyPair, describeKeyPairs, importKeyPair } from './key-pairs.js';
import type { WireObject } from './model.js';
import {
  authorizeSecurityGroup,
  createSecurityGroup,
  deleteSecurityGroup,
  describeSecurityGroups,
  revokeSecurityGroup,
} from './security-groups.js';
import { createTags, deleteTags, describeTags } from './tags.js';
import { testDeps } from './test-deps.js';
import { emptyEc2State } from './world.js';

const VICTIM = '111122223333';
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

describe('security groups, key pairs and tags', () => {
  it('authorizes, rejects duplicates, revokes and deletes', () => {
    const { state, deps } = setup();
    const created = createSecurityGroup(state, deps, VICTIM, REGION, {
      groupName: 'ssh',
      description: 'ssh in',
    });
    const groupId = created.groupId as string;
    const ingress = [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '0.0.0.0/0' }] }];
    const added = authorizeSecurityGroup(state, deps, VICTIM, REGION, {
      groupId,
      isEgress: false,
      permissions: ingress,
    });
    expect(added.securityGroupRuleSet).toMatchObject([
      { groupId, ipProtocol: 'tcp', fromPort: 22, cidrIpv4: '0.0.0.0/0', isEgress: false },
    ]);
    expect(() =>
      authorizeSecurityGroup(state, deps, VICTIM, REGION, { groupId, isEgress: false, permissions: ingress }),
    ).toThrow('the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists');
    const open = describeSecurityGroups(state, deps, VICTIM, REGION, {
      filters: [{ name: 'ip-permission.cidr', values: ['0.0.0.0/0'] }],
    }).securityGroupInfo as WireObject[];
    expect(open.map((g) => g.groupName)).toEqual(['ssh']);
    expect(open[0]!.ipPermissions).toMatchObject([
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '0.0.0.0/0' }] },
    ]);
    revokeSecurityGroup(state, deps, VICTIM, REGION, { groupId, isEgress: false, permissions: ingress });
    expect(() =>
      revokeSecurityGroup(state, deps, VICTIM, REGION, { groupId, isEgress: false, permissions: ingress }),
    ).toThrow('The specified rule does not exist in this security group.');
    const all = describeSecurityGroups(state, deps, VICTIM, REGION, {}).securityGroupInfo as WireObject[];
    expect(all.map((g) => g.groupName).sort()).toEqual(['default', 'ssh']);
    const defaultId = all.find((g) => g.groupName === 'default')!.groupId as string;
    expect(() => deleteSecurityGroup(state, deps, VICTIM, REGION, { groupId: defaultId })).toThrow(
      /cannot be deleted/,
    );
    deleteSecurityGroup(state, deps, VICTIM, REGION, { groupName: 'ssh' });
    expect(describeSecurityGroups(state, deps, VICTIM, REGION, {}).securityGroupInfo).toHaveLength(1);
  });

  it('creates, imports, describes and deletes key pairs', () => {
    const { state, deps } = setup();
    const created = createKeyPair(state, deps, VICTIM, REGION, { keyName: 'attacker' });
    expect(created.keyMaterial).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(created.keyFingerprint).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    expect(() => createKeyPair(state, deps, VICTIM, REGION, { keyName: 'attacker' })).toThrow(
      'The keypair already exists',
    );
    const publicKey = describeKeyPairs(state, deps, VICTIM, REGION, {
      keyNames: ['attacker'],
      includePublicKey: true,
    });
    const line = (publicKey.keySet as WireObject[])[0]!.publicKey as string;
    const imported = importKeyPair(state, deps, VICTIM, REGION, {
      keyName: 'again',
      publicKeyMaterial: line,
    });
    expect(imported.keyFingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(() =>
      importKeyPair(state, deps, VICTIM, REGION, { keyName: 'bad', publicKeyMaterial: 'ssh-rsa AAAA' }),
    ).toThrow(/not in valid OpenSSH/);
    expect(describeKeyPairs(state, deps, VICTIM, REGION, {}).keySet).toHaveLength(2);
    expect(deleteKeyPair(state, deps, VICTIM, REGION, { keyName: 'attacker' })).toMatchObject({
      return: true,
    });
    expect(deleteKeyPair(state, deps, VICTIM, REGION, { keyName: 'attacker' })).toEqual({ return: true });
    expect(() => describeKeyPairs(state, deps, VICTIM, REGION, { keyNames: ['attacker'] })).toThrow(
      "The key pair 'attacker' does not exist",
    );
  });

  it('creates, describes and deletes tags', () => {
    const { state, deps, ami } = setup();
    const run = runInstances(state, deps, VICTIM, REGION, { imageId: ami, minCount: 1, maxCount: 1 });
    const instanceId = (run.instancesSet as WireObject[])[0]!.instanceId as string;
    createTags(state, deps, VICTIM, REGION, {
      resources: [instanceId],
      tags: [
        { key: 'Owner', value: 'ops' },
        { key: 'Env', value: 'prod' },
      ],
    });
    expect(
      describeTags(state, deps, VICTIM, REGION, { filters: [{ name: 'key', values: ['Env'] }] }).tagSet,
    ).toEqual([{ resourceId: instanceId, resourceType: 'instance', key: 'Env', value: 'prod' }]);
    deleteTags(state, deps, VICTIM, REGION, {
      resources: [instanceId],
      tags: [{ key: 'Env', value: 'dev' }],
    });
    expect(describeTags(state, deps, VICTIM, REGION, {}).tagSet).toHaveLength(2);
    deleteTags(state, deps, VICTIM, REGION, { resources: [instanceId], tags: [{ key: 'Env' }] });
    expect(describeTags(state, deps, VICTIM, REGION, {}).tagSet).toHaveLength(1);
    expect(() =>
      createTags(state, deps, VICTIM, REGION, {
        resources: ['i-0000000000000000f'],
        tags: [{ key: 'a', value: 'b' }],
      }),
    ).toThrow(/does not exist/);
  });

  it('round-trips through JSON', () => {
    const { state, deps, ami } = setup();
    runInstances(state, deps, VICTIM, REGION, { imageId: ami, minCount: 1, maxCount: 1 });
    const copy = JSON.parse(JSON.stringify(state)) as typeof state;
    expect(instancesOf(describeInstances(copy, deps, VICTIM, REGION, {}))).toHaveLength(1);
  });
});
