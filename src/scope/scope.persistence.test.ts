import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRuns, describeDemo } from '../cli/commands/test-support/demo.js';
import { VICTIM_ACCOUNT, createUserWithKey } from '../sim/index.js';
import { SCOPE_FILE } from './scope.js';
import { checkBar, playedOn, type Played } from '../eradicate/test-support/bar.js';
import { W } from '../sim/scenarios/world.js';
import { runAws } from '../sim/test-support/aws.js';
import { bedFromDemo, jsonOf, type ScenarioBed, type ScopeJson } from './test-support/respond.js';

const nameOf = (resource: string): string =>
  resource.replace(/^arn:aws:iam::\d+:(user|role|policy|oidc-provider)\//, '');

const demos = demoRuns(['persistence']);
describeDemo('persistence', demos);

describe('scope of the persistence scenario (respond, then scope)', () => {
  let bed: ScenarioBed;
  /** What respond's Scope phase found, before its Eradication phase removed it. */
  let scope: ScopeJson;
  /** `tourniquet scope` run again on the account respond left. */
  let after: ScopeJson;
  let code: number;
  let played: Played;
  beforeAll(async () => {
    // The demo's respond --yes, served again: the demo's, scope's and the eradication bar's
    // checks share this one run.
    const demo = demos.get('persistence');
    bed = await bedFromDemo(demo);
    played = playedOn(bed, demo);
    scope = JSON.parse(readFileSync(join(bed.caseDir(), SCOPE_FILE), 'utf8')) as ScopeJson;
    ({ code, json: after } = await jsonOf<ScopeJson>(bed, ['scope']));
  }, 300_000);
  afterAll(() => bed?.sim.stop());

  it('finds every planted backdoor, by kind and name, with the attacker’s events', () => {
    expect(bed.truth.persistence.length).toBeGreaterThan(5);
    for (const t of bed.truth.persistence) {
      const kind = t.kind;
      const found = scope.persistence.filter(
        (p) =>
          p.kind === kind && (p.name === nameOf(t.resource) || p.name === t.resource || p.arn === t.resource),
      );
      expect(
        found.map((p) => p.attribution),
        `${kind} ${t.resource}`,
      ).toEqual(['attacker']);
      const events = new Set(bed.truth.attackerEventIds);
      expect(found[0]!.eventIds.length, `${kind} ${t.resource}`).toBeGreaterThan(0);
      for (const id of found[0]!.eventIds) expect(events.has(id), `${kind} ${t.resource}: ${id}`).toBe(true);
    }
  });

  it('attributes the attacker’s resources and nothing of the owner’s', () => {
    const attacker = scope.inventory.filter((i) => i.attribution?.origin === 'attacker');
    const byId = (type: string, id: string) => scope.inventory.find((i) => i.type === type && i.id === id);
    expect(byId('AWS::IAM::User', 'svc-backup')?.attribution).toMatchObject({
      origin: 'attacker',
      how: 'created',
    });
    expect(byId('AWS::IAM::Role', 'deploy-role')?.attribution).toMatchObject({
      origin: 'attacker',
      how: 'changed',
    });
    expect(byId('AWS::IAM::User', 'ops-admin')?.attribution?.origin).toBe('pre-existing');
    expect(byId('AWS::IAM::User', 'dev-sam')?.attribution?.origin).toBe('pre-existing');
    // A trail AWS does not date, written to by its owner before the window, predates it.
    expect(byId('AWS::CloudTrail::Trail', 'acme-main')?.attribution?.origin).toBe('pre-existing');
    // Nothing is left unknown here: the responder's own user and key are counted apart.
    expect(
      scope.inventory.filter((i) => i.attribution?.origin === 'unknown' && !i.attribution.byResponder),
    ).toEqual([]);
    expect(byId('AWS::IAM::User', 'security-responder')?.attribution?.byResponder).toBe(true);
    expect(scope.summary.responder).toBeGreaterThanOrEqual(2);
    const truthEvents = new Set(bed.truth.attackerEventIds);
    for (const item of attacker)
      for (const id of item.attribution!.eventIds)
        expect(truthEvents.has(id), `${item.type} ${item.id}`).toBe(true);
    // The responder's own user and containment's policies are never listed as a way in.
    expect(
      scope.persistence.filter((p) =>
        /security-responder|TourniquetDenyAll|AWSRevokeOlderSessions/.test(p.name),
      ),
    ).toEqual([]);
  });

  it('says every enabled region was read and skips the ones not enabled', () => {
    const regions = new Set(
      scope.coverage
        .filter((c) => c.lister === 'ec2.instances' && c.status === 'complete')
        .map((c) => c.region),
    );
    expect(regions.size).toBe(17);
    const skipped = scope.coverage.filter((c) => c.status === 'skipped');
    expect(skipped.map((c) => c.region)).toContain('af-south-1');
    expect(skipped.every((c) => /not enabled/.test(c.reason ?? ''))).toBe(true);
    expect([0, 3]).toContain(code);
  });

  it('finds none of the attacker’s ways back in open once respond has eradicated them, and names what it put back', () => {
    const open = after.persistence.filter((p) => p.attribution === 'attacker' && !p.restored);
    expect(open.map((p) => p.id)).toEqual([]);
    expect(after.summary.persistence.attacker).toBe(0);
    // The trust and the policy's default version were put back, not deleted: still on record.
    const restored = after.persistence.filter((p) => p.restored).map((p) => p.id);
    expect(restored.sort()).toEqual([
      'policy-version/global/app-deploy-policy',
      'role-trust/global/deploy-role',
    ]);
    expect(after.summary.persistence.restored).toBe(2);
  });

  it('eradication: every backdoor gone, the policy and the role trust back byte for byte, the existing admin and its own key intact', async () => {
    const p = played;
    await checkBar(p);
    const account = p.sim.state.accountOrThrow(VICTIM_ACCOUNT);
    // The pre-attack documents, as their owners sent them (the set-up's own CloudTrail records).
    const setup = account.cloudtrail.events.filter((e) => !p.truth.attackerEventIds.includes(e.eventID));
    const createRole = setup.find(
      (e) =>
        e.eventName === 'CreateRole' &&
        (e.requestParameters as { roleName?: string }).roleName === W.deployRole,
    )!;
    expect(account.iam.roles[W.deployRole]!.assumeRolePolicyDocument).toBe(
      (createRole.requestParameters as { assumeRolePolicyDocument: string }).assumeRolePolicyDocument,
    );
    const policy = account.iam.policies[`arn:aws:iam::${VICTIM_ACCOUNT}:policy/${W.deployPolicy}`]!;
    const createPolicy = setup.find(
      (e) =>
        e.eventName === 'CreatePolicy' &&
        (e.requestParameters as { policyName?: string }).policyName === W.deployPolicy,
    )!;
    expect(policy.versions.map((v) => v.versionId)).toEqual(['v1']);
    expect(policy.versions[0]!.document).toBe(
      (createPolicy.requestParameters as { policyDocument: string }).policyDocument,
    );
    expect(account.iam.users[W.adminUser]).toBeDefined();
    // The evidence: the backdoor's record, the function's code package, every document changed.
    const files = p.manifest().map((f) => f.split('/').at(-1));
    expect(files).toEqual(
      expect.arrayContaining([
        'user.json',
        'code.zip',
        'configuration.json',
        'trust-policy.json',
        'policy-version-v2.json',
        'oidc-provider.json',
        'key-pair.json',
      ]),
    );
    // The official CLI reads the same account.
    const cli = await runAws(p.sim, p.responder, ['iam', 'get-user', '--user-name', 'svc-backup']);
    expect(cli.stderr).toContain('NoSuchEntity');
  }, 180_000);

  it('writes scope.json into the case as hashed evidence and the reports show backdoors and reach', async () => {
    const dir = bed.caseDir();
    const manifest = readFileSync(join(dir, 'evidence', 'manifest.jsonl'), 'utf8');
    expect(manifest).toMatch(/scope\/scope-.*\.json/);
    const full = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(full).toContain('Backdoors and reach');
    expect(full).toMatch(/way\(s\) back in left by the attacker/);
    expect(full).toContain('svc-backup');
    const dev = await bed.cli(['report', '--kind', 'dev', '--format', 'md']);
    expect(dev.out).toContain('Backdoors the attacker left');
    expect(dev.out).toContain('deploy-role');
    const exec = await bed.cli(['report', '--kind', 'executive', '--format', 'md']);
    expect(exec.out).toMatch(/\d+ way\(s\) back in left by the attacker/);
    const verify = await bed.cli(['case', 'verify']);
    expect(verify.code).toBe(0);
  });

  it('marks a service the responder may not read in one region "not checked" and exits 3', async () => {
    const limited = createUserWithKey(bed.sim.state, VICTIM_ACCOUNT, 'responder-limited', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      inlinePolicies: {
        denyLambdaEu: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: 'lambda:*',
              Resource: '*',
              Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
            },
          ],
        },
      },
    }).key;
    const run = await bed.cli(['scope', '--json'], limited);
    expect(run.code).toBe(3);
    const out = JSON.parse(run.out) as ScopeJson;
    const gaps = out.coverage.filter((c) => c.status === 'not-checked');
    expect(gaps.map((c) => `${c.lister} ${c.region}`)).toEqual(
      expect.arrayContaining(['lambda.functions:list eu-west-1', 'lambda.layers:list eu-west-1']),
    );
    expect(gaps.every((c) => c.region === 'eu-west-1' && c.service === 'lambda')).toBe(true);
    expect(gaps[0]!.reason).toMatch(/AccessDenied/);
    // The rest was read: it finds what the full read of the same account finds.
    const attackers = (doc: ScopeJson) =>
      doc.persistence
        .filter((p) => p.region !== 'eu-west-1' && p.attribution === 'attacker')
        .map((p) => p.id);
    expect(attackers(out)).toEqual(attackers(after));
    const human = await bed.cli(['scope'], limited);
    expect(human.out).toMatch(/not-checked\s+lambda\.functions:list\s+eu-west-1/);
  });

  it('counts the owner’s new key from recovery as the case’s own, not a way in of unknown origin', async () => {
    const account = bed.sim.state.accountOrThrow(VICTIM_ACCOUNT);
    const before = new Set(Object.keys(account.iam.accessKeys));
    const recovered = await bed.cli(['recover', '--apply', '--secret-out', join(bed.root, 'owner-key.txt')]);
    expect([0, 3]).toContain(recovered.code);
    const made = Object.keys(account.iam.accessKeys).filter((id) => !before.has(id));
    expect(made).toHaveLength(1);
    const { json } = await jsonOf<ScopeJson>(bed, ['scope']);
    const item = json.inventory.find((i) => i.type === 'AWS::IAM::AccessKey' && i.id === made[0]);
    expect(item?.attribution).toMatchObject({ byResponder: true });
    expect(json.persistence.filter((p) => p.name === made[0])).toEqual([]);
  });
});
