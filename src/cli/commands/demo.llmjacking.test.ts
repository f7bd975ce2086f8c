import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScopeDocument } from '../../scope/types.js';
import { checkCleanState } from '../../sim/scenarios/index.js';
import { bedrockState } from '../../sim/services/bedrock/index.js';
import { SimState, VICTIM_ACCOUNT } from '../../sim/index.js';
import { demoOnce } from '../../test-support/demo-once.js';
import { followCampaignStep } from './test-support/campaign-step.js';
import { expectOnePageBriefing } from '../../report/test-support/print.js';
import { STATE_FILE } from './demo-run.js';

/**
 * `tourniquet demo --scenario llmjacking` once (the scenario, then `respond KEY --yes`): the
 * campaign named, the model calls' cost bounded, invocation logging put back as it was. (The
 * shared demo test leaves this scenario to this file: one demo run, not two.)
 */
describe('tourniquet demo --scenario llmjacking', { timeout: 600_000 }, () => {
  const d = demoOnce('llmjacking');

  it('names the campaign, its regions and addresses, and a cost bound that holds the truth', () => {
    expect(d.out).toMatch(/Campaign\s+LLMjacking/);
    for (const region of new Set(d.truth.attackerEvents.map((e) => e.region)))
      expect(d.out).toContain(region);
    for (const ip of d.truth.attacker.ips) expect(d.out).toContain(ip);
    const m = /220 Bedrock model calls between \$([\d,.]+) and \$([\d,.]+)/.exec(d.out);
    expect(m, d.out).not.toBeNull();
    const [low, high] = [m![1]!, m![2]!].map((x) => Number(x.replace(/,/g, '')));
    const models = d.truth.cost.models.reduce((s, x) => s + x.usd, 0);
    expect(low).toBeLessThanOrEqual(models);
    expect(high).toBeGreaterThanOrEqual(models);
  });

  it('scope reports the deleted logging as the attacker’s; eradication wrote the account’s own configuration back', () => {
    const scope = JSON.parse(readFileSync(join(d.dir, 'scope.json'), 'utf8')) as ScopeDocument;
    const change = scope.persistence.find((p) => p.kind === 'logging-change' && p.region === 'us-east-1');
    expect(change).toMatchObject({ attribution: 'attacker' });
    expect(change!.name).toContain('model-invocation-logging');
    const deletion = d.truth.attackerEvents.find(
      (e) => e.eventName === 'DeleteModelInvocationLoggingConfiguration',
    )!;
    expect(change!.eventIds).toContain(deletion.eventId);
    // The account after the response, as the demo saved it: the set-up's configuration of ten days
    // before (read from Event history), the leaked key off — every clean check of the truth met.
    const state = SimState.load(join(d.dir, STATE_FILE));
    expect(bedrockState(state, VICTIM_ACCOUNT).logging['us-east-1']).toEqual({
      s3Config: { bucketName: 'acme-bedrock-logs', keyPrefix: 'invocations' },
      textDataDeliveryEnabled: true,
    });
    expect(checkCleanState(state, d.truth).unmet).toEqual([]);
  });

  it('names LLMjacking in one line of the executive briefing, with the bounded cost; the briefing prints on one A4 page', async () => {
    const briefing = await d.run(['report', '--case', d.dir, '--kind', 'executive']);
    expect(briefing.code, briefing.err).toBe(0);
    // One line names the campaign (the rule's finding may name it too, among the findings).
    const lines = briefing.out.split('\n').filter((l) => l.includes('LLMjacking: the stolen key'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Amazon Bedrock models on the account’s bill');
    expect(briefing.out).toMatch(/220 Bedrock model call\(s\) costing between/);
    // …and printed, the briefing is one A4 page.
    const html = await d.run(['report', '--case', d.dir, '--kind', 'executive', '--format', 'html']);
    await expectOnePageBriefing(html.out);
  });

  // Last: it adds the campaign's containment to the demo's case.
  it('suggests the campaign’s containment as a next step; run as written it applies, and is no longer suggested', async () => {
    const { suggested, applied, after } = await followCampaignStep(d, 'llmjacking');
    expect(suggested).toEqual(['contain', '--campaign', 'llmjacking', '--apply']);
    expect(applied).toMatch(/user-deny-bedrock/);
    expect(after.filter((s) => s.includes('--campaign'))).toEqual([]);
  });
});
