import { describe, expect, it } from 'vitest';
import { printA4 } from './test-support/print.js';

describe('printing to A4 in Chromium, read back with PDF.js', () => {
  it('gives each sheet its own text, and leaves this process its own built-ins', async () => {
    const html = `<!doctype html><html><head><meta charset="utf-8"><title>t</title>
      <style>section { break-after: page; }</style></head>
      <body><section><h1>First sheet</h1></section><section><p>Second sheet</p></section></body></html>`;
    const { pages, watch } = await printA4(html);
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('First sheet');
    expect(pages[1]).toContain('Second sheet');
    expect(watch.pageErrors).toEqual([]);
    // PDF.js's Node build installs core-js over the built-ins of whatever imports it: the reader
    // runs in a thread of its own, so none of it reaches the tests that share this process.
    expect('__core-js_shared__' in globalThis).toBe(false);
  });
});
