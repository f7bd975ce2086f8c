import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Facts } from '../../../report/index.js';
import { bedFromDemo } from '../../../scope/test-support/respond.js';
import type { DemoOnce } from '../../../test-support/demo-once.js';

/**
 * A campaign demo's next step "contain the campaign", followed as a responder would: the command
 * the report suggests is run as written (against the account the demo left, served again), must
 * apply and read back, and the report then no longer suggests it.
 */
export async function followCampaignStep(
  d: DemoOnce,
  campaign: string,
): Promise<{ suggested: string[]; applied: string; after: string[] }> {
  const facts = JSON.parse(readFileSync(join(d.dir, 'facts.json'), 'utf8')) as Facts;
  const step = facts.nextSteps.find((s) => s.includes(`tourniquet contain --campaign ${campaign} `));
  expect(step, facts.nextSteps.join('\n')).toBeDefined();
  const command = /tourniquet (contain [^(]+?) \(/.exec(step!)?.[1];
  expect(command, step).toBeDefined();
  const suggested = command!.split(' ');
  const bed = await bedFromDemo(d);
  try {
    const contain = await bed.cli([...suggested, '--case', d.dir]);
    expect(contain.code, contain.err).toBe(0);
    const report = await bed.cli(['report', '--case', d.dir, '--format', 'json']);
    expect(report.code, report.err).toBe(0);
    return { suggested, applied: contain.out, after: (JSON.parse(report.out) as Facts).nextSteps };
  } finally {
    await bed.sim.stop();
  }
}
