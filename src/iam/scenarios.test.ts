import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../aws/pool.js';
import { systemClock } from '../clock.js';
import { SimClock, startSim, createUserWithKey, type RunningSim } from '../sim/index.js';
import { loadScenario, type LoadedScenario } from '../sim/scenarios/index.js';
import { PROD_ACCOUNT, W } from '../sim/scenarios/world.js';
import {
  attackerEventOf,
  computeBlastRadius,
  readAccountSnapshot,
  type AccountSnapshot,
  type AttackerEvent,
  type BlastRadius,
  type BlastSubject,
} from './index.js';

const END = '2026-11-20T12:00:00Z';
const user = (name: string) => `arn:aws:iam::${W.account}:user/${name}`;
const role = (name: string, account = W.account) => `arn:aws:iam::${account}:role/${name}`;

interface Loaded {
  sim: RunningSim;
  loaded: LoadedScenario;
  pool: ClientPool;
  events: AttackerEvent[];
}

async function scenario(name: string): Promise<Loaded> {
  const sim = await startSim({
    seed: 7,
    lookupEventsPerSecond: 10_000,
    clock: new SimClock({ start: END, frozen: true }),
  });
  const loaded = await loadScenario(sim, name, { seed: 7 });
  const pool = await ClientPool.create(
    {
      endpointUrl: sim.endpoint,
      region: 'us-east-1',
      credentials: loaded.responderCredentials,
      maxAttempts: 3,
    },
    systemClock,
  );
  // The attacker's records as the investigation holds them: CloudTrail of both accounts, once each.
  const ids = new Set(loaded.truth.attackerEventIds);
  const seen = new Set<string>();
  const events: AttackerEvent[] = [];
  for (const account of [W.account, PROD_ACCOUNT])
    for (const record of sim.state.account(account)?.cloudtrail.events ?? []) {
      const e = attackerEventOf(record);
      if (ids.has(e.eventId) && !seen.has(e.eventId)) {
        seen.add(e.eventId);
        events.push(e);
      }
    }
  return { sim, loaded, pool, events };
}

async function close(s: Loaded | undefined): Promise<void> {
  s?.pool.destroy();
  await s?.sim.stop();
}

const devSam: BlastSubject = { type: 'user', arn: user(W.devUser) };

async function blast(
  accounts: AccountSnapshot[],
  subject: BlastSubject,
  events: AttackerEvent[] = [],
  sessions: BlastSubject[] = [],
): Promise<BlastRadius> {
  return computeBlastRadius({ accounts, subject, sessions, events, at: END });
}

const principal = (b: BlastRadius, id: string) => b.principals.find((p) => p.id === id);

