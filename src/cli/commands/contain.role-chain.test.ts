import { join } from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateRoleCommand, AttachRolePolicyCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { withoutJournalHead } from '../../test-support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../sim/index.js';
import { checkCleanState } from '../../sim/scenarios/clean.js';
import { loadScenario, type LoadedScenario } from '../../sim/scenarios/index.js';
import { PROD_ACCOUNT, W } from '../../sim/scenarios/world.js';
import type { CoverageEntry } from '../../trail/coverage.js';
import type { TriageReport } from '../../triage/report.js';
import { ADMIN, cli, iam, outcome, recordedErrors, sts, tempDir, type Creds } from './contain.fixture.js';

// The role-chain scenario of the simulated account (issue 7): weeks of baseline, then the leaked
// key → deploy role → production account role, plus federation and session tokens.
let sim: RunningSim;
let loaded: LoadedScenario;
let responder: Creds;
let prodAdmin: Creds;
beforeAll(async () => {
  // LookupEvents' pace is not what these tests are about (collect follows sessions in 17 regions).
  sim = await startSim({ seed: 21, lookupEventsPerSecond: 10_000 });
  loaded = await loadScenario(sim, 'role-chain', { seed: 21 });
  responder = {
    accessKeyId: loaded.responderCredentials.accessKeyId,
    secretAccessKey: loaded.responderCredentials.secretAccessKey,
  };
  // Fixture: the production account lets the security team in through a role, as organisations do.
  const key = Object.values(sim.state.accountOrThrow(PROD_ACCOUNT).iam.accessKeys).find(
    (k) => k.userName === 'prod-admin',
  )!;
  prodAdmin = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  const me = await sts(sim.endpoint, responder).send(new GetCallerIdentityCommand({}));
  const client = iam(sim.endpoint, prodAdmin);
  await client.send(
    new CreateRoleCommand({
      RoleName: 'SecurityResponder',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: me.Arn }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await client.send(new AttachRolePolicyCommand({ RoleName: 'SecurityResponder', PolicyArn: ADMIN }));
}, 120_000);
afterAll(async () => {
  await sim.stop();
});

describe('contain on the role-chain scenario', () => {
  it('refuses the leaked key and every session derived from it, in both accounts; the responder still works', async () => {
    const cwd = tempDir();
    const caseDir = join(cwd, 'case');
    const leaked = loaded.truth.leakedAccessKeyId!;
    expect((await cli(['triage', leaked, '--case', caseDir], sim.endpoint, responder, cwd)).code).toBe(0);
    const run = await cli(
      ['contain', '--case', caseDir, '--apply', '--account-role', 'SecurityResponder', '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    expect(withoutJournalHead(run.err)).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.out) as {
      state: string;
      plan: { steps: { id: string }[] };
      lineage: { accessKeyId: string }[];
    };
    expect(result.state).toBe('contained');
    // The key the attacker made for its user in production is minted by the compromise too.
    const backdoor = Object.values(sim.state.accountOrThrow(PROD_ACCOUNT).iam.accessKeys).find(
      (k) => k.userName === 'svc-replication',
    )!;
    expect(result.plan.steps.map((s) => s.id)).toEqual([
      `deactivate-access-key:${W.account}:${leaked}`,
      `user-deny-all:${W.account}:arn:aws:iam::${W.account}:user/${W.devUser}`,
      `user-revoke-sessions:${W.account}:arn:aws:iam::${W.account}:user/${W.devUser}`,
      `deactivate-access-key:${PROD_ACCOUNT}:${backdoor.accessKeyId}`,
      `role-revoke-sessions:${W.account}:arn:aws:iam::${W.account}:role/${W.deployRole}`,
      `role-revoke-sessions:${PROD_ACCOUNT}:arn:aws:iam::${PROD_ACCOUNT}:role/${W.prodRole}`,
    ]);
    // Every attacker session is found; the key's legitimate CI sessions of the last 36 h too, and
    // they are contained with it (any session minted from a leaked key is suspect).
    expect(result.lineage.map((l) => l.accessKeyId)).toEqual(
      expect.arrayContaining(loaded.truth.derivedSessions.map((s) => s.accessKeyId)),
    );

    // The attacker replays with everything it holds.
    expect(
      await outcome(() =>
        sts(sim.endpoint, loaded.leakedCredentials!).send(new GetCallerIdentityCommand({})),
      ),
    ).toBe('InvalidClientTokenId');
    for (const session of loaded.truth.derivedSessions) {
      const creds = loaded.attackerSessions[session.accessKeyId]!;
      const s3 = new S3Client({
        region: 'us-east-1',
        endpoint: sim.endpoint,
        credentials: creds,
        forcePathStyle: true,
        maxAttempts: 1,
      });
      expect([session.kind, await outcome(() => s3.send(new ListBucketsCommand({})))]).toEqual([
        session.kind,
        'AccessDenied',
      ]);
      const reader = session.accountId === PROD_ACCOUNT ? prodAdmin : responder;
      expect((await recordedErrors(sim.endpoint, reader, session.accessKeyId))[0]).toBe('AccessDenied');
    }
    expect(
      await outcome(() =>
        sts(sim.endpoint, {
          accessKeyId: backdoor.accessKeyId,
          secretAccessKey: backdoor.secretAccessKey,
        }).send(new GetCallerIdentityCommand({})),
      ),
    ).toBe('InvalidClientTokenId');
    // The user itself is eradication's to remove.
    expect(checkCleanState(sim.state, loaded.truth).unmet).toEqual([
      { check: 'userAbsent', userName: 'svc-replication', account: PROD_ACCOUNT },
    ]);
    expect(await outcome(() => iam(sim.endpoint, responder).send(new ListUsersCommand({})))).toBe('ok');
    expect((await cli(['case', 'verify', '--case', caseDir], sim.endpoint, responder, cwd)).code).toBe(0);
  });
});

describe('collect on the role-chain scenario', () => {
  it("looks the sessions that crossed into production up in that account's LookupEvents through --account-role", async () => {
    const cwd = tempDir();
    const caseDir = join(cwd, 'case');
    const leaked = loaded.truth.leakedAccessKeyId!;
    expect((await cli(['triage', leaked, '--case', caseDir], sim.endpoint, responder, cwd)).code).toBe(0);
    const since = new Date(Date.parse(loaded.truth.attackStart!) - 3_600_000).toISOString();
    const collect = (more: string[]) =>
      cli(['collect', '--case', caseDir, '--since', since, '--json', ...more], sim.endpoint, responder, cwd);
    const entries = (out: string) => (JSON.parse(out) as { coverage: CoverageEntry[] }).coverage;
    // Following without the role, the production account's lookups are a gap that names the way out.
    const without = await collect(['--follow']);
    expect(without.code).toBe(3);
    expect(
      entries(without.out)
        .filter((e) => e.status !== 'complete')
        .map((e) => e.reason),
    ).toEqual([expect.stringMatching(/--account-role/)]);
    const run = await collect(['--account-role', 'SecurityResponder']);
    expect(run.code, run.err).toBe(0);
    const there = entries(run.out).filter((e) => e.scope.startsWith(`account ${PROD_ACCOUNT} `));
    expect(there.length).toBeGreaterThan(0);
    expect(there.every((e) => e.status === 'complete')).toBe(true);
    expect(there.reduce((n, e) => n + e.records, 0)).toBeGreaterThan(0);
  }, 120_000);
});

describe('triage of a key of the production account', () => {
  it('checks it there through --account-role; without the role, says what was not checked and how to check it', async () => {
    const cwd = tempDir();
    const without = await cli(
      ['triage', prodAdmin.accessKeyId, '--case', join(cwd, 'a'), '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    expect(without.code).toBe(3);
    const plain = JSON.parse(without.out) as { triage: TriageReport };
    expect(plain.triage.foreignAccount).toBe(PROD_ACCOUNT);
    expect(plain.triage.admin).toBeNull();
    expect(plain.triage.notChecked).toContainEqual(
      expect.stringMatching(/account 222233334444.*--account-role NAME/),
    );
    const run = await cli(
      [
        'triage',
        prodAdmin.accessKeyId,
        '--case',
        join(cwd, 'b'),
        '--account-role',
        'SecurityResponder',
        '--json',
      ],
      sim.endpoint,
      responder,
      cwd,
    );
    const doc = JSON.parse(run.out) as { triage: TriageReport; case: { account?: string } };
    expect(doc.triage.checkedThrough).toBe(`arn:aws:iam::${PROD_ACCOUNT}:role/SecurityResponder`);
    expect(doc.triage.resolved.user?.name).toBe('prod-admin');
    expect(doc.triage.admin).not.toBeNull();
    expect(doc.triage.notChecked.filter((n) => n.startsWith('everything but'))).toEqual([]);
    expect(doc.case.account).toBe(PROD_ACCOUNT);
    expect(run.err).toContain(`checked through arn:aws:iam::${PROD_ACCOUNT}:role/SecurityResponder`);
  }, 60_000);
});
