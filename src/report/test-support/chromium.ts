import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** What happened while a page was open: everything that would betray executed or fetched content. */
export interface PageWatch {
  dialogs: string[];
  consoleMessages: string[];
  pageErrors: string[];
  requests: string[];
  url: string;
}

/**
 * Open an HTML file in the system Chromium (never a downloaded browser) with a fresh profile and
 * nothing that phones home, record dialogs, console errors and warnings, page errors and
 * requests, and hand the page to `inspect`.
 */
export async function openInChromium<T>(
  html: string,
  inspect: (page: Page, watch: PageWatch) => Promise<T> | T,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tq-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
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
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const page = await context.newPage();
    const watch: PageWatch = {
      dialogs: [],
      consoleMessages: [],
      pageErrors: [],
      requests: [],
      url: pathToFileURL(file).href,
    };
    page.on('dialog', (d) => {
      watch.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') watch.consoleMessages.push(m.text());
    });
    page.on('pageerror', (e) => watch.pageErrors.push(e.message));
    page.on('request', (r) => watch.requests.push(r.url()));
    await page.goto(watch.url, { waitUntil: 'load' });
    await page.waitForTimeout(300);
    return await inspect(page, watch);
  } finally {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
