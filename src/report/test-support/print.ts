import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect } from 'vitest';
import { openInChromium, type PageWatch } from './chromium.js';

/** An HTML document printed by Chromium: its pages' text, and what the page did while open. */
export interface Printed {
  /** The text of each printed page, read back from the PDF. */
  pages: string[];
  watch: PageWatch;
}

const PDFJS = pathToFileURL(createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs')).href;

/**
 * Read each page's text in a worker thread of its own. PDF.js's build for Node brings core-js
 * polyfills that replace built-ins process-wide (JSON.parse, JSON.stringify, Array.prototype.push
 * among them, and a global `navigator`); imported here, they would stay for every later test file
 * of this vitest worker (files share their process: vitest.config.ts), making them slower and
 * running the tool on built-ins it never meets.
 */
const READER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { getDocument } = await import(${JSON.stringify(PDFJS)});
  const doc = await getDocument({ data: workerData, isEvalSupported: false }).promise;
  try {
    const pages = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      // Runs joined as laid out: a ligature (fi) is a run of its own; a line's end is a space.
      pages.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? ' ' : '') : '')).join(''));
    }
    parentPort.postMessage(pages);
  } finally {
    await doc.destroy();
  }
})();
`;

/** The text of each page of `pdf`, read by Mozilla's PDF.js (in a worker thread, see `READER`). */
export function pdfPages(pdf: Uint8Array): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(READER, { eval: true, workerData: pdf, execArgv: [] });
    let pages: string[] | undefined;
    worker.once('message', (m: string[]) => (pages = m));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      pages ? resolve(pages) : reject(new Error(`the PDF reader stopped (exit ${code}) without an answer`)),
    );
  });
}

/**
 * Print `html` to A4 in the system Chromium (`page.pdf`, as Ctrl+P → Save as PDF does) and read
 * the PDF back with Mozilla's PDF.js: its page count and each page's text, so a test sees what
 * lands on which sheet, not just how many there are.
 */
export async function printA4(html: string): Promise<Printed> {
  const { pdf, watch } = await openInChromium(html, async (page, watch) => ({
    pdf: await page.pdf({ format: 'A4' }),
    watch,
  }));
  return { pages: await pdfPages(new Uint8Array(pdf)), watch };
}

/**
 * The executive briefing's bar: printed to A4 it is one page, and that page holds it all, from
 * "What happened" to the pointer to the full report that closes it; nothing ran or was fetched.
 */
export async function expectOnePageBriefing(html: string): Promise<void> {
  const { pages, watch } = await printA4(html);
  expect(pages).toHaveLength(1);
  const text = pages[0]!.replace(/\s+/g, ' ');
  for (const part of [
    'Executive briefing',
    'What happened',
    'Decisions due',
    'Next steps',
    'tourniquet report --kind decisions',
  ])
    expect(text, part).toContain(part);
  expect(watch.dialogs).toEqual([]);
  expect(watch.pageErrors).toEqual([]);
  expect(watch.consoleMessages).toEqual([]);
  expect(watch.requests).toEqual([watch.url]);
}
