import {
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { GetPolicyCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { checkCleanState } from './clean.js';
import { loadScenario, type LoadedScenario } from './index.js';
import { verifyTruth } from './test-support/verify.js';
import { W, arn } from './world.js';

const END = '2026-11-20T12:00:00Z';

async function load(name: string): Promise<{ sim: RunningSim; loaded: LoadedScenario }> {
  const sim = await startSim({
    seed: 11,
    lookupEventsPerSecond: 10_000,
    clock: new SimClock({ start: END, frozen: true }),
  });
  return { sim, loaded: await loadScenario(sim, name, { seed: 11 }) };
}

function cfg(sim: RunningSim, loaded: LoadedScenario, region = 'us-east-1') {
  return { region, endpoint: sim.endpoint, credentials: loaded.responderCredentials, maxAttempts: 1 };
}

describe('cryptomining', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load('cryptomining')));
  afterAll(() => sim.stop());

  it('matches its truth in LookupEvents, trail files, resources, Cost Explorer and GuardDuty', async () => {
    const t = loaded.truth;
    expect(t.leakedAccessKeyId).toBe(loaded.leakedCredentials?.accessKeyId);
    expect(t.end).toBe('2026-11-20T12:00:00.000Z');
    await verifyTruth(sim, loaded);
    // The key's first use from the attacker's address; before, only the office and CI used it.
    const own = sim.state
      .accountOrThrow(t.accountId)
      .cloudtrail.events.filter(
        (r) => (r.userIdentity as { accessKeyId?: string }).accessKeyId === t.leakedAccessKeyId,
      );
    const firstAttack = own.findIndex((r) => t.attacker.ips.includes(r.sourceIPAddress));
    expect(own[firstAttack]?.eventName).toBe('GetCallerIdentity');
    expect(new Set(own.slice(0, firstAttack).map((r) => r.sourceIPAddress))).toEqual(
      new Set(['198.51.100.23', '3.91.44.107']),
    );
    // An AccessDenied burst within one minute.
    const denied = t.attackerEvents.filter((e) => e.errorCode?.startsWith('AccessDenied'));
    expect(denied.length).toBeGreaterThanOrEqual(5);
    expect(Date.parse(denied.at(-1)!.time) - Date.parse(denied[0]!.time)).toBeLessThanOrEqual(60_000);
    // GPU instances in three unusual regions, SSH opened to the world, a crypto finding, a spike.
    const instances = t.resourcesCreated.filter((r) => r.type === 'AWS::EC2::Instance');
    expect(new Set(instances.map((i) => i.region))).toEqual(
      new Set(['ap-southeast-1', 'sa-east-1', 'eu-north-1']),
    );
    const sgs = t.resourcesModified.filter((r) => r.type === 'AWS::EC2::SecurityGroup');
    for (const g of sgs) {
      const out = await new EC2Client(cfg(sim, loaded, g.region)).send(
        new DescribeSecurityGroupsCommand({ GroupIds: [g.id] }),
      );
      expect(out.SecurityGroups?.[0]?.IpPermissions?.[0]?.IpRanges?.[0]?.CidrIp).toBe('0.0.0.0/0');
    }
    expect(t.guardDutyFindings.map((f) => f.type)).toEqual(
      expect.arrayContaining(['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'Discovery:IAMUser/AnomalousBehavior']),
    );
    expect(t.cost.usd).toBeGreaterThan(1000);
    // Nothing is clean yet; each expected condition is unmet until the responder acts.
    expect(checkCleanState(sim.state, t).met).toEqual([]);
  });
});

describe('persistence', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load('persistence')));
  afterAll(() => sim.stop());

  it('plants every kind of persistence the truth lists, as the APIs show', async () => {
    const t = loaded.truth;
    await verifyTruth(sim, loaded);
    expect(new Set(t.persistence.map((p) => p.kind))).toEqual(
      new Set([
        'iam-user',
        'access-key',
        'login-profile',
        'policy-version',
        'role-trust',
        'lambda-url',
        'key-pair',
        'oidc-provider',
      ]),
    );
    const iam = new IAMClient(cfg(sim, loaded));
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn.policy(W.deployPolicy) }));
    expect(policy.Policy?.DefaultVersionId).toBe('v2');
    const role = await iam.send(new GetRoleCommand({ RoleName: W.deployRole }));
    expect(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)).toContain(W.external);
    const clean = checkCleanState(sim.state, t);
    expect(clean.met).toEqual([]);
    expect(clean.unmet.length).toBeGreaterThanOrEqual(9);
  });
});

describe('exfiltration', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load('exfiltration')));
  afterAll(() => sim.stop());

  it('reads data (S3 data events only in trail files), opens the bucket and shares the snapshot', async () => {
    const t = loaded.truth;
    const { lookedUp, delivered } = await verifyTruth(sim, loaded);
    const getObjects = delivered.filter((r) => r.eventName === 'GetObject');
    expect(getObjects).toHaveLength(W.customerObjects.length);
    expect(getObjects.every((r) => r.eventCategory === 'Data' && r.managementEvent === false)).toBe(true);
    expect(lookedUp.some((r) => r.eventName === 'GetObject')).toBe(false);
    expect(t.dataTouched.filter((d) => d.kind === 'secret')).toHaveLength(3);
    expect(t.dataTouched.filter((d) => d.kind === 'ssm-parameter')).toHaveLength(2);
    const decrypt = lookedUp.find((r) => r.eventName === 'GetParameters');
    expect(decrypt?.requestParameters).toMatchObject({ withDecryption: true });
    const policy = await new S3Client({ ...cfg(sim, loaded), forcePathStyle: true }).send(
      new GetBucketPolicyCommand({ Bucket: W.customerData }),
    );
    expect(policy.Policy).toContain(`arn:aws:iam::${W.external}:root`);
    const snapshot = t.resourcesModified.find((r) => r.type === 'AWS::EC2::Snapshot')!;
    const attr = await new EC2Client(cfg(sim, loaded)).send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: snapshot.id, Attribute: 'createVolumePermission' }),
    );
    expect(attr.CreateVolumePermissions?.map((p) => p.UserId)).toContain(W.external);
    expect(checkCleanState(sim.state, t).met).toEqual([]);
  });
});
