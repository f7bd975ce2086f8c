import { expect, it } from 'vitest';
import { VICTIM_ACCOUNT } from '../sim/index.js';
import { W } from '../sim/scenarios/world.js';
import { demoRuns, describeDemo } from '../cli/commands/test-support/demo.js';
import { checkBar, eradicationBar, fromDemo } from './test-support/bar.js';

// One `tourniquet demo` run per scenario feeds the demo's checks and the eradication bar.
const demos = demoRuns(['exfiltration', 'defense-evasion']);
for (const name of ['exfiltration', 'defense-evasion']) describeDemo(name, demos);

eradicationBar(() => {
  it('exfiltration: the bucket policy, secret policy and snapshot share are taken back; secrets without rotation are left to a person, by name', async () => {
    const p = await fromDemo(demos.get('exfiltration'));
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
    const p = await fromDemo(demos.get('defense-evasion'));
    await checkBar(p);
    const trail = Object.values(p.sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.trails).find(
      (t) => t.name === W.trail,
    )!;
    expect(trail.eventSelectors.some((s) => s.DataResources.length > 0)).toBe(true);
  });
});
