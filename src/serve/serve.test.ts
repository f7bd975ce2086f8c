import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaseFile } from '../case/case.js';
import { HOSTILE, makeIncidentCase } from '../report/test-support/incident.js';
import { SCOPE_FILE } from '../scope/scope.js';
import { CASE_PAGES } from './pages.js';
import { startDashboard, type RunningDashboard } from './server.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** What a keyboard user must be able to reach. */
const CONTROLS = 'a[href], button, select, summary, [tabindex="0"]';

let root: string;
let caseId: string;
let dashboard: RunningDashboard;
let browser: Browser;

/** A scope.json with an attacker's backdoor whose name is hostile markup. */
function writeScope(dir: string) {
  const item = {
    kind: 'iam-user',
    id: `iam-user/global/backdoor${HOSTILE.img}`,
    name: `backdoor${HOSTILE.img}`,
    region: 'global',
    account: '123456789012',
    attribution: 'attacker',
    eventIds: ['ev-05'],
    evidence: {},
    risk: 'high',
    why: `an IAM user the attacker created ${HOSTILE.script}`,
    remediation: 'Delete the user after keeping its evidence.',
    technique: 'T1136.003',
  };
  const summary = {
    resources: 1,
    byOrigin: { attacker: 1, 'pre-existing': 0, unknown: 0, responder: 0 },
    responder: 0,
    persistence: { attacker: 1, preExisting: 0, unknown: 0 },
    byKind: { 'iam-user': { attacker: 1, other: 0 } },
    notChecked: 0,
  };
  const doc = {
    schema: 1,
    generatedAt: '2026-03-02T11:00:00.000Z',
    account: '123456789012',
    window: null,
    regions: { enabled: ['us-east-1'], source: 'test', disabled: [] },
    inventory: [],
    persistence: [item],
    coverage: [],
    summary,
  };
  writeFileSync(join(dir, SCOPE_FILE), JSON.stringify(doc));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-serve-'));
  let now = 0;
  const clock = {
    now: () => new Date(now),
    sleep: () => Promise.resolve(),
    set: (iso: string) => void (now = Date.parse(iso)),
  };
  const dir = await makeIncidentCase(join(root, 'cases', 'incident'), clock, root);
  writeScope(dir);
  caseId = readCaseFile(dir).id;
  dashboard = await startDashboard({
    source: { cases: join(root, 'cases') },
    clock: { now: () => new Date('2026-03-02T18:05:00Z'), sleep: () => Promise.resolve() },
    pollMs: 150,
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A raw HTTP request with any Host header and method (fetch would not let us lie about Host). */
function raw(path: string, init: { host?: string; method?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: dashboard.port,
        path,
        method: init.method ?? 'GET',
        headers: { host: init.host ?? `127.0.0.1:${dashboard.port}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Watched {
  page: Page;
  problems: string[];
  requests: string[];
  dialogs: string[];
}

async function open(path: string): Promise<Watched> {
  const page = await browser.newPage();
  const w: Watched = { page, problems: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.problems.push(`page error: ${e.message}`));
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(new URL(path, dashboard.url).href, { waitUntil: 'load' });
  return w;
}

describe('tourniquet serve: access', () => {
  it('binds 127.0.0.1 only, refuses requests without the token (401), other Host names (421) and writes (405)', async () => {
    expect(dashboard.url).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${dashboard.port}/[A-Za-z0-9_-]{32}/$`),
    );
    expect(await raw(`/${dashboard.token}/`)).toBe(200);
    expect(await raw('/')).toBe(401);
    expect(await raw(`/${dashboard.token.slice(1)}x/`)).toBe(401);
    expect(await raw(`/x/${dashboard.token}/`)).toBe(401);
    expect(await raw(`/${dashboard.token}/case/${caseId}/`, { host: 'attacker.example' })).toBe(421);
    expect(await raw(`/${dashboard.token}/case/${caseId}/`, { method: 'POST' })).toBe(405);
    // Another address of this machine does not answer.
    const other = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (other) {
      const reached = await new Promise<boolean>((resolve) => {
        const req = request({ host: other.address, port: dashboard.port, path: '/', timeout: 2000 }, () =>
          resolve(true),
        );
        req.on('error', () => resolve(false));
        req.on('timeout', () => (req.destroy(), resolve(false)));
        req.end();
      });
      expect(reached).toBe(false);
    }
  });
});

