import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCase } from '../case/verify.js';
import { startSim, VICTIM_ACCOUNT, type RunningSim } from '../sim/index.js';
import { checkCleanState, loadScenario, type Truth } from '../sim/scenarios/index.js';
import { W } from '../sim/scenarios/world.js';
import { runAws } from '../sim/test-support/aws.js';
import { runCli, type TestCreds } from '../test-support/cli.js';
import { createdByAttacker, inventory } from './test-support/inventory.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tq-eradicate-scn-'));
});

interface Played {
  sim: RunningSim;
  truth: Truth;
  responder: TestCreds;
  dir: string;
  /** What existed before the response that the attacker did not create. */
  preExisting: Set<string>;
  /** Responder's CloudTrail write events so far. */
  writes(): number;
  cli(args: string[]): ReturnType<typeof runCli>;
  manifest(): string[];
}

interface EradicateJson {
  state: string;
  plan?: { steps: { id: string; action: string; noop: boolean; params: Record<string, string> }[] };
  manual: string[];
}

/**
 * A scenario, then `respond SUBJECT --yes` (triage, contain, collect, investigate, eradicate,
 * recover, report) as the security team's responder.
 */
async function respondTo(
  name: string,
  extraArgs: string[] = [],
  setup?: (sim: RunningSim) => void,
): Promise<Played> {
  const sim = await startSim({ port: 0, seed: 7, lookupEventsPerSecond: 200 });
  const { truth, responderCredentials: responder } = await loadScenario(sim, name, { seed: 7 });
  setup?.(sim);
  const created = createdByAttacker(truth);
  const preExisting = new Set([...inventory(sim.state, VICTIM_ACCOUNT)].filter((x) => !created.has(x)));
  const dir = join(root, name);
  const cli = (args: string[]) => runCli(args, { endpoint: sim.endpoint, creds: responder, root });
  const subject = truth.leakedAccessKeyId ?? truth.compromisedUser;
  const responded = await cli(['respond', subject, '--yes', '--case', dir, ...extraArgs]);
  expect(responded.err).not.toMatch(/error:/);
  // 3: some reads were not checked (the simulated account lacks a few of scope's listers).
  expect([0, 3], responded.err).toContain(responded.code);
  return {
    sim,
    truth,
    responder,
    dir,
    preExisting,
    cli,
    writes: () =>
      sim.state
        .accountOrThrow(VICTIM_ACCOUNT)
        .cloudtrail.events.filter((e) => e.readOnly !== true && (e.userAgent ?? '').includes('tourniquet/'))
        .length,
    manifest: () =>
      readFileSync(join(dir, 'evidence', 'manifest.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { path: string }).path),
  };
}

/** The bar of issue 13, for any scenario: clean state, pre-existing intact, case verifies, idempotent. */
async function checkBar(
  p: Played,
  unmetAllowed: (c: { check: string }) => boolean = () => false,
): Promise<EradicateJson> {
  const clean = checkCleanState(p.sim.state, p.truth);
  expect(clean.unmet.filter((c) => !unmetAllowed(c))).toEqual([]);
  const now = inventory(p.sim.state, VICTIM_ACCOUNT);
  expect([...p.preExisting].filter((x) => !now.has(x))).toEqual([]);
  expect((await verifyCase(p.dir)).ok).toBe(true);
  const verified = JSON.parse(
    (await p.cli(['eradicate', '--case', p.dir, '--verify', '--json'])).out,
  ) as EradicateJson;
  expect(['verified', 'nothing-to-do']).toContain(verified.state);
  // A second apply changes nothing: every step a no-op, no write reaches AWS.
  const before = p.writes();
  const again = await p.cli(['eradicate', '--case', p.dir, '--apply', '--json']);
  const second = JSON.parse(again.out) as EradicateJson;
  expect((second.plan?.steps ?? []).filter((s) => !s.noop)).toEqual([]);
  expect(p.writes()).toBe(before);
  return second;
}

describe(
  'respond --yes (scope → eradicate → recover) on every scenario, then the account read back',
  { timeout: 600_000 },
  () => {
    const sims: RunningSim[] = [];
    afterAll(async () => {
      for (const s of sims) await s.stop();
    });

    it('persistence: every backdoor gone, the policy and the role trust back byte for byte, the existing admin and its own key intact', async () => {
      const p = await respondTo('persistence');
      sims.push(p.sim);
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
    });

    it('cryptomining: instances terminated after a snapshot of every volume (ids in the evidence, snapshots in EC2), groups gone', async () => {
      const p = await respondTo('cryptomining');
      sims.push(p.sim);
      await checkBar(p);
      const listed = p
        .manifest()
        .filter((f) => f.endsWith('/snapshots.json'))
        .flatMap(
          (f) =>
            JSON.parse(readFileSync(join(p.dir, 'evidence', f), 'utf8')) as {
              snapshotId: string;
              volumeId: string;
            }[],
        );
      const instances = p.truth.resourcesCreated.filter((r) => r.type === 'AWS::EC2::Instance');
      expect(listed).toHaveLength(instances.length);
      for (const region of [...new Set(instances.map((i) => i.region!))]) {
        const ec2 = new EC2Client({
          region,
          endpoint: p.sim.endpoint,
          credentials: p.responder,
          maxAttempts: 1,
        });
        const snaps =
          (
            await ec2.send(
              new DescribeSnapshotsCommand({
                OwnerIds: ['self'],
                Filters: [{ Name: 'tag-key', Values: ['tourniquet:case'] }],
              }),
            )
          ).Snapshots ?? [];
        for (const s of snaps) expect(listed.map((l) => l.snapshotId)).toContain(s.SnapshotId);
      }
      expect(p.manifest().filter((f) => f.endsWith('/user-data'))).toHaveLength(instances.length);
      const described = await runAws(
        p.sim,
        p.responder,
        [
          'ec2',
          'describe-instances',
          '--instance-ids',
          instances[0]!.id,
          '--query',
          'Reservations[0].Instances[0].State.Name',
          '--output',
          'text',
        ],
        instances[0]!.region,
      );
      expect(described.stdout.trim()).toBe('terminated');
    });

    it('exfiltration: the bucket policy, secret policy and snapshot share are taken back; secrets without rotation are left to a person, by name', async () => {
      const p = await respondTo('exfiltration');
      sims.push(p.sim);
      await checkBar(p, (c) => c.check === 'secretRotated');
      const recover = JSON.parse((await p.cli(['recover', '--case', p.dir, '--json'])).out) as {
        secretsToRotate: { id: string; read: boolean }[];
        manual: string[];
      };
      const read = p.truth.dataTouched.filter((d) => d.kind === 'secret').map((d) => d.resource);
      for (const arn of read)
        expect(
          recover.secretsToRotate
            .map((s) => s.id)
            .some((id) => arn.includes(id.replace(/-[A-Za-z0-9]{6}$/, ''))),
        ).toBe(true);
      expect(recover.secretsToRotate.every((s) => s.read)).toBe(true);
      expect(p.manifest().some((f) => f.endsWith('/bucket-policy.json'))).toBe(true);
      expect(p.manifest().some((f) => f.endsWith('/secret-policy.json'))).toBe(true);
    });

    it('defense-evasion: logging and the narrowed selectors back, GuardDuty back, the hidden-region instances gone', async () => {
      const p = await respondTo('defense-evasion');
      sims.push(p.sim);
      await checkBar(p);
      const trail = Object.values(p.sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.trails).find(
        (t) => t.name === W.trail,
      )!;
      expect(trail.eventSelectors.some((s) => s.DataResources.length > 0)).toBe(true);
    });

    it('role-chain: the sessions in both accounts revoked (through --account-role); nothing to eradicate', async () => {
      const p = await respondTo('role-chain', ['--account-role', 'TourniquetResponder'], (sim) => {
        // The organisation's responder role in the production account, trusted by the responder.
        const prod = sim.state.accountOrThrow(W.prod);
        prod.iam.roles.TourniquetResponder = {
          roleName: 'TourniquetResponder',
          roleId: 'AROARESPONDER0000001',
          arn: `arn:aws:iam::${W.prod}:role/TourniquetResponder`,
          path: '/',
          createDate: sim.state.nowIso(),
          assumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
          maxSessionDuration: 3600,
          tags: [],
          inlinePolicies: {},
          attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        };
      });
      sims.push(p.sim);
      await checkBar(p);
    });

    it('console-takeover: the attacker MFA device and key gone, the admin user intact', async () => {
      const p = await respondTo('console-takeover');
      sims.push(p.sim);
      await checkBar(p);
      expect(p.sim.state.accountOrThrow(VICTIM_ACCOUNT).iam.users[W.adminUser]).toBeDefined();
    });

    it('hostile-strings: names carrying markup and escapes are removed without reaching a path or a terminal', async () => {
      const p = await respondTo('hostile-strings');
      sims.push(p.sim);
      await checkBar(p);
      expect(p.manifest().every((f) => /^[\w./@+=,-]+$/.test(f))).toBe(true);
    });

    it('quiet: nothing to eradicate, nothing changed', async () => {
      const p = await respondTo('quiet');
      sims.push(p.sim);
      const second = await checkBar(p);
      expect(second.state).toBe('nothing-to-do');
      expect(existsSync(join(p.dir, 'evidence', 'plans', 'eradicate-1.json'))).toBe(false);
    });
  },
);
