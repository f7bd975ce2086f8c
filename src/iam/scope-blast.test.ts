import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { ClientPool } from '../aws/pool.js';
import { systemClock } from '../clock.js';
import { silentLogger, silentProgress } from '../context.js';
import { readInventory } from '../inventory/engine.js';
import { iamLister } from '../inventory/listers/iam.js';
import { LAMBDA_LISTERS } from '../inventory/listers/lambda.js';
import { s3Lister } from '../inventory/listers/s3.js';
import { SECRETS_LISTER, SSM_LISTERS } from '../inventory/listers/services.js';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../sim/index.js';
import { loadScenario, type LoadedScenario } from '../sim/scenarios/index.js';
import { PROD_ACCOUNT, W } from '../sim/scenarios/world.js';
import { createOrganization, deleteOrganization } from '../sim/services/organizations/index.js';
import { jsonOf, scenarioBed, type ScenarioBed } from '../scope/test-support/respond.js';
import type { ScopeDocument } from '../scope/types.js';
import { attackerEventOf, blastRadiusOfScope, type AttackerEvent, type BlastRadius } from './index.js';

const user = (name: string) => `arn:aws:iam::${W.account}:user/${name}`;
const role = (name: string, account = W.account) => `arn:aws:iam::${account}:role/${name}`;
const REGION = ['--only-region', 'us-east-1'];

/**
 * `tourniquet scope` computes the blast radius of the case's credential from the inventory it read
 * and the case's events: role-chain (dev-sam's key → deploy-role → prod-deploy in another account,
 * a federation token and a session token, all still live), through the CLI and the real SDK.
 */
