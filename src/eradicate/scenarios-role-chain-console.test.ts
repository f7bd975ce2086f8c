import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { demoRuns, describeDemo } from '../cli/commands/test-support/demo.js';
import type { ScopeDocument } from '../scope/types.js';
import { STORE_FILE, openEventStore } from '../store/store.js';
import type { CoverageEntry } from '../trail/coverage.js';
import { VICTIM_ACCOUNT } from '../sim/index.js';
import { W } from '../sim/scenarios/world.js';
import { ORG_ACCESS_ROLE } from '../cli/commands/demo-run.js';
import { checkBar, eradicationBar, fromDemo } from './test-support/bar.js';

// One `tourniquet demo` run per scenario feeds the demo's checks and the eradication bar.
const demos = demoRuns(['role-chain', 'console-takeover']);
for (const name of ['role-chain', 'console-takeover']) describeDemo(name, demos);

it('role-chain: scope names the user a GetSessionToken session acts as, and sees containment already cut it off', () => {
  const d = demos.get('role-chain');
  const scope = JSON.parse(readFileSync(join(d.dir, 'scope.json'), 'utf8')) as ScopeDocument;
  const tokens = scope.persistence.filter((p) => p.kind === 'session-token');
  expect(tokens.length).toBeGreaterThan(0);
  for (const token of tokens) {
    expect(token.owner).toBe(`arn:aws:iam::${W.account}:user/${W.devUser}`);
    expect(token.why).not.toContain('acting as unknown');
    expect(token.cutOffBy).toMatch(/revoke-sessions|deny-all/);
    expect(token.risk).toBe('low');
  }
});

it("role-chain: collection entered the production account through the role and stored the session's calls there", async () => {
  const d = demos.get('role-chain');
  const ledger = JSON.parse(readFileSync(join(d.dir, 'coverage.json'), 'utf8')) as {
    entries: CoverageEntry[];
  };
  const there = ledger.entries.filter(
    (e) => e.source === 'LookupEvents' && e.scope.startsWith(`account ${W.prod} `),
  );
  expect(there.length).toBeGreaterThan(0);
  expect(there.filter((e) => e.status !== 'complete')).toEqual([]);
  // No line saying the production account's CloudTrail was left out.
  expect(ledger.entries.filter((e) => e.scope === 'derived sessions')).toEqual([]);
  const store = await openEventStore(join(d.dir, STORE_FILE), { readOnly: true });
  try {
    const rows = await store.query<{ who: string }>(
      `SELECT DISTINCT useridentity.arn AS who FROM cloudtrail_events WHERE recipientaccountid = ?`,
      [W.prod],
    );
    expect(rows.map((r) => r.who)).toEqual([
      expect.stringMatching(new RegExp(`^arn:aws:sts::${W.prod}:assumed-role/${W.prodRole}/`)) as unknown,
    ]);
  } finally {
    store.close();
  }
  expect(readFileSync(join(d.dir, 'report.md'), 'utf8')).toContain(`account ${W.prod} Username=`);
});

it("role-chain: scope read the production account's IAM through the role, so the session there has a known reach", () => {
  const d = demos.get('role-chain');
  const scope = JSON.parse(readFileSync(join(d.dir, 'scope.json'), 'utf8')) as ScopeDocument;
  expect(scope.coverage.filter((c) => c.lister === `iam.other-account ${W.prod}`)).toEqual([
    expect.objectContaining({ status: 'complete' }) as unknown,
  ]);
  const notChecked = scope.blastRadius?.notChecked ?? [];
  expect(notChecked.filter((n) => n.includes(W.prod))).toEqual([]);
  // The SCPs over the member were read by the management account (a member may not read them).
  expect(scope.blastRadius?.organization).toEqual([
    { account: W.account, status: 'read' },
    { account: W.prod, status: 'read' },
  ]);
});

it("role-chain: the organisation trail's bucket in the log-archive account was read in place beside the account's own trail", () => {
  const d = demos.get('role-chain');
  const ledger = JSON.parse(readFileSync(join(d.dir, 'coverage.json'), 'utf8')) as {
    entries: CoverageEntry[];
  };
  const archive = ledger.entries.filter((e) => e.source === `s3://${W.orgTrailBucket}/`);
  expect(archive.length).toBeGreaterThan(0);
  expect(archive.filter((e) => e.status !== 'complete')).toEqual([]);
});

eradicationBar(() => {
  it("role-chain: the sessions in both accounts revoked and the attacker's user in production removed there (the demo enters it through the organisation access role)", async () => {
    const d = demos.get('role-chain');
    const p = await fromDemo(d);
    await checkBar(p, undefined, ['--account-role', ORG_ACCESS_ROLE]);
    // Containment acted in the production account too, through the role.
    expect(readFileSync(join(d.dir, 'journal.jsonl'), 'utf8')).toContain(`arn:aws:iam::${W.prod}:`);
    // Scope swept production (IAM, and the regions the session acted in) and named the user there.
    const scope = JSON.parse(readFileSync(join(d.dir, 'scope.json'), 'utf8')) as ScopeDocument;
    const user = scope.inventory.find(
      (i) => i.account === W.prod && i.type === 'AWS::IAM::User' && i.id === 'svc-replication',
    );
    expect(user?.attribution).toMatchObject({ origin: 'attacker', how: 'created' });
    expect(scope.coverage.filter((c) => c.lister.endsWith(` ${W.prod}`) && c.status !== 'complete')).toEqual(
      [],
    );
    // The plan removed it in production, and the journal says which account each step ran in.
    const steps = readFileSync(join(d.dir, 'journal.jsonl'), 'utf8')
      .trimEnd()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            kind: string;
            data: { steps?: { action: string; account: string; params: Record<string, string> }[] };
          },
      )
      .filter((e) => e.kind === 'plan.created')
      .flatMap((e) => e.data.steps ?? []);
    expect(steps).toContainEqual(
      expect.objectContaining({
        action: 'delete-iam-user',
        account: W.prod,
        params: expect.objectContaining({ userName: 'svc-replication' }) as unknown,
      }),
    );
    // Without the role, the item is a line to act on by hand, not a failure.
    const without = JSON.parse((await p.cli(['eradicate', '--case', d.dir, '--plan', '--json'])).out) as {
      manual: string[];
    };
    expect(without.manual.join('\n')).toMatch(
      /@222233334444: in account 222233334444, where the responder acts only through --account-role NAME/,
    );
  });

  it('console-takeover: the attacker MFA device and key gone, the admin user intact', async () => {
    const p = await fromDemo(demos.get('console-takeover'));
    await checkBar(p);
    expect(p.sim.state.accountOrThrow(VICTIM_ACCOUNT).iam.users[W.adminUser]).toBeDefined();
  });
});
