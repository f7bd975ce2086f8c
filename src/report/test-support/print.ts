import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { expect } from 'vitest';
import { openInChromium, type PageWatch } from './chromium.js';

/** An HTML document printed by Chromium: its pages' text, and what the page did while open. */
export interface Printed {
  /** The text of each printed page, read back from the PDF. */
  pages: string[];
  watch: PageWatch;
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
  const doc = await getDocument({ data: new Uint8Array(pdf), isEvalSupported: false }).promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      // Runs joined as laid out: a ligature (fi) is a run of its own; a line's end is a space.
      pages.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? ' ' : '') : '')).join(''));
    }
    return { pages, watch };
  } finally {
    await doc.destroy();
  }
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