describe('blast radius in tourniquet scope (role-chain)', () => {
  let bed: ScenarioBed;
  let b: BlastRadius;
  let coverage: ScopeDocument['coverage'];
  beforeAll(async () => {
    bed = await scenarioBed('role-chain');
    // The account's CloudTrail as files (what `collect --source PATH` reads), then the case's
    // investigation: cheaper than respond's LookupEvents in 17 regions, and nothing is contained.
    const trail = join(bed.root, 'trail.json');
    writeFileSync(trail, JSON.stringify({ Records: bed.sim.state.account(W.account)!.cloudtrail.events }));
    for (const step of [
      ['triage', bed.truth.leakedAccessKeyId!],
      ['collect', '--source', trail],
      ['investigate'],
    ])
      await jsonOf(bed, step);
    const run = await jsonOf<{ blastRadius: BlastRadius | null; coverage: ScopeDocument['coverage'] }>(bed, [
      'scope',
      ...REGION,
    ]);
    coverage = run.json.coverage;
    b = run.json.blastRadius!;
  }, 180_000);
  afterAll(() => bed?.sim.stop());

  it('names the compromised key’s user and the sessions minted from it that are still live', () => {
    expect(b.subject).toMatchObject({ id: user(W.devUser), kind: 'user', account: W.account });
    // The GetSessionToken session acts as dev-sam with no more rights: it is dev-sam's node.
    // The leaked key is also the CI pipeline's: a ci-build session it minted in the last 15 minutes
    // is live too (and rightly compromised); whether there is one depends on the time of day.
    const live = b.principals
      .filter((p) => p.compromised && !/deploy-role\/ci-build-\d+$/.test(p.name))
      .map((p) => `${p.kind} ${p.name}`);
    expect(live.sort()).toEqual([
      'federated-user backup-sync',
      'role-session deploy-role/sam-debug',
      `user ${W.devUser}`,
    ]);
    expect(coverage).toContainEqual(
      expect.objectContaining({ lister: 'organizations.scps', status: 'complete' }),
    );
    // The victim account manages the scenario's organisation: no SCP binds it.
    expect(b.organization).toEqual([{ account: W.account, status: 'read' }]);
  });

  it('could: the role chain into the other account, escalation methods and data; did: the case’s events', () => {
    const chain = b.graph.paths.find((p) => p.to === role(W.prodRole, PROD_ACCOUNT));
    expect(chain).toMatchObject({ crossAccount: true, trustChecked: false });
    expect(chain?.text).toBe(`${W.deployRole}/sam-debug → ${W.prodRole} (${PROD_ACCOUNT})`);
    expect(b.raisers.map((r) => r.id)).toEqual(
      expect.arrayContaining(['admin-reach', 'cross-account-role-reach']),
    );
    const dev = b.principals.find((p) => p.id === user(W.devUser))!;
    const methods = dev.escalation.map((e) => e.method);
    expect(methods).toEqual(expect.arrayContaining(['passrole-lambda-invoke', 'attach-role-policy']));
    const passrole = dev.escalation.find((e) => e.method === 'passrole-lambda-invoke')!;
    expect(passrole.targets.map((t) => t.name)).toContain(W.lambdaRole);
    // Data reach: every bucket and secret of the account is readable by the chain.
    const readable = (type: string) =>
      b.data.filter((d) => d.type === type && d.access.some((a) => a.level === 'read' && a.via.length));
    expect(readable('AWS::S3::Bucket').map((d) => d.name)).toEqual(expect.arrayContaining([W.customerData]));
    expect(
      readable('AWS::SecretsManager::Secret')
        .map((d) => d.name)
        .sort(),
    ).toEqual([...W.secrets].sort());
    // Did: the two AssumeRole calls of the chain, by the truth's event ids.
    const assumed = b.couldVsDid.find((l) => l.capability === 'assume roles')!;
    expect(assumed.did).toBe(2);
    const truth = new Set(bed.truth.attackerEventIds);
    expect(assumed.eventIds.length).toBeGreaterThanOrEqual(2);
    for (const id of assumed.eventIds) expect(truth.has(id), id).toBe(true);
  });

  it('shows the blast radius in the terminal, in scope.json and in the reports', async () => {
    const doc = JSON.parse(readFileSync(join(bed.caseDir(), 'scope.json'), 'utf8')) as ScopeDocument;
    expect(doc.blastRadius?.subject.id).toBe(user(W.devUser));
    const human = await bed.cli(['scope', ...REGION]);
    expect(human.out).toContain('Blast radius');
    expect(human.out).toMatch(/Roles within reach\s+\d+: .*prod-deploy \(222233334444\)/);
    expect(human.out).toMatch(/Could \/ did: assume roles\s+could \d+, did 2/);
    const report = await bed.cli(['report', '--kind', 'dev', '--format', 'md']);
    expect(report.out).toContain('Blast radius');
    expect(report.out).toMatch(/could \d+, did 2/);
  });

  it('says SCPs are "not checked" (exit 3) when the account is a member that may not read them', async () => {
    // The scenario's organisation (the victim account manages it) gives way to one it is a member of.
    deleteOrganization(bed.sim.state, VICTIM_ACCOUNT);
    createOrganization(bed.sim.state, { management: PROD_ACCOUNT, members: [{ account: VICTIM_ACCOUNT }] });
    const run = await bed.cli(['scope', ...REGION, '--json']);
    expect(run.code).toBe(3);
    const out = JSON.parse(run.out) as { blastRadius: BlastRadius; coverage: ScopeDocument['coverage'] };
    expect(out.blastRadius.organization[0]).toMatchObject({ account: W.account, status: 'not-checked' });
    expect(out.blastRadius.organization[0]?.reason).toMatch(/AccessDenied/);
    expect(out.blastRadius.notChecked.some((l) => l.startsWith(`SCPs of ${W.account} not checked`))).toBe(
      true,
    );
    expect(out.coverage).toContainEqual(
      expect.objectContaining({ lister: 'organizations.scps', status: 'not-checked' }),
    );
  });

  it('raises a case’s severity from P2 to P1 when administrator rights are within reach, in the journal and the reports', async () => {
    // A user that may only attach policies to itself: triage sees IAM rights (P2), not an admin.
    const { key } = createUserWithKey(bed.sim.state, VICTIM_ACCOUNT, 'ops-attacher', {
      inlinePolicies: {
        attach: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'iam:AttachUserPolicy', Resource: user('ops-attacher') }],
        },
      },
    });
    const triage = await jsonOf<{ dir: string; triage: { severity: { level: string } } }>(bed, [
      'triage',
      key.accessKeyId,
    ]);
    expect(triage.json.triage.severity.level).toBe('P2');
    const dir = triage.json.dir;
    const run = await jsonOf<{ severityRaised: { from: string; to: string; reasons: string[] } | null }>(
      bed,
      ['scope', ...REGION, '--case', dir],
    );
    expect(run.json.severityRaised).toMatchObject({ from: 'P2', to: 'P1' });
    expect(run.json.severityRaised!.reasons.join(' ')).toMatch(
      /administrator rights are within reach: ops-attacher: attach-user-policy/,
    );
    expect(readFileSync(join(dir, 'journal.jsonl'), 'utf8')).toMatch(
      /"kind":"severity.raised".*"from":"P2","to":"P1"/,
    );
    const exec = await bed.cli(['report', '--kind', 'executive', '--format', 'json', '--case', dir]);
    const facts = JSON.parse(exec.out) as { severity: { level: string; reasons: string[] } };
    expect(facts.severity.level).toBe('P1');
    expect(facts.severity.reasons.join(' ')).toMatch(
      /^blast radius \(P1\): administrator rights.*raised from P2/,
    );
  });
});

