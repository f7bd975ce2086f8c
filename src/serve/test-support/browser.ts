import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** What a keyboard user must be able to reach. */
export const CONTROLS = 'a[href], button, input, select, summary, [tabindex="0"]';

/** What one dashboard page did in the browser: each list should be empty. */
export interface PageCheck {
  path: string;
  /** Console errors and warnings (a CSP violation is one), page errors. */
  problems: string[];
  /** axe-core violations of serious or critical impact: `rule (impact, nodes)`. */
  violations: string[];
  /** Requests to anything but the dashboard's own URLs. */
  outside: string[];
  /** alert/confirm/prompt dialogs: planted code that ran. */
  dialogs: string[];
  /** Script elements beyond the dashboard's one, and planted img/iframe/object/embed elements. */
  planted: number;
  /** Displayed controls that Tab never reached (empty when the keyboard walk was skipped). */
  unreached: string[];
  h1: number;
}

/** What a clean page's check holds besides its path and heading count. */
export const CLEAN = { problems: [], violations: [], outside: [], dialogs: [], planted: 0, unreached: [] };

/** A check without its path and heading count, to compare with `CLEAN`. */
export function faults(c: PageCheck): Omit<PageCheck, 'path' | 'h1'> {
  const { path: _path, h1: _h1, ...rest } = c;
  return rest;
}

/**
 * One system Chromium (never a downloaded browser) and one tab, reused for every page: a page's
 * check costs its load, axe-core and a Tab walk, not a browser or a tab.
 */
export class DashboardBrowser {
  private current = { problems: [] as string[], requests: [] as string[], dialogs: [] as string[] };

  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly base: string,
  ) {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') this.current.problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.current.problems.push(`page error: ${e.message}`));
    page.on('request', (r) => this.current.requests.push(r.url()));
    page.on('dialog', (d) => {
      this.current.dialogs.push(d.message());
      void d.dismiss();
    });
  }

  /** Launch Chromium for the dashboard at `url` (the URL `tourniquet serve` printed). */
  static async launch(url: string): Promise<DashboardBrowser> {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    const page = await browser.newPage();
    // axe-core is put into every document this tab opens, through the debugger protocol (the
    // page's CSP governs the page's own scripts, not the harness's).
    await page.addInitScript(AXE);
    return new DashboardBrowser(browser, page, url);
  }

  /** Open `path` (relative to the dashboard's URL) and check it; `keyboard: false` skips the Tab walk. */
  async check(path: string, o: { keyboard?: boolean } = {}): Promise<PageCheck> {
    this.current = { problems: [], requests: [], dialogs: [] };
    const page = this.page;
    await page.goto(new URL(path, this.base).href, { waitUntil: 'load' });
    const violations = await page.evaluate<
      string[]
    >(`axe.run({ resultTypes: ['violations'], runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + ', ' + v.nodes.length + ')'))`);
    const unreached = o.keyboard === false ? [] : await this.tabWalk();
    const planted =
      (await page.locator('script').count()) - 1 + (await page.locator('img, iframe, object, embed').count());
    return {
      path,
      problems: [...this.current.problems],
      violations,
      outside: this.current.requests.filter((u) => !u.startsWith(this.base)),
      dialogs: [...this.current.dialogs],
      planted,
      unreached,
      h1: await page.locator('h1').count(),
    };
  }

  /** Press Tab once per displayed control (and twice more) and name the controls never focused. */
  private async tabWalk(): Promise<string[]> {
    const page = this.page;
    const controls = await page.evaluate<number>(`(() => {
      window.__seen = new Set();
      document.addEventListener('focusin', (e) => window.__seen.add(e.target), true);
      if (document.activeElement) document.activeElement.blur();
      return Array.from(document.querySelectorAll(${JSON.stringify(CONTROLS)}))
        .filter((el) => el.checkVisibility()).length;
    })()`);
    // Real key events through the debugger protocol, sent without waiting for each answer (they
    // are handled in order): a page of 600 controls is walked in a fraction of a second.
    const cdp = await page.context().newCDPSession(page);
    const key = { key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9, nativeVirtualKeyCode: 9 };
    await Promise.all(
      Array.from({ length: controls + 2 }, () => [
        cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key }),
        cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key }),
      ]).flat(),
    );
    await cdp.detach();
    return page.evaluate<string[]>(`Array.from(document.querySelectorAll(${JSON.stringify(CONTROLS)}))
      .filter((el) => el.checkVisibility() && !window.__seen.has(el))
      .map((el) => el.tagName + ' ' + (el.textContent || '').trim().slice(0, 40))`);
  }

  /** Another tab of the same browser, for a test that drives a page itself. */
  newPage(): Promise<Page> {
    return this.browser.newPage();
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
