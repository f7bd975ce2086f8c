import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupByTactic, TACTIC_IDS, TACTICS } from '../detect/attack.js';
import { buildFacts } from './build.js';
import type { Facts } from './facts.js';
import { forMarkdown, renderMarkdown } from './markdown.js';
import { renderReport, REPORT_KINDS } from './render.js';
import { AS_OF, HOSTILE, makeIncidentCase } from './test-support/incident.js';
import { isUnknown } from './unknown.js';

let root: string;
let facts: Facts;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-md-'));
  let now = 0;
  const clock = {
    now: () => new Date(now),
    sleep: () => Promise.resolve(),
    set: (iso: string) => void (now = Date.parse(iso)),
  };
  facts = await buildFacts(await makeIncidentCase(join(root, 'case'), clock, root), { asOf: AS_OF });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The text outside code spans (inside them Markdown shows characters literally). */
function outsideCode(md: string): string {
  return md.replace(/(`+)[\s\S]*?\1/g, '');
}

describe('Markdown documents with hostile facts', () => {
  it('carry no control bytes, no raw HTML and no stray table cells in any kind', () => {
    for (const kind of REPORT_KINDS) {
      const md = renderReport(facts, kind, 'md');
      // eslint-disable-next-line no-control-regex -- looking for control bytes is the point
      expect(md, kind).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(outsideCode(md), kind).not.toMatch(/[<>]/);
      let columns = 0;
      for (const line of md.split('\n')) {
        if (!line.startsWith('| ')) {
          columns = 0;
          continue;
        }
        const cells = line.replace(/\\\|/g, '').split('|').length - 2;
        if (columns === 0) columns = cells;
        expect(cells, `${kind}: ${line}`).toBe(columns);
      }
    }
  });

  it('shows the planted strings as visible text', () => {
    const md = renderReport(facts, 'full', 'md');
    expect(md).toContain('&lt;script&gt;alert("xss")&lt;/script&gt;');
    expect(md).toContain('\\\\e\\[31mRED');
    expect(md).toContain('`backdoor"><img src=x onerror=alert(1)>`');
  });

  it('defuses raw HTML, links, images and the bare addresses GitHub would turn into links', () => {
    const cases: [string, string][] = [
      ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
      ['<a href="https://evil.example">x</a>', '&lt;a href="hxxps://evil.example"&gt;x&lt;/a&gt;'],
      ['[login](javascript:alert(1))', '\\[login\\](javascript:alert(1))'],
      ['![pixel](http://198.51.100.9/p.png)', '!\\[pixel\\](hxxp://198.51.100.9/p.png)'],
      ['see https://evil.example/login', 'see hxxps://evil.example/login'],
      ['www.evil.example', 'www\\[.\\]evil.example'],
      ['&#60;script&#62;', '&amp;#60;script&amp;#62;'],
      ['<https://evil.example>', '&lt;hxxps://evil.example&gt;'],
    ];
    for (const [hostile, safe] of cases) {
      const out = forMarkdown(hostile);
      expect(out, hostile).toBe(safe);
      expect(out).not.toMatch(/<|https?:\/\/|(^|[^\\])\[/i);
    }
  });

  it('escapes emphasis, links, tables and line-start syntax', () => {
    expect(forMarkdown('*a* _b_ [c](http://x) |d| `e` ~f~')).toBe(
      '\\*a\\* \\_b\\_ \\[c\\](hxxp://x) \\|d\\| \\`e\\` \\~f\\~',
    );
    expect(forMarkdown('# not a heading', true)).toBe('\\# not a heading');
    expect(forMarkdown('1. not a list', true)).toBe('1\\. not a list');
    expect(forMarkdown('203.0.113.7')).toBe('203.0.113.7');
    const doc = renderMarkdown({
      title: HOSTILE.ansi,
      byline: 'b',
      blocks: [{ kind: 'para', text: { code: 'a``b|c' } }],
    });
    expect(doc).toContain('```a``b|c```');
    expect(doc.split('\n')[0]).toBe('# \\\\e\\[31mRED\\\\e\\[0m\\\\e\\]0;pwned\\\\x07\\\\e2J');
  });
});

describe('the full report’s findings', () => {
  it('are grouped by ATT&CK tactic in the matrix’s order, each under its own tactic', () => {
    const md = renderReport(facts, 'full', 'md');
    const headings = [...md.matchAll(/^#+ .*\((TA\d{4})\): (\d+), worst \w+$/gm)];
    expect(headings.length).toBeGreaterThan(0);
    const order = TACTICS.map((t) => TACTIC_IDS[t]);
    const ids = headings.map((h) => h[1]!);
    expect(ids).toEqual([...ids].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    if (isUnknown(facts.findingsByCategory)) throw new Error('findings unknown');
    const findings = facts.findingsByCategory.flatMap((c) => c.findings);
    expect(headings.reduce((n, h) => n + Number(h[2]), 0)).toBe(findings.length);
    for (const group of groupByTactic(findings)) {
      const at = md.indexOf(`(${group.id}): ${group.findings.length}`);
      for (const f of group.findings)
        expect(md.indexOf(forMarkdown(f.title), at), f.title).toBeGreaterThan(at);
    }
  });
});
