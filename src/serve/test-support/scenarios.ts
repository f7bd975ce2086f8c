import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaseFile } from '../../case/case.js';
import { scenarioCase } from '../../report/test-support/scenario-case.js';
import { listScenarios } from '../../sim/scenarios/index.js';
import { CASE_PAGES } from '../pages.js';
import { startDashboard, type RunningDashboard } from '../server.js';
import { CLEAN, DashboardBrowser, faults } from './browser.js';

/** The scenario test files split the scenarios between them (each file under 30 s alone). */
export const SCENARIO_FILES = 7;

/**
 * The scenarios whose timeline is also checked with the owner's calls (`?who=both`): the demo's
 * and the hostile strings'. The owner's 300-odd routine calls make that page five times the cost
 * of another to check (axe-core and the Tab walk over every row), and CI's time is counted.
 */
const OWNER_VIEW = ['cryptomining', 'hostile-strings'];

/** Every `SCENARIO_FILES`-th scenario from `k`: a new scenario joins a file without an edit. */
export function scenarioGroup(k: number): string[] {
  return listScenarios()
    .map((s) => s.name)
    .filter((_, i) => i % SCENARIO_FILES === k);
}

/**
 * Chromium over every dashboard page of each scenario of group `k`: one case per scenario built
 * once (src/report/test-support/scenario-case.ts, no respond run), one dashboard, one browser.
 */
export function dashboardOverScenarios(k: number): void {
  const names = scenarioGroup(k);
  let root: string;
  let dashboard: RunningDashboard;
  let checker: DashboardBrowser;
  const ids = new Map<string, string>();
  const leaked = new Set<string>();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tq-serve-scn-'));
    for (const name of names) {
      const dir = join(root, 'cases', name);
      const { truth } = await scenarioCase(name, dir, root);
      ids.set(name, readCaseFile(dir).id);
      if (truth.leakedAccessKeyId) leaked.add(name);
    }
    dashboard = await startDashboard({
      source: { cases: join(root, 'cases') },
      clock: { now: () => new Date(), sleep: () => Promise.resolve() },
    });
    checker = await DashboardBrowser.launch(dashboard.url);
  }, 120_000);

  afterAll(async () => {
    await checker?.close();
    await dashboard?.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe(`the dashboard in Chromium on scenarios ${names.join(', ')}`, () => {
    it('lists every case', async () => {
      const c = await checker.check('');
      expect(c.problems).toEqual([]);
      for (const id of ids.values())
        expect(await checker.page.locator(`a[href="case/${id}/"]`).count(), id).toBe(1);
    });
    for (const name of names)
      it(`${name}: every page${OWNER_VIEW.includes(name) ? " (and the timeline with the owner's calls)" : ''} loads with no console error, CSP violation, outside request, serious or critical axe violation or executed string, and Tab reaches every control`, async () => {
        for (const p of CASE_PAGES) {
          const path = `case/${ids.get(name)!}/${p.path}`;
          const c = await checker.check(path);
          expect(c.h1, path).toBe(1);
          expect(faults(c), path).toEqual(CLEAN);
        }
        if (!OWNER_VIEW.includes(name)) return;
        // The timeline with the owner's own calls too: as clean, every call marked whose it is.
        const path = `case/${ids.get(name)!}/timeline?who=both`;
        expect(faults(await checker.check(path)), path).toEqual(CLEAN);
        const count = (sel: string) => checker.page.locator(sel).count();
        const owner = await count('tr[data-row][data-who="owner"]');
        expect(owner + (await count('tr[data-row][data-who="attacker"]'))).toBe(await count('tr[data-row]'));
        // A leaked key has its owner's routine in the account's trail before the attack.
        if (leaked.has(name)) expect(owner, path).toBeGreaterThan(0);
      }, 60_000);
  });
}
