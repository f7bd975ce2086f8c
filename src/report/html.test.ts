import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFacts } from './build.js';
import { CONTENT_SECURITY_POLICY } from './html.js';
import { renderReport, REPORT_KINDS } from './render.js';
import { AS_OF, HOSTILE, makeIncidentCase } from './test-support/incident.js';
import type { Facts } from './facts.js';

let root: string;
let facts: Facts;
let browser: BrowserContext;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-html-'));
  let now = 0;
  const clock = {
    now: () => new Date(now),
    sleep: () => Promise.resolve(),
    set: (iso: string) => void (now = Date.parse(iso)),
  };
  facts = await buildFacts(await makeIncidentCase(join(root, 'case'), clock, root), { asOf: AS_OF });
  // The system Chromium, never a downloaded one; a fresh profile folder; nothing that phones home.
  browser = await chromium.launchPersistentContext(join(root, 'profile'), {
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('HTML report with hostile facts in headless Chromium', () => {
  it('executes nothing, requests nothing, breaks no CSP rule, and renders both SVG pictures', async () => {
    const file = join(root, 'report.html');
    writeFileSync(file, renderReport(facts, 'full', 'html'));
    const page = await browser.newPage();
    const dialogs: string[] = [];
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForTimeout(300);

    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    // The planted markup is text, not elements.
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    const text = await page.locator('body').innerText();
    expect(text).toContain(HOSTILE.script);
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).not.toContain('\u001b');
    // The stylesheet applied (allowed by its hash): the heading has the report's 1.6rem, not the browser default.
    // (The page's own JavaScript is off-limits to the report, not to the test harness.)
    const fontSize = await page.evaluate<string>("getComputedStyle(document.querySelector('h1')).fontSize");
    expect(fontSize).toBe('25.6px');
    // Two pictures: the timeline with bars and both marks, then the lineage map.
    const svgs = page.locator('figure svg');
    expect(await svgs.count()).toBe(2);
    const box = await svgs.first().boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    expect(box!.height).toBeGreaterThan(100);
    expect(await svgs.first().locator('rect').count()).toBeGreaterThan(5);
    const chartText = await svgs.first().locator('text').allTextContents();
    expect(chartText.some((t) => t.startsWith('awareness'))).toBe(true);
    expect(chartText.some((t) => t.startsWith('contained'))).toBe(true);
    expect(chartText).toContain('crypto-mining');
    expect(chartText).toContain('region eu-north-1');
    const lineageText = await svgs.nth(1).locator('text').allTextContents();
    expect(lineageText).toContain('ASIAEXAMPLESESSION01');
    expect((await svgs.nth(1).boundingBox())!.width).toBeGreaterThan(400);
    await page.close();
  });

  it('is self-contained for every kind: CSP meta first, no script, no external reference', () => {
    for (const kind of REPORT_KINDS) {
      const html = renderReport(facts, kind, 'html');
      expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
      expect(html).toContain(CONTENT_SECURITY_POLICY);
      expect(html).not.toMatch(/<script|<img|<iframe|<link|src=["']?http|href=["']?http/i);
      expect(html).not.toContain('\u001b');
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  });
});
