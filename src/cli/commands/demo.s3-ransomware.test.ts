import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimState, VICTIM_ACCOUNT } from '../../sim/index.js';
import {
  ARCHIVE,
  ARCHIVE_OBJECTS,
  ARCHIVE_RULE,
  RANSOM_NOTE,
} from '../../sim/scenarios/catalog/s3-ransomware.js';
import { checkCleanState } from '../../sim/scenarios/index.js';
import { W } from '../../sim/scenarios/world.js';
import type { S3AccountState, S3Object } from '../../sim/services/s3/model.js';
import { demoOnce } from '../../test-support/demo-once.js';
import { followCampaignStep } from './test-support/campaign-step.js';
import { expectOnePageBriefing } from '../../report/test-support/print.js';
import { STATE_FILE } from './demo-run.js';

/**
 * `tourniquet demo --scenario s3-ransomware` once: the campaign named from the trail's data
 * events and the lifecycle calls, its region and address, and one line of the executive briefing.
 * (The shared demo test leaves this scenario to this file: one demo run, not two.)
 */
describe('tourniquet demo --scenario s3-ransomware', { timeout: 600_000 }, () => {
  const d = demoOnce('s3-ransomware');

  it('names the campaign, its region and address; the findings hold the re-encryption and the expiry', () => {
    expect(d.out).toMatch(/Campaign\s+S3 ransomware/);
    for (const region of new Set(d.truth.attackerEvents.map((e) => e.region)))
      expect(d.out).toContain(region);
    for (const ip of d.truth.attacker.ips) expect(d.out).toContain(ip);
    const facts = JSON.parse(readFileSync(join(d.dir, 'facts.json'), 'utf8')) as {
      findingsByCategory: { findings: { ruleId: string; eventIds: string[] }[] }[];
      campaigns: { name: string }[];
      cost: { totalUsd: number };
    };
    expect(facts.campaigns.map((c) => c.name)).toEqual(['S3 ransomware']);
    // The campaign spends nothing billable (the harm is the data): the estimate is the truth's.
    expect(facts.cost.totalUsd).toBeCloseTo(d.truth.cost.usd, 2);
    const findings = facts.findingsByCategory.flatMap((c) => c.findings);
    const events = (rule: string) => findings.find((f) => f.ruleId === rule)?.eventIds.length;
    // The trail selects the customer data's objects only: its 4 copies and 1 note are seen, the
    // archive's 5 copies and note are not (coverage of the re-encryption is partial).
    expect(events('s3-customer-key-encryption')).toBe(4);
    expect(events('s3-ransom-note')).toBe(1);
    expect(events('s3-ransomware-campaign')).toBeGreaterThanOrEqual(6);
  });

  it('eradication: versioned objects back byte for byte, the expiry rules and the notes gone, the lost keys named', () => {
    // The account as the demo saved it after respond --yes: every clean check of the truth met.
    const state = SimState.load(join(d.dir, STATE_FILE));
    expect(checkCleanState(state, d.truth).unmet).toEqual([]);
    const s3 = state.accountOrThrow(VICTIM_ACCOUNT).services.s3 as S3AccountState;
    const customer = s3.buckets[W.customerData]!;
    for (const key of W.customerObjects) {
      const now = customer.objects[key]!;
      // The oldest version is the owner's upload, before versioning and the attack.
      const original = customer.versions![key]!.at(-1) as S3Object;
      expect(now.sseC).toBeUndefined();
      expect(Buffer.from(now.body, 'base64').equals(Buffer.from(original.body, 'base64'))).toBe(true);
    }
    expect(customer.configs?.LifecycleConfiguration).toBeUndefined();
    const archive = s3.buckets[ARCHIVE]!;
    expect(JSON.stringify(archive.configs?.LifecycleConfiguration)).toContain(ARCHIVE_RULE);
    expect(JSON.stringify(archive.configs?.LifecycleConfiguration)).not.toContain('cleanup');
    for (const b of [customer, archive]) expect(b.objects[RANSOM_NOTE]).toBeUndefined();
    // The archive has no versions: its objects stay encrypted, and a person is told which.
    for (const key of ARCHIVE_OBJECTS) expect(archive.objects[key]!.sseC).toBeDefined();
    const lostKeys = d.out.split('\n').find((l) => l.includes(`of ${ARCHIVE} encrypted with a customer key`));
    expect(lostKeys, d.out).toBeDefined();
    for (const key of ARCHIVE_OBJECTS) expect(lostKeys).toContain(key);
    // The notes' bytes and the version listing are in the case's evidence before anything changed.
    const manifest = readFileSync(join(d.dir, 'evidence', 'manifest.jsonl'), 'utf8');
    expect(manifest.match(new RegExp(`object-${RANSOM_NOTE.replace(/\./g, '\\.')}`, 'g'))).toHaveLength(2);
    expect(manifest).toContain('object-versions.json');
    expect(manifest.match(/bucket-lifecycle\.json/g)).toHaveLength(2);
  });

  it('names S3 ransomware in one line of the executive briefing, which prints on one A4 page', async () => {
    const briefing = await d.run(['report', '--case', d.dir, '--kind', 'executive']);
    expect(briefing.code, briefing.err).toBe(0);
    const lines = briefing.out.split('\n').filter((l) => l.includes('S3 ransomware: the stolen key'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('SSE-C');
    // …and printed, the briefing is one A4 page.
    const html = await d.run(['report', '--case', d.dir, '--kind', 'executive', '--format', 'html']);
    await expectOnePageBriefing(html.out);
  });

  // Last: it adds the campaign's containment to the demo's case.
  it('suggests refusing SSE-C on the buckets the attacker encrypted; run as written it applies, and is no longer suggested', async () => {
    const { suggested, applied, after } = await followCampaignStep(d, 's3-ransomware');
    const buckets = suggested.filter((_, i) => suggested[i - 1] === '--bucket');
    // The trail's data events show the customer data's re-encryption (the archive's are not selected).
    expect(buckets).toEqual([W.customerData]);
    expect(applied).toMatch(/refuse-sse-c/);
    expect(after.filter((s) => s.includes('--campaign'))).toEqual([]);
  });
});
