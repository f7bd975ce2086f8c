import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFacts, isUnknown, renderReport, type Facts } from '../../report/index.js';
import type { Truth } from '../../sim/scenarios/truth.js';
import { openInChromium } from '../../report/test-support/chromium.js';
import { scenarioCase as buildScenarioCase } from '../../report/test-support/scenario-case.js';
import { main } from '../main.js';

// eslint-disable-next-line no-control-regex -- looking for raw escape bytes is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tq-report-scn-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A scenario's case (src/report/test-support/scenario-case.ts) and its report's facts as of its end. */
async function scenarioCase(name: string): Promise<{ truth: Truth; facts: Facts; dir: string }> {
  const dir = join(root, name);
  const { truth } = await buildScenarioCase(name, dir, root);
  return { truth, facts: await buildFacts(dir, { asOf: new Date(truth.cost.asOf) }), dir };
}

describe('the report on simulated scenarios, checked against their truth files', () => {
  it('cryptomining: the cost is within 1% of the truth, with its regions and attacker addresses', async () => {
    const { truth, facts } = await scenarioCase('cryptomining');
    if (isUnknown(facts.cost)) throw new Error(facts.cost.unknown);
    expect(truth.cost.usd).toBeGreaterThan(0);
    expect(Math.abs(facts.cost.totalUsd - truth.cost.usd)).toBeLessThanOrEqual(truth.cost.usd * 0.01);
    const regions = new Set(truth.cost.instances.map((i) => i.region));
    expect(facts.regions).toEqual(expect.arrayContaining([...regions]));
    expect(facts.attackerIps).toEqual(expect.arrayContaining(truth.attacker.ips));
    const md = renderReport(facts, 'executive', 'md');
    for (const ip of truth.attacker.ips) expect(renderReport(facts, 'dev', 'md')).toContain(ip);
    expect(md).toContain(`$${facts.cost.totalUsd.toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
  });

  it('hostile-strings: the HTML runs nothing in Chromium, the terminal gets no escape bytes, the CSV no formula', async () => {
    const { facts, dir } = await scenarioCase('hostile-strings');
    if (isUnknown(facts.timeline)) throw new Error(facts.timeline.unknown);
    expect(facts.timeline.length).toBeGreaterThan(0);
    await openInChromium(renderReport(facts, 'full', 'html'), async (page, watch) => {
      expect(watch.dialogs).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.consoleMessages).toEqual([]);
      expect(watch.requests).toEqual([watch.url]);
      expect(await page.locator('script, img, iframe').count()).toBe(0);
      expect(await page.locator('figure svg').count()).toBe(2);
    });
    const csv = renderReport(facts, 'timeline', 'csv');
    expect(csv).not.toMatch(/(^|,)"?[=+@-]/m);
    expect(csv).not.toMatch(RAW_CONTROL);
    let out = '';
    const io = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
      env: {},
      cwd: root,
    };
    expect(await main(['report', '--case', dir, '--kind', 'full'], io)).toBe(0);
    expect(out).toContain('<script'.replace('<', '&lt;'));
    expect(out).not.toMatch(RAW_CONTROL);
  });
});