/**
 * The persistence scenario, from the inventory scope reads (one region, the listers whose
 * resources carry policies) and the attacker's CloudTrail records: the subject is found from the
 * case's key through the inventory, and the escalation the attacker used is beside its event.
 */
describe('blast radius from the inventory (persistence)', () => {
  const END = '2026-11-20T12:00:00Z';
  let sim: RunningSim;
  let loaded: LoadedScenario;
  let pool: ClientPool;
  let b: BlastRadius;
  const blastOf = (
    inventory: Awaited<ReturnType<typeof readInventory>>,
    events: AttackerEvent[],
    containment: string[] = [],
  ) => {
    const key = loaded.truth.leakedAccessKeyId!;
    return blastRadiusOfScope({
      pool,
      account: W.account,
      items: inventory.items,
      coverage: inventory.coverage,
      caseSubject: { input: key, kind: 'access-key', accessKeyId: key },
      signer: undefined,
      lineage: null,
      live: new Set(),
      events,
      at: END,
      containment: new Set(containment),
    });
  };
  beforeAll(async () => {
    sim = await startSim({ seed: 7, clock: new SimClock({ start: END, frozen: true }) });
    loaded = await loadScenario(sim, 'persistence', { seed: 7 });
    pool = await ClientPool.create(
      {
        endpointUrl: sim.endpoint,
        region: 'us-east-1',
        credentials: loaded.responderCredentials,
        maxAttempts: 3,
      },
      systemClock,
    );
    const inventory = await readInventory({
      pool,
      account: W.account,
      regions: ['us-east-1'],
      listers: [iamLister, s3Lister, LAMBDA_LISTERS[0]!, SECRETS_LISTER, ...SSM_LISTERS.slice(0, 1)],
      log: silentLogger,
      progress: silentProgress,
    });
    const ids = new Set(loaded.truth.attackerEventIds);
    const events = (sim.state.account(W.account)?.cloudtrail.events ?? [])
      .map((r) => attackerEventOf(r))
      .filter((e) => ids.has(e.eventId));
    b = (await blastOf(inventory, events)).blastRadius!;
  }, 120_000);
  afterAll(async () => {
    pool?.destroy();
    await sim?.stop();
  });

  it('finds the key’s user through the inventory and its escalation, with the events that used it', () => {
    expect(b.subject.id).toBe(user(W.devUser));
    const dev = b.principals.find((p) => p.id === user(W.devUser))!;
    const byMethod = new Map(dev.escalation.map((e) => [e.method, e]));
    // iam:PassRole + lambda:CreateFunction (+ invoke) with the Lambda execution role as the target.
    expect(byMethod.get('passrole-lambda-invoke')?.targets.map((t) => t.name)).toContain(W.lambdaRole);
    // The attacker made an administrator version of app-deploy-policy and a key for ops-admin.
    const did = (method: string) => (byMethod.get(method)?.did ?? []).filter((r) => !r.errorCode);
    expect(did('create-access-key').map((r) => r.eventName)).toContain('CreateAccessKey');
    const truth = new Set(loaded.truth.attackerEventIds);
    for (const e of dev.escalation.flatMap((x) => x.did)) expect(truth.has(e.eventId), e.eventId).toBe(true);
    const policyVersion = b.principals
      .flatMap((p) => p.sensitive)
      .find((g) => g.action === 'iam:CreatePolicyVersion');
    expect(policyVersion?.did.map((r) => r.eventName)).toContain('CreatePolicyVersion');
    expect(b.raisers.map((r) => r.id)).toContain('admin-reach');
  });

  it('leaves containment’s own deny out: the reach shown is the one the attacker had', async () => {
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
    await pool.get(IAMClient, 'us-east-1').send(
      new PutUserPolicyCommand({
        UserName: W.devUser,
        PolicyName: 'TourniquetDenyAll',
        PolicyDocument: JSON.stringify(deny),
      }),
    );
    const inventory = await readInventory({
      pool,
      account: W.account,
      regions: ['us-east-1'],
      listers: [iamLister],
      log: silentLogger,
      progress: silentProgress,
    });
    const denied = (await blastOf(inventory, [])).blastRadius!;
    const dev = (r: BlastRadius) => r.principals.find((p) => p.id === user(W.devUser))!;
    expect(dev(denied).admin).toBe(false);
    expect(dev(denied).sensitive).toEqual([]);
    const before = (await blastOf(inventory, [], [`${W.devUser}/TourniquetDenyAll`])).blastRadius!;
    expect(dev(before).admin).toBe(true);
    expect(before.leftOut).toEqual([`${W.devUser}/TourniquetDenyAll`]);
  });
});