describe('role-chain', () => {
  let s: Loaded;
  let victim: AccountSnapshot;
  beforeAll(async () => {
    s = await scenario('role-chain');
    victim = (await readAccountSnapshot(s.pool, W.account)).snapshot;
  });
  afterAll(() => close(s));

  it("reads the snapshot back through the SDK: the account's users, roles, policies and data", async () => {
    const { snapshot, coverage } = await readAccountSnapshot(s.pool, W.account);
    const auth = snapshot.authorization;
    expect(auth.UserDetailList?.map((u) => u.UserName)).toEqual(
      expect.arrayContaining([W.devUser, W.adminUser, W.reportingUser]),
    );
    expect(auth.RoleDetailList?.map((r) => r.RoleName)).toEqual(
      expect.arrayContaining([W.deployRole, W.lambdaRole, 'static-deployer']),
    );
    // The AWS managed policies attached to someone come with their documents.
    expect(auth.Policies?.map((p) => p.Arn)).toEqual(
      expect.arrayContaining([
        `arn:aws:iam::${W.account}:policy/${W.deployPolicy}`,
        'arn:aws:iam::aws:policy/AdministratorAccess',
      ]),
    );
    // The victim account manages the scenario's organisation: no SCP binds it.
    expect(snapshot.organization).toMatchObject({ status: 'read', scps: [] });
    const names = (type: string) => snapshot.resources.filter((r) => r.type === type).map((r) => r.name);
    expect(names('AWS::S3::Bucket')).toEqual(
      expect.arrayContaining([W.customerData, W.artifacts, W.trailBucket]),
    );
    expect(names('AWS::SecretsManager::Secret').sort()).toEqual([...W.secrets].sort());
    expect(names('AWS::SSM::Parameter').sort()).toEqual([...W.parameters].sort());
    expect(snapshot.resources.find((r) => r.name === W.fn)?.role).toBe(role(W.lambdaRole));
    expect(snapshot.resources.find((r) => r.name === W.trailBucket)?.policy).toMatch(
      /cloudtrail.amazonaws.com/,
    );
    expect(coverage.filter((c) => c.status !== 'complete')).toEqual([]);
  });

  it("finds dev-sam's key can assume deploy-role and reach prod-deploy in the production account", async () => {
    const b = await blast([victim], devSam, s.events);
    const chain = b.graph.paths.find((p) => p.to === role(W.prodRole, PROD_ACCOUNT));
    expect(chain?.text).toBe(`${W.devUser} → ${W.deployRole} → ${W.prodRole} (${PROD_ACCOUNT})`);
    // The production account was not read: its trust is not checked, and said so.
    expect(chain?.trustChecked).toBe(false);
    expect(b.graph.edges).toContainEqual({
      from: role(W.deployRole),
      to: role(W.prodRole, PROD_ACCOUNT),
      trust: 'not-checked',
    });
    expect(b.graph.edges).toContainEqual({ from: user(W.devUser), to: role(W.deployRole), trust: 'checked' });
    expect(b.raisers.map((r) => r.id).sort()).toEqual(['admin-reach', 'cross-account-role-reach']);
    // Could vs did: the attacker assumed both roles of the chain (event ids from its CloudTrail).
    const assumed = b.couldVsDid.find((l) => l.capability === 'assume roles')!;
    expect(assumed.did).toBe(2);
    expect(assumed.could).toBeGreaterThanOrEqual(3);
    const assumeIds = s.events.filter((e) => e.eventName === 'AssumeRole').map((e) => e.eventId);
    expect(assumed.eventIds.sort()).toEqual([...new Set(assumeIds)].sort());
  });

  it('checks the cross-account trust when the production account is read too', async () => {
    const prodResponder = createUserWithKey(s.sim.state, PROD_ACCOUNT, 'prod-responder', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    });
    const prodPool = await ClientPool.create(
      { endpointUrl: s.sim.endpoint, region: 'us-east-1', credentials: prodResponder.key, maxAttempts: 3 },
      systemClock,
    );
    try {
      const prod = (await readAccountSnapshot(prodPool, PROD_ACCOUNT)).snapshot;
      const b = await blast([victim, prod], devSam, s.events);
      const chain = b.graph.paths.find((p) => p.to === role(W.prodRole, PROD_ACCOUNT));
      expect(chain?.trustChecked).toBe(true);
      expect(principal(b, role(W.prodRole, PROD_ACCOUNT))?.admin).toBe(true);
    } finally {
      prodPool.destroy();
    }
  });

  it("a deny on aws:TokenIssueTime (containment's revoke-sessions policy) removes the session's reach", async () => {
    const t = s.loaded.truth;
    const derived = t.derivedSessions.find((d) => d.kind === 'assumed-role' && d.accountId === W.account)!;
    const session: BlastSubject = { type: 'role-session', arn: derived.arn, issuedAt: derived.issuedAt };
    const before = await blast([victim], session, s.events);
    expect(principal(before, derived.arn)?.admin).toBe(true);

    const revoke = {
      Version: '2012-10-17',
      Statement: {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': t.end } },
      },
    };
    const iam = new IAMClient({
      region: 'us-east-1',
      endpoint: s.sim.endpoint,
      credentials: s.loaded.responderCredentials,
    });
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: W.deployRole,
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: JSON.stringify(revoke),
      }),
    );
    iam.destroy();
    // AWS (the simulated account) now refuses the session…
    const creds = s.loaded.attackerSessions[derived.accessKeyId]!;
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: s.sim.endpoint,
      credentials: creds,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    await expect(s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    s3.destroy();

    // …and the blast radius read back from the account agrees.
    const contained = (await readAccountSnapshot(s.pool, W.account)).snapshot;
    const after = await blast([contained], session, s.events);
    const reach = principal(after, derived.arn)!;
    expect(reach.admin).toBe(false);
    expect(reach.sensitive).toEqual([]);
    expect(reach.escalation).toEqual([]);
    expect(after.graph.edges.filter((e) => e.from === derived.arn)).toEqual([]);
    expect(after.data.flatMap((d) => d.access.filter((a) => a.via.length))).toEqual([]);
    // The user's key is not a session: it can still assume the role afresh.
    const key = await blast([contained], devSam, s.events);
    expect(key.graph.paths.map((p) => p.text)).toContain(`${W.devUser} → ${W.deployRole}`);
  });

  it('evaluates the lineage: a federation token within its session policy, a session token without IAM', async () => {
    const t = s.loaded.truth;
    const of = (kind: string) => t.derivedSessions.find((d) => d.kind === kind)!;
    const fed = of('federated-user');
    const token = of('session-token');
    const stored = s.sim.state.data.sessions[fed.accessKeyId]!;
    const b = await blast([victim], devSam, s.events, [
      {
        type: 'federated-user',
        arn: fed.arn,
        userArn: user(W.devUser),
        issuedAt: fed.issuedAt,
        sessionPolicy: stored.sessionPolicy,
      },
      { type: 'session-token', userArn: user(W.devUser), issuedAt: token.issuedAt },
    ]);
    const federated = principal(b, fed.arn)!;
    expect(federated.compromised).toBe(true);
    // GetFederationToken sessions cannot call IAM or STS, whatever their policy says.
    expect(federated.sensitive.filter((g) => /^(iam|sts):/.test(g.action))).toEqual([]);
    expect(federated.sensitive.map((g) => g.action)).toContain('ec2:RunInstances');
    expect(b.graph.edges.filter((e) => e.from === fed.arn)).toEqual([]);
  });
});

