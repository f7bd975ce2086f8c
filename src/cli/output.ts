import { forTerminal } from '../untrusted.js';
import type { Block } from './spec.js';

/** Where output goes; `isTTY` decides between tables with colour and plain text. */
export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Styler {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const plain: Styler = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };
const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const colour: Styler = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
};

/** Colours only on a terminal, and never with --no-color or NO_COLOR. */
export function stylerFor(stream: Stream, noColor: boolean): Styler {
  return stream.isTTY && !noColor ? colour : plain;
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return forTerminal(String(value));
}

/** Render blocks as text; every value is escaped for the terminal here, in one place. */
export function renderBlocks(blocks: Block[], style: Styler): string {
  const out: string[] = [];
  for (const block of blocks) {
    if (out.length) out.push('');
    switch (block.kind) {
      case 'text':
        out.push(...block.lines.map((l) => forTerminal(l)));
        break;
      case 'fields': {
        if (block.title) out.push(style.bold(forTerminal(block.title)));
        const width = Math.max(0, ...block.fields.map(([k]) => k.length));
        for (const [k, v] of block.fields) out.push(`  ${forTerminal(k).padEnd(width)}  ${cell(v)}`);
        break;
      }
      case 'table': {
        if (block.title) out.push(style.bold(forTerminal(block.title)));
        const rows = block.rows.map((r) => r.map(cell));
        const head = block.columns.map((c) => forTerminal(c));
        const widths = head.map((h, i) =>
          Math.min(80, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
        );
        const line = (r: string[]) =>
          r
            .map((c, i) => {
              const w = widths[i] ?? 0;
              return c.length > w ? `${c.slice(0, w - 1)}…` : c.padEnd(w);
            })
            .join('  ')
            .trimEnd();
        out.push(style.dim(line(head)));
        for (const r of rows) out.push(line(r));
        if (rows.length === 0) out.push(style.dim('(none)'));
        break;
      }
    }
  }
  return out.join('\n') + '\n';
}
