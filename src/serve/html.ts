import { forHtml } from '../untrusted.js';

/** A table of already-escaped cells, or a line saying it is empty; `attrs` go on each row. */
export function table(columns: string[], rows: string[][], empty: string, attrs: string[] = []): string {
  if (rows.length === 0) return `<p class="empty">${forHtml(empty)}</p>`;
  const head = columns.map((c) => `<th scope="col">${forHtml(c)}</th>`).join('');
  const body = rows.map((r, i) => `<tr${attrs[i] ?? ''}>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}
