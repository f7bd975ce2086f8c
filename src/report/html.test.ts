import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFacts } from './build.js';
import { CONTENT_SECURITY_POLICY } from './html.js';
import { renderReport, REPORT_KINDS } from './render.js';
import { openInChromium } from './test-support/chromium.js';
import { AS_OF, HOSTILE, makeIncidentCase } from './test-support/incident.js';
import type { Facts } from './facts.js';

let root: string;
let facts: Facts;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-html-'));
  let now = 0;
  const clock = {
    now: () => new Date(now),
    sleep: () => Promise.resolve(),
    set: (iso: string) => void (now = Date.parse(iso)),
  };
  facts = await buildFacts(await makeIncidentCase(join(root, 'case'), clock, root), { asOf: AS_OF });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('HTML report with hostile facts in headless Chromium', () => {
  it('executes nothing, requests nothing, breaks no CSP rule, and renders both SVG pictures', async () => {
    await openInChromium(renderReport(facts, 'full', 'html'), async (page, watch) => {
      expect(watch.dialogs).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.consoleMessages).toEqual([]);
      expect(watch.requests).toEqual([watch.url]);
      // The planted markup is text, not elements.
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('img').count()).toBe(0);
      const text = await page.locator('body').innerText();
      expect(text).toContain(HOSTILE.script);
      expect(text).toContain('<img src=x onerror=alert(1)>');
      expect(text).not.toContain('\u001b');
      // The stylesheet applied (allowed by its hash): the heading has the report's 1.6rem.
      // (The page's own JavaScript is off-limits to the report, not to the test harness.)
      const fontSize = await page.evaluate<string>("getComputedStyle(document.querySelector('h1')).fontSize");
      expect(fontSize).toBe('25.6px');
      // Two pictures: the timeline with bars and both marks, then the lineage map.
      const svgs = page.locator('figure svg');
      expect(await svgs.count()).toBe(2);
      const box = await svgs.first().boundingBox();
      expect(box!.width).toBeGreaterThan(500);
      expect(box!.height).toBeGreaterThan(100);
      // Vega draws each time slice's calls as a symbol; the attack fills over half the picture.
      const dots = svgs.first().locator('g.mark-symbol path');
      expect(await dots.count()).toBeGreaterThan(5);
      const xs = (await Promise.all((await dots.all()).map((d) => d.boundingBox()))).map((b) => b!.x);
      expect((Math.max(...xs) - Math.min(...xs)) / box!.width).toBeGreaterThan(0.5);
      const chartText = await svgs.first().locator('text').allTextContents();
      expect(chartText.some((t) => t.startsWith('awareness'))).toBe(true);
      expect(chartText.some((t) => t.startsWith('contained'))).toBe(true);
      expect(chartText).toContain('crypto-mining');
      expect(chartText).toContain('region eu-north-1');
      const lineageText = await svgs.nth(1).locator('text').allTextContents();
      expect(lineageText).toContain('ASIAEXAMPLESESSION01');
      expect((await svgs.nth(1).boundingBox())!.width).toBeGreaterThan(400);
    });
  });

  it('would notice a script: the same watch sees a dialog and a CSP refusal in a page that tries', async () => {
    const hostile = renderReport(facts, 'status', 'html').replace(
      '</body>',
      '<script>alert(1)</script><img src="http://192.0.2.1/x.png"></body>',
    );
    await openInChromium(hostile, (_page, watch) => {
      expect(watch.dialogs).toEqual([]);
      expect(watch.consoleMessages.join('\n')).toMatch(/Content Security Policy/);
    });
    const open = renderReport(facts, 'status', 'html')
      .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
      .replace('</body>', '<script>alert(1)</script></body>');
    await openInChromium(open, (_page, watch) => expect(watch.dialogs).toEqual(['1']));
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
