import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseFolder, readCaseFile } from '../case/case.js';
import { cliCommand } from '../cli/test-support/spawn.js';
import { HOSTILE, makeIncidentCase } from '../report/test-support/incident.js';
import { SCOPE_FILE } from '../scope/scope.js';
import { CASE_PAGES } from './pages.js';
import { startDashboard, type RunningDashboard } from './server.js';
import { CLEAN, DashboardBrowser, faults } from './test-support/browser.js';

let root: string;
let caseId: string;
let dashboard: RunningDashboard;
let checker: DashboardBrowser;

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

/**
 * An eradication plan as the action engine journals it: one step verified, one refused by a
 * guard, one applied but not verified, one planned only (the apply stopped); a hostile target.
 */
function writeEradication(
  dir: string,
  clock: { now(): Date; sleep(): Promise<void>; set(iso: string): void },
) {
  clock.set('2026-03-02T11:30:00.000Z');
  const folder = CaseFolder.open(dir, { clock, actor: 'responder@test' });
  const step = (action: string, target: string, extra: object = {}) => ({
    id: `${action}:123456789012:${target}`,
    action,
    account: '123456789012',
    target,
    params: {},
    reversible: true,
    before: {},
    change: `delete ${target}`,
    noop: false,
    ...extra,
  });
  const steps = [
    step('delete-iam-user', `backdoor${HOSTILE.img}`),
    step('delete-access-key', 'AKIAEXAMPLEBACKDOOR1', {
      refused: `created before the attack ${HOSTILE.script}`,
    }),
    step('delete-login-profile', 'ci-bot'),
    step('delete-lambda-url', 'exfil-fn', { manual: `recreate the layer by hand ${HOSTILE.script}` }),
  ];
  try {
    folder.markPhase('eradicate', 'started');
    folder.record('eradicate.items', {
      source: 'scope.json',
      chosen: [{ id: `iam-user/global/backdoor${HOSTILE.img}`, from: 'scope' }],
      acted: [],
      left: [{ id: 'iam-user/global/ops-admin', why: `pre-existing ${HOSTILE.img}` }],
      disagreements: [],
    });
    folder.record('plan.created', {
      planId: 'eradicate-1',
      purpose: 'eradicate',
      file: 'plans/eradicate-1.json',
      steps,
    });
    for (const s of [steps[0]!, steps[2]!]) {
      folder.record('step.applying', { planId: 'eradicate-1', stepId: s.id, at: '2026-03-02T11:31:00.000Z' });
      folder.record('step.applied', { planId: 'eradicate-1', stepId: s.id, detail: {} });
    }
    folder.record('step.verified', {
      planId: 'eradicate-1',
      stepId: steps[0]!.id,
      ok: true,
      observed: 'NoSuchEntity',
    });
    folder.record('step.verified', {
      planId: 'eradicate-1',
      stepId: steps[2]!.id,
      ok: false,
      observed: `still there ${HOSTILE.img}`,
    });
  } finally {
    folder.close();
  }
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
  writeEradication(dir, clock);
  caseId = readCaseFile(dir).id;
  dashboard = await startDashboard({
    source: { cases: join(root, 'cases') },
    clock: { now: () => new Date('2026-03-02T18:05:00Z'), sleep: () => Promise.resolve() },
    pollMs: 150,
  });
  checker = await DashboardBrowser.launch(dashboard.url);
}, 120_000);

afterAll(async () => {
  await checker?.close();
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
  const page = await checker.newPage();
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

/** `tourniquet serve` in a child process: what it printed once serving, its answer, its exit. */
async function serveCli(
  extra: string[],
): Promise<{ url: string; err: string; status: number; code: number | null }> {
  const { command, args } = cliCommand();
  const child = spawn(command, [...args, 'serve', '--cases', join(root, 'cases'), '--port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/\S+\//.exec(out);
      if (m) resolve(m[0]);
    });
    void exited.then(() => reject(new Error(`serve exited early: ${err}`)));
  });
  const status = (await fetch(url)).status;
  child.kill('SIGTERM');
  return { url, err, status, code: await exited };
}