describe('persistence', () => {
  let s: Loaded;
  let quiet: Loaded;
  beforeAll(async () => {
    [s, quiet] = await Promise.all([scenario('persistence'), scenario('quiet')]);
  });
  afterAll(async () => {
    await Promise.all([close(s), close(quiet)]);
  });

  it('the admin version of app-deploy-policy makes the role it is attached to an administrator', async () => {
    const lambdaRole: BlastSubject = { type: 'role', arn: role(W.lambdaRole) };
    const before = await blast([(await readAccountSnapshot(quiet.pool, W.account)).snapshot], lambdaRole);
    expect(principal(before, role(W.lambdaRole))?.admin).toBe(false);
    expect(before.raisers).toEqual([]);
    const after = await blast([(await readAccountSnapshot(s.pool, W.account)).snapshot], lambdaRole);
    expect(principal(after, role(W.lambdaRole))?.admin).toBe(true);
    expect(after.raisers.map((r) => r.id)).toContain('admin-reach');
    // Switching back to the old version is open, and does not lead to admin.
    const back = principal(after, role(W.lambdaRole))!.escalation.find(
      (e) => e.method === 'set-default-policy-version',
    );
    expect(back?.targets).toEqual([
      {
        arn: `arn:aws:iam::${W.account}:policy/${W.deployPolicy}`,
        name: W.deployPolicy,
        reachesAdmin: false,
      },
    ]);
  });

  it('shows the key minted for the existing admin beside the method that allowed it', async () => {
    const b = await blast([(await readAccountSnapshot(s.pool, W.account)).snapshot], devSam, s.events);
    const sam = principal(b, user(W.devUser))!;
    expect(sam.admin).toBe(true);
    const minted = sam.escalation.find((e) => e.method === 'create-access-key')!;
    expect(minted.targets).toContainEqual({ arn: user(W.adminUser), name: W.adminUser, reachesAdmin: true });
    const createKey = s.events.filter((e) => e.eventName === 'CreateAccessKey').map((e) => e.eventId);
    expect(createKey.length).toBeGreaterThan(0);
    expect(minted.did.map((d) => d.eventId)).toEqual(expect.arrayContaining(createKey));
    const version = sam.escalation.find((e) => e.method === 'create-policy-version');
    expect(version).toBeUndefined(); // app-deploy-policy is not attached to dev-sam
    const grant = sam.sensitive.find((g) => g.action === 'iam:CreatePolicyVersion')!;
    expect(grant.did.map((d) => d.eventName)).toContain('CreatePolicyVersion');
  });

  it('a principal with only ReadOnlyAccess has no escalation path', async () => {
    const b = await blast([(await readAccountSnapshot(quiet.pool, W.account)).snapshot], {
      type: 'user',
      arn: user(W.reportingUser),
    });
    const reporting = principal(b, user(W.reportingUser))!;
    expect(reporting.admin).toBe(false);
    expect(reporting.escalation).toEqual([]);
    // Reads, and the sessions any user may mint (within its own read-only rights).
    const others = reporting.sensitive
      .map((g) => g.action)
      .filter(
        (a) =>
          !/^(s3:GetObject|secretsmanager:GetSecretValue|ssm:GetParameter|sts:Get(SessionToken|FederationToken))$/.test(
            a,
          ),
      );
    expect(others).toEqual([]);
    expect(b.graph.paths).toEqual([]);
    expect(b.raisers).toEqual([]);
  });

  it('on quiet, nothing was done: every capability has did 0', async () => {
    const b = await blast([(await readAccountSnapshot(quiet.pool, W.account)).snapshot], devSam, []);
    expect(b.couldVsDid.every((l) => l.did === 0 && l.tried === 0)).toBe(true);
    expect(b.couldVsDid.find((l) => l.capability === 'read secrets')?.could).toBe(W.secrets.length);
  });
});

