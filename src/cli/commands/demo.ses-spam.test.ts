import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SimState, VICTIM_ACCOUNT } from '../../sim/index.js';
import { checkCleanState } from '../../sim/scenarios/index.js';
import { sesState } from '../../sim/services/ses/model.js';
import { describe, expect, it } from 'vitest';
import { demoOnce } from '../../test-support/demo-once.js';
import { followCampaignStep } from './test-support/campaign-step.js';
import { expectOnePageBriefing } from '../../report/test-support/print.js';
import { demoCaseSecrets } from '../../test-support/secrets.js';
import { STATE_FILE } from './demo-run.js';

/**
 * `tourniquet demo --scenario ses-spam` once (the scenario, then `respond KEY --yes`): the campaign
 * named, its regions and address, the mail said to be outside CloudTrail with where to count it.
 * (The shared demo test leaves this scenario to this file: one demo run.)
 */
describe('tourniquet demo --scenario ses-spam', { timeout: 600_000 }, () => {
  const d = demoOnce('ses-spam');

  it('names the campaign, its regions and address, and where the uncounted mail is', () => {
    expect(d.out).toMatch(/Campaign\s+SES spam/);
    for (const region of new Set(d.truth.attackerEvents.map((e) => e.region)))
      expect(d.out).toContain(region);
    for (const ip of d.truth.attacker.ips) expect(d.out).toContain(ip);
    // No send is in CloudTrail, so no figure is made up: the estimate says so and where to read it.
    expect(d.out).toContain(
      'sends are not in CloudTrail, read the sending statistics ($0.10 per 1,000 messages)',
    );
    expect(d.truth.cost.email[0]).toMatchObject({ region: 'us-east-1', messages: 20_000 });
    expect(d.out).toMatch(/Cost\s+\$2\.00 \(20000 mails from us-east-1\)/);
    // The estimate, from SES's own sending statistics, matches the truth's 20,000 mails.
    expect(d.out).toMatch(/\$2\.00 for 20000 messages \(us-east-1 20000/);
  });

  it('names the campaign in one line of the executive briefing, which prints on one A4 page', async () => {
    const briefing = await d.run(['report', '--case', d.dir, '--kind', 'executive']);
    expect(briefing.code, briefing.err).toBe(0);
    const lines = briefing.out.split('\n').filter((l) => l.includes('SES spam: the stolen key'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('spam and phishing relay');
    // …and printed, the briefing is one A4 page.
    const html = await d.run(['report', '--case', d.dir, '--kind', 'executive', '--format', 'html']);
    await expectOnePageBriefing(html.out);
  });
  it('eradication deleted the attacker’s identities, kept the company’s, and left sending as it was', () => {
    const state = SimState.load(join(d.dir, STATE_FILE));
    const ses = sesState(state, VICTIM_ACCOUNT).regions['us-east-1']!;
    expect(Object.keys(ses.identities)).toEqual(['acme.example']);
    expect(ses.sendingEnabled).toBe(true);
    const kept = readdirSync(join(d.dir, 'evidence'), { recursive: true }).map(String);
    expect(kept.filter((f) => f.endsWith('ses-identity.json'))).toHaveLength(2);
    expect(checkCleanState(state, d.truth).unmet).toEqual([]);
  });

  it('keeps no secret key, password or session token of the account in any file of the case', () => {
    const { secrets, leaks } = demoCaseSecrets(d.dir);
    expect(secrets.size).toBeGreaterThanOrEqual(2);
    expect(leaks).toEqual([]);
    for (const s of secrets) expect(d.out.includes(s)).toBe(false);
  });

  // Last: it adds the campaign's containment to the demo's case.
  it('suggests pausing SES where the campaign ran; run as written it applies, and is no longer suggested', async () => {
    const { suggested, applied, after } = await followCampaignStep(d, 'ses-spam');
    const regions = suggested.filter((_, i) => suggested[i - 1] === '--campaign-region');
    // Where the mail went out (the sending statistics' region) is among them.
    expect(regions).toContain(d.truth.cost.email[0]!.region);
    expect(regions.every((r) => d.truth.attackerEvents.some((e) => e.region === r))).toBe(true);
    expect(applied).toMatch(/pause-ses-sending/);
    expect(after.filter((s) => s.includes('--campaign'))).toEqual([]);
  });
});
