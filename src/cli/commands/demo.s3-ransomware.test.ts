import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoOnce } from '../../test-support/demo-once.js';

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
    };
    expect(facts.campaigns.map((c) => c.name)).toEqual(['S3 ransomware']);
    const findings = facts.findingsByCategory.flatMap((c) => c.findings);
    const events = (rule: string) => findings.find((f) => f.ruleId === rule)?.eventIds.length;
    // The trail selects the customer data's objects only: its 4 copies and 1 note are seen, the
    // archive's 5 copies and note are not (coverage of the re-encryption is partial).
    expect(events('s3-customer-key-encryption')).toBe(4);
    expect(events('s3-ransom-note')).toBe(1);
    expect(events('s3-ransomware-campaign')).toBeGreaterThanOrEqual(6);
  });

  it('names S3 ransomware in one line of the executive briefing', async () => {
    const briefing = await d.run(['report', '--case', d.dir, '--kind', 'executive']);
    expect(briefing.code, briefing.err).toBe(0);
    const lines = briefing.out.split('\n').filter((l) => l.includes('S3 ransomware: the stolen key'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('SSE-C');
  });
});
