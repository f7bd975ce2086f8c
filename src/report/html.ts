import { createHash } from 'node:crypto';
import { forHtml } from '../untrusted.js';
import { inlines, type Doc, type DocBlock, type Inline, type Text } from './doc.js';

/** The report's only stylesheet; its hash is the only style the CSP allows. */
const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;max-width:1100px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #d5d9e0;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin-top:1.4rem}.byline{color:#5a6275;margin-top:0}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #d5d9e0;padding:.25rem .45rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
td code{word-break:break-all}
th{background:#f1f3f7}code{font:.85em ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f3f7;padding:0 .2em;border-radius:3px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
figure{margin:1rem 0}figcaption{color:#5a6275;font-size:.85rem}svg{max-width:100%;height:auto;background:#fff}
.empty{color:#5a6275;font-style:italic}
details{margin:.6rem 0}summary{cursor:pointer;color:#2f4b7c;font-weight:600}
@media print{body{margin:0;max-width:none;font-size:11px}h2{margin-top:1rem}details>summary{display:none}details{display:block}}
@page{size:A4;margin:14mm 15mm}
.one-page h2{font-size:1.1rem;margin-top:1.2rem}.one-page dl{gap:.15rem .8rem}
@media print{.one-page{font-size:10px;line-height:1.35}.one-page h1{font-size:2em;margin:0}.one-page h2{font-size:1.3em;margin:.8rem 0 .3rem}.one-page p,.one-page ol{margin:.3rem 0}.one-page table{margin:.3rem 0;font-size:1em}.one-page th,.one-page td{padding:.1rem .35rem}}
`.trim();

const STYLE_HASH = createHash('sha256').update(CSS).digest('base64');

/**
 * No scripts, no fetches, no frames, no forms: the report opens on an analyst's machine and must
 * not call out or run anything an attacker smuggled into a field. The only style allowed is the
 * stylesheet above, by hash; the charts use SVG presentation attributes, which CSP does not gate.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Tables longer than this fold (details/summary) in HTML. */
export const FOLD_ROWS = 8;

function inline(part: Inline): string {
  if (typeof part === 'string') return forHtml(part);
  if ('code' in part) return `<code>${forHtml(part.code)}</code>`;
  return `<strong>${forHtml(part.strong)}</strong>`;
}

function text(value: Text): string {
  return inlines(value).map(inline).join('');
}

function block(b: DocBlock, section: string): string {
  switch (b.kind) {
    case 'heading':
      return `<h2>${forHtml(b.text)}</h2>`;
    case 'subheading':
      return `<h3>${forHtml(b.text)}</h3>`;
    case 'para':
      return `<p>${text(b.text)}</p>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((i) => `<li>${text(i)}</li>`).join('')}</${tag}>`;
    }
    case 'fields':
      return `<dl>${b.rows.map(([k, v]) => `<dt>${forHtml(k)}</dt><dd>${text(v)}</dd>`).join('')}</dl>`;
    case 'table': {
      if (b.rows.length === 0) return `<p class="empty">${forHtml(b.empty)}</p>`;
      const head = `<tr>${b.columns.map((c) => `<th>${forHtml(c)}</th>`).join('')}</tr>`;
      const rows = b.rows.map((r) => `<tr>${r.map((c) => `<td>${text(c)}</td>`).join('')}</tr>`);
      const table = `<table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
      // Long tables fold, with their size, so the report reads as sections rather than pages of rows.
      if (b.rows.length <= FOLD_ROWS) return table;
      return `<details><summary>${forHtml(b.label ?? section)}: ${b.rows.length} rows</summary>${table}</details>`;
    }
    case 'figure':
      return `<figure>${b.image.svg}<figcaption>${forHtml(b.caption)}</figcaption></figure>`;
  }
}

/** Blocks as HTML fragments (the dashboard places them in its own pages). */
export function renderBlocks(blocks: DocBlock[]): string {
  return sectioned(blocks).join('\n');
}

/** Each block rendered, tables knowing the heading they sit under (a folded table's name). */
function sectioned(blocks: DocBlock[]): string[] {
  let section = 'Table';
  return blocks.map((b) => {
    if (b.kind === 'heading' || b.kind === 'subheading') section = b.text;
    return block(b, section);
  });
}

/** The document as one self-contained HTML page (no external requests, strict CSP, no scripts). */
export function renderHtml(doc: Doc): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${forHtml(doc.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    doc.onePage ? '<body class="one-page">' : '<body>',
    `<h1>${forHtml(doc.title)}</h1>`,
    `<p class="byline">${forHtml(doc.byline)}</p>`,
    ...sectioned(doc.blocks),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