describe('tourniquet serve on the command line', () => {
  it('binds 127.0.0.1 unless --host is given, and warns when --host is not loopback; SIGTERM ends it with 0', async () => {
    const [plain, wide] = await Promise.all([serveCli([]), serveCli(['--host', '0.0.0.0'])]);
    expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}\/$/);
    expect(plain.err).not.toContain('reachable from other machines');
    expect(plain.err).toContain('Read-only dashboard serving');
    expect([plain.status, plain.code]).toEqual([200, 0]);
    expect(wide.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\//);
    expect(wide.err).toContain(
      '--host 0.0.0.0: the dashboard is reachable from other machines; anyone with the URL (token included) can read the case.',
    );
    expect([wide.status, wide.code]).toEqual([200, 0]);
  }, 60_000);
});

describe('tourniquet serve in Chromium, on a case full of hostile strings', () => {
  it('opens every page: no console error, no CSP violation, nothing outside 127.0.0.1, no serious or critical axe violation, nothing executed, every control reached by Tab', async () => {
    for (const path of ['', ...CASE_PAGES.map((p) => `case/${caseId}/${p.path}`)]) {
      const c = await checker.check(path);
      expect(c.h1, path).toBeGreaterThan(0);
      expect(faults(c), path).toEqual(CLEAN);
    }
  }, 120_000);

  it("shows the eradication plan with each step's state from the journal", async () => {
    const w = await open(`case/${caseId}/eradication`);
    const text = await w.page.locator('main').innerText();
    expect(text).toContain('Eradication phase: started');
    expect(text).toContain('4 step(s): 1 verified, 1 refused, 1 not verified, 1 planned');
    expect(text).toContain(`backdoor${HOSTILE.img}`);
    expect(text).toContain(`still there ${HOSTILE.img}`);
    expect(text).toContain(`recreate the layer by hand ${HOSTILE.script}`);
    // The apply started and did not finish: the page says how to resume it.
    expect(text).toMatch(/applying \(or interrupted: `tourniquet eradicate --apply` resumes it\)/);
    const states = await w.page.locator('tbody tr td:nth-child(6)').allInnerTexts();
    expect(states.slice(0, 4)).toEqual(['verified', 'refused', 'not verified', 'planned']);
    await w.page.close();
  });

  it('shows planted strings as text on the timeline and scope pages', async () => {
    const w = await open(`case/${caseId}/scope`);
    expect(await w.page.locator('main').innerText()).toContain(`backdoor${HOSTILE.img}`);
    await w.page.close();
    const t = await open(`case/${caseId}/findings`);
    expect(await t.page.locator('main').innerText()).toContain(HOSTILE.script);
    await t.page.close();
  });

  it('filters the timeline and shows a raw event', async () => {
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
    expect(w.problems).toEqual([]);
    await page.close();
  });

  it('shows the owner’s own calls when asked (keyboard), each marked, with its raw event; the attacker’s alone by default; a zoom keeps the choice', async () => {
    const w = await open(`case/${caseId}/timeline`);
    const { page } = w;
    const marked = async (who: string) => page.locator(`tr[data-row][data-who="${who}"]`).count();
    // By default: the attacker's calls only, the choice says so.
    const attackerRows = await page.locator('tr[data-row]').count();
    expect(attackerRows).toBeGreaterThan(3);
    expect(await marked('attacker')).toBe(attackerRows);
    expect(await page.locator('.who a[aria-current]').innerText()).toBe('Attacker’s calls');
    // Both, chosen from the keyboard: Tab until the link has the focus, then Enter.
    const focused = () => page.evaluate<boolean>(`document.activeElement?.textContent === 'Both'`);
    for (let i = 0; i < 30 && !(await focused()); i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?who=both$/);
    expect(await marked('attacker')).toBe(attackerRows);
    // The owner's ListBuckets from the CI's address an hour before the incident window.
    const owner = page.locator('tr[data-row][data-who="owner"]');
    expect(await owner.count()).toBe(1);
    const cells = await owner.locator('td').allInnerTexts();
    expect(cells.slice(1, 4)).toEqual(['owner', 'us-east-1', 's3:ListBuckets']);
    expect(cells).toContain('198.51.100.20');
    expect(await page.locator('tr[data-row][data-who="attacker"] td:nth-child(2)').first().innerText()).toBe(
      'attacker',
    );
    expect(await page.locator('figure svg').textContent()).toContain('owner’s own calls');
    await owner.locator('button[data-event]').click();
    await expect.poll(() => page.locator('#raw-event').textContent()).toContain('ev-owner');
    // The owner's alone.
    await page.getByRole('link', { name: 'Owner’s own calls' }).click();
    await page.waitForURL(/\?who=owner$/);
    expect([await page.locator('tr[data-row]').count(), await marked('owner')]).toEqual([1, 1]);
    // A zoom keeps whose calls are shown.
    await page.goto(new URL(`case/${caseId}/timeline?who=both`, dashboard.url).href);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.waitForURL(/from=/);
    expect(new URL(page.url()).searchParams.get('who')).toBe('both');
    // An unknown choice is said so, and the attacker's calls are shown.
    await page.goto(new URL(`case/${caseId}/timeline?who=everyone`, dashboard.url).href);
    expect(await page.locator('main').innerText()).toContain('?who= takes attacker, owner or both');
    expect(await marked('owner')).toBe(0);
    expect(w.problems).toEqual([]);
    await page.close();
    for (const who of ['both', 'owner']) {
      const c = await checker.check(`case/${caseId}/timeline?who=${who}`);
      expect(faults(c), who).toEqual(CLEAN);
    }
  });

  it('zooms the timeline: a drag across the chart (brush), zoom out, a typed window, back to the whole attack', async () => {
    const w = await open(`case/${caseId}/timeline`);
    const { page } = w;
    const times = () =>
      page.evaluate<string[]>(`Array.from(document.querySelectorAll('tr[data-row]'), (r) => r.dataset.time)`);
    const all = await times();
    const stretches = JSON.parse(
      (await page.locator('.brush').getAttribute('data-stretches'))!,
    ) as number[][];
    // Brush across the first stretch drawn, from a tenth to 60% of its width.
    const cell = (await page.locator('svg g.concat_0_group > g > path.background').boundingBox())!;
    const y = cell.y + cell.height / 2;
    await page.mouse.move(cell.x + cell.width * 0.1, y);
    await page.mouse.down();
    await page.mouse.move(cell.x + cell.width * 0.4, y, { steps: 3 });
    await page.mouse.move(cell.x + cell.width * 0.6, y, { steps: 3 });
    await page.mouse.up();
    await page.waitForURL(/\?from=/);
    const q = new URL(page.url()).searchParams;
    const [from, to] = [Date.parse(q.get('from')!), Date.parse(q.get('to')!)];
    const [s0, s1] = stretches[0]!;
    const span = s1! - s0!;
    expect(Math.abs(from - (s0! + span * 0.1))).toBeLessThan(span * 0.03);
    expect(Math.abs(to - (s0! + span * 0.6))).toBeLessThan(span * 0.03);
    expect(await page.locator('main').innerText()).toContain('Zoomed to');
    const inWindow = all.filter((t) => Date.parse(t) >= from && Date.parse(t) <= to);
    expect(inWindow.length).toBeGreaterThan(0);
    expect(inWindow.length).toBeLessThan(all.length);
    expect(await times()).toEqual(inWindow);
    expect(await page.locator('#shown').textContent()).toBe(String(inWindow.length));
    // Zoom out: twice the span around the same middle.
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await page.waitForURL((u) => u.searchParams.get('from') !== q.get('from'));
    const q2 = new URL(page.url()).searchParams;
    const span2 = Date.parse(q2.get('to')!) - Date.parse(q2.get('from')!);
    expect(Math.abs(span2 - 2 * (to - from))).toBeLessThanOrEqual(2);
    // A typed window that is not one: the page says so and shows the whole attack.
    await page.locator('#win-from').fill('yesterday');
    await page.getByRole('button', { name: 'Show this window' }).click();
    await page.waitForURL(/from=yesterday/);
    expect(await page.locator('main').innerText()).toContain('The window needs two times in ISO 8601');
    expect(await times()).toEqual(all);
    await page.goto(
      new URL(`case/${caseId}/timeline?from=${q.get('from')}&to=${q.get('to')}`, dashboard.url).href,
    );
    await page.getByRole('link', { name: 'Whole attack' }).click();
    await page.waitForURL((u) => u.search === '');
    expect(await times()).toEqual(all);
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