describe('exfiltration', () => {
  let s: Loaded;
  beforeAll(async () => {
    s = await scenario('exfiltration');
  });
  afterAll(() => close(s));

  it('could read every secret and parameter, did read what the truth says (event ids)', async () => {
    const b = await blast([(await readAccountSnapshot(s.pool, W.account)).snapshot], devSam, s.events);
    const line = (c: string) => b.couldVsDid.find((l) => l.capability === c)!;
    const secretReads = s.events.filter((e) => e.eventName === 'GetSecretValue' && !e.errorCode);
    expect(line('read secrets')).toMatchObject({ could: W.secrets.length, did: W.secrets.length, tried: 0 });
    expect(line('read secrets').eventIds.sort()).toEqual(secretReads.map((e) => e.eventId).sort());
    expect(line('read parameters')).toMatchObject({ could: W.parameters.length, did: 2 });
    const customer = b.data.find((d) => d.name === W.customerData)!;
    const read = customer.access.find((a) => a.level === 'read')!;
    // dev-sam reads it directly, and through the deploy role it can assume.
    expect(read.via).toEqual([user(W.devUser), role(W.deployRole)]);
    const objectReads = s.events.filter((e) => e.eventName === 'GetObject').map((e) => e.eventId);
    expect(objectReads.length).toBeGreaterThan(0);
    expect(read.did.map((d) => d.eventId).sort()).toEqual(objectReads.sort());
    // The attacker's own bucket policy change is "manage" done.
    expect(customer.access.find((a) => a.level === 'manage')?.did.map((d) => d.eventName)).toContain(
      'PutBucketPolicy',
    );
  });
});
