import { forTerminal } from '../untrusted.js';
import { inlines, type Doc, type DocBlock, type Inline, type Text } from './doc.js';

/**
 * Text safe in Markdown: no control characters (they would reach a terminal that shows the file),
 * no raw HTML (Markdown viewers render it), no emphasis, link, code or table syntax.
 */
export function forMarkdown(text: string, atLineStart = false): string {
  const out = defang(forTerminal(text))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
  // Block syntax only bites at the start of a line: headings, list marks, numbered lists.
  return atLineStart ? out.replace(/^([#+-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2') : out;
}

/**
 * Addresses in attacker text are written defanged (`hxxps://`, `www[.]`), as incident reports do:
 * GitHub-flavoured Markdown turns bare URLs into links, which escaping does not stop.
 */
function defang(text: string): string {
  return text
    .replace(/\b(h)(?:tt|xx)(ps?):\/\//gi, '$1xx$2://')
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}[.]`);
}

function code(text: string, inTable: boolean): string {
  let value = forTerminal(text);
  // A code span's fence must be longer than any backtick run inside it (CommonMark 6.1).
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  if (inTable) value = value.replace(/\|/g, '\\|');
  const pad = value.startsWith('`') || value.endsWith('`') || value === '' ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

function inline(part: Inline, inTable: boolean, atLineStart: boolean): string {
  if (typeof part === 'string') return forMarkdown(part, atLineStart);
  if ('code' in part) return code(part.code, inTable);
  return part.strong === '' ? '' : `**${forMarkdown(part.strong)}**`;
}

function text(value: Text, inTable = false, atLineStart = false): string {
  return inlines(value)
    .map((p, i) => inline(p, inTable, atLineStart && i === 0))
    .join('');
}

function block(b: DocBlock): string[] {
  switch (b.kind) {
    case 'heading':
      return [`## ${forMarkdown(b.text)}`];
    case 'subheading':
      return [`### ${forMarkdown(b.text)}`];
    case 'para':
      return [text(b.text, false, true)];
    case 'list':
      return b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${text(item, false, true)}`);
    case 'fields':
      return b.rows.map(([name, value]) => `- **${forMarkdown(name)}:** ${text(value)}`);
    case 'table': {
      if (b.rows.length === 0) return [`_${forMarkdown(b.empty)}_`];
      const head = `| ${b.columns.map((c) => forMarkdown(c)).join(' | ')} |`;
      const rule = `| ${b.columns.map(() => '---').join(' | ')} |`;
      return [head, rule, ...b.rows.map((r) => `| ${r.map((c) => text(c, true)).join(' | ')} |`)];
    }
    case 'figure':
      // Markdown viewers differ on inline SVG; the HTML report carries the picture.
      return [`_${forMarkdown(b.caption)} (picture in the HTML report)_`];
  }
}

/** The document as Markdown. */
export function renderMarkdown(doc: Doc): string {
  const out = [`# ${forMarkdown(doc.title)}`, '', `_${forMarkdown(doc.byline)}_`];
  for (const b of doc.blocks) out.push('', ...block(b));
  return out.join('\n') + '\n';
}
