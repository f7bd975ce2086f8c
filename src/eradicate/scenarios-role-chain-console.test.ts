import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { demoRuns, describeDemo } from '../cli/commands/test-support/demo.js';
import type { ScopeDocument } from '../scope/types.js';
import { VICTIM_ACCOUNT } from '../sim/index.js';
import { W } from '../sim/scenarios/world.js';
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

eradicationBar(() => {
  it('role-chain: the sessions in both accounts revoked (the demo enters the production account through the organisation access role); nothing to eradicate', async () => {
    const d = demos.get('role-chain');
    const p = await fromDemo(d);
    await checkBar(p);
    // Containment acted in the production account too, through the role.
    expect(readFileSync(join(d.dir, 'journal.jsonl'), 'utf8')).toContain(`arn:aws:iam::${W.prod}:`);
  });

  it('console-takeover: the attacker MFA device and key gone, the admin user intact', async () => {
    const p = await fromDemo(demos.get('console-takeover'));
    await checkBar(p);
    expect(p.sim.state.accountOrThrow(VICTIM_ACCOUNT).iam.users[W.adminUser]).toBeDefined();
  });
});