describe('tourniquet serve in Chromium, on a case full of hostile strings', () => {
  it('opens every page: no console error, no CSP violation, nothing outside 127.0.0.1, no serious or critical axe violation, nothing executed', async () => {
    const origin = new URL(dashboard.url).origin;
    for (const path of ['', ...CASE_PAGES.map((p) => `case/${caseId}/${p.path}`)]) {
      const w = await open(path);
      try {
        expect(await w.page.locator('h1').count(), path).toBeGreaterThan(0);
        await w.page.evaluate(AXE);
        // The page's scripts are the dashboard's; the harness runs axe through the debugger protocol.
        const violations = await w.page.evaluate<string[]>(`axe.run().then((r) => r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => v.id + ' (' + v.impact + ', ' + v.nodes.length + ')'))`);
        expect(violations, path).toEqual([]);
        expect(w.problems, path).toEqual([]);
        expect(w.dialogs, path).toEqual([]);
        expect(
          w.requests.filter((u) => !u.startsWith(`${origin}/${dashboard.token}/`)),
          path,
        ).toEqual([]);
        // Only the dashboard's own script element; planted markup stays text.
        expect(await w.page.locator('script').count(), path).toBe(1);
        expect(await w.page.locator('img, iframe, object, embed').count(), path).toBe(0);
      } finally {
        await w.page.close();
      }
    }
  }, 240_000);

  it('shows planted strings as text on the timeline and scope pages', async () => {
    const w = await open(`case/${caseId}/scope`);
    expect(await w.page.locator('main').innerText()).toContain(`backdoor${HOSTILE.img}`);
    await w.page.close();
    const t = await open(`case/${caseId}/findings`);
    expect(await t.page.locator('main').innerText()).toContain(HOSTILE.script);
    await t.page.close();
  });

  it('filters the timeline, shows a raw event, and reaches every control by keyboard', async () => {
    const w = await open(`case/${caseId}/timeline`);
    const { page } = w;
    const rows = page.locator('tr[data-row]');
    const total = await rows.count();
    expect(total).toBeGreaterThan(3);
    await page.selectOption('#filter-region', 'eu-north-1');
    const visible = await page.locator('tr[data-row]:not([hidden])').count();
    expect(visible).toBeGreaterThan(0);
    expect(visible).toBeLessThan(total);
    expect(await page.locator('#shown').textContent()).toBe(String(visible));
    await page.locator('tr[data-row]:not([hidden]) button[data-event]').first().click();
    await expect.poll(() => page.locator('#raw-event').textContent()).toContain('"eventname"');
    expect(await page.locator('#raw-event').textContent()).toContain('eu-north-1');
    await page.selectOption('#filter-region', '');
    // Keyboard: Tab visits every link, select and button on the page, in order.
    const controls = await page.locator(CONTROLS).count();
    const seen = new Set<string>();
    await page.locator('body').focus();
    for (let i = 0; i < controls + 5; i++) {
      await page.keyboard.press('Tab');
      seen.add(
        await page.evaluate<string>(`(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return 'body';
          const all = Array.from(document.querySelectorAll(${JSON.stringify(CONTROLS)}));
          return el.tagName + '#' + all.indexOf(el);
        })()`),
      );
    }
    seen.delete('body');
    expect(seen.size).toBe(controls);
    expect(w.problems).toEqual([]);
    await page.close();
  });

  it('updates a page live when the case changes (server-sent events)', async () => {
    const w = await open(`case/${caseId}/`);
    await expect.poll(() => w.page.locator('#live').textContent(), { timeout: 10_000 }).toBe('live');
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'cases', 'incident', SCOPE_FILE), later, later);
    await expect.poll(() => w.page.locator('#live').textContent(), { timeout: 15_000 }).toMatch(/^updated /);
    expect(await w.page.locator('h1').count()).toBe(1);
    expect(w.problems).toEqual([]);
    await w.page.close();
  });
});
