import { join } from 'node:path';
import { SimState, VICTIM_ACCOUNT } from '../../sim/index.js';
import { checkCleanState } from '../../sim/scenarios/index.js';
import { smsAttributes } from '../../sim/services/sns/sms.js';
import { describe, expect, it } from 'vitest';
import { demoOnce } from '../../test-support/demo-once.js';
import { followCampaignStep } from './test-support/campaign-step.js';
import { expectOnePageBriefing } from '../../report/test-support/print.js';
import { demoCaseSecrets } from '../../test-support/secrets.js';
import { STATE_FILE } from './demo-run.js';

/**
 * `tourniquet demo --scenario sms-pumping` once (the scenario, then `respond KEY --yes`): the campaign
 * named, its regions and address, the texts' cost bounded by the spend limits the attacker set.
 * (The shared demo test leaves this scenario to this file: one demo run.)
 */
describe('tourniquet demo --scenario sms-pumping', { timeout: 600_000 }, () => {
  const d = demoOnce('sms-pumping');

  it('names the campaign, its regions and address, and a cost bound that holds the truth', () => {
    expect(d.out).toMatch(/Campaign\s+SMS pumping/);
    for (const region of new Set(d.truth.attackerEvents.map((e) => e.region)))
      expect(d.out).toContain(region);
    for (const ip of d.truth.attacker.ips) expect(d.out).toContain(ip);
    const m =
      /SMS between \$([\d.]+) and \$([\d.]+) \(0 texts in the case; monthly limits the attacker set: us-east-1 \$2000, eu-west-1 \$2000/.exec(
        d.out,
      );
    expect(m, d.out).not.toBeNull();
    const texts = d.truth.cost.sms.reduce((s, x) => s + x.usd, 0);
    expect(texts).toBeGreaterThan(90);
    expect(Number(m![1])).toBeLessThanOrEqual(texts);
    expect(Number(m![2])).toBeGreaterThanOrEqual(texts);
  });

  it('names the campaign in one line of the executive briefing, which prints on one A4 page', async () => {
    const briefing = await d.run(['report', '--case', d.dir, '--kind', 'executive']);
    expect(briefing.code, briefing.err).toBe(0);
    const lines = briefing.out.split('\n').filter((l) => l.includes('SMS pumping: the stolen key'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('premium-rate numbers');
    // …and printed, the briefing is one A4 page.
    const html = await d.run(['report', '--case', d.dir, '--kind', 'executive', '--format', 'html']);
    await expectOnePageBriefing(html.out);
  });
  it('eradication put the owner’s spend limits back, read from Event history', () => {
    const state = SimState.load(join(d.dir, STATE_FILE));
    expect(smsAttributes(state, VICTIM_ACCOUNT, 'us-east-1').MonthlySpendLimit).toBe('100');
    expect(smsAttributes(state, VICTIM_ACCOUNT, 'eu-west-1').MonthlySpendLimit).toBe('20');
    expect(checkCleanState(state, d.truth).unmet).toEqual([]);
  });

  it('keeps no secret key, password or session token of the account in any file of the case', () => {
    const { secrets, leaks } = demoCaseSecrets(d.dir);
    expect(secrets.size).toBeGreaterThanOrEqual(2);
    expect(leaks).toEqual([]);
    for (const s of secrets) expect(d.out.includes(s)).toBe(false);
  });

  // Last: it adds the campaign's containment to the demo's case.
  it('suggests lowering the SMS spend limit where the attacker raised it; run as written it applies, and is no longer suggested', async () => {
    const { suggested, applied, after } = await followCampaignStep(d, 'sms-pumping');
    const regions = suggested.filter((_, i) => suggested[i - 1] === '--campaign-region');
    expect(regions).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1']));
    expect(applied).toMatch(/lower-sms-spend-limit/);
    expect(after.filter((s) => s.includes('--campaign'))).toEqual([]);
  });
});
