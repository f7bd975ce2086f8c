import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forHtml } from '../untrusted.js';
import type { AuditMetrics, AuditReport } from './types.js';

/** One kept run: when, and the numbers. */
export interface HistoryPoint {
  at: string;
  metrics: AuditMetrics;
}

/** The metrics a trend shows, in order, with their label. */
export const TREND_METRICS: { key: keyof AuditMetrics; label: string }[] = [
  { key: 'users', label: 'IAM users' },
  { key: 'activeKeys', label: 'active access keys' },
  { key: 'maxActiveKeysPerUser', label: 'most active keys of one user' },
  { key: 'oldestActiveKeyAgeDays', label: 'oldest active key (days)' },
  { key: 'activeKeysOlderThan90Days', label: 'active keys older than 90 days' },
  { key: 'activeKeysUnused90Days', label: 'active keys unused for 90 days' },
  { key: 'consoleUsers', label: 'console users' },
  { key: 'consoleUsersWithoutMfa', label: 'console users without MFA' },
  { key: 'consoleUsersWithoutMfaPercent', label: 'console users without MFA (%)' },
  { key: 'checksPassed', label: 'checks passed' },
  { key: 'checksFailed', label: 'checks failed' },
  { key: 'checksNotChecked', label: 'checks not checked' },
];

const FILE = /^audit-(\d{8}T\d{6}Z)\.json$/;

/** The file name a run is kept under: sortable, one per second. */
export function runFileName(at: string): string {
  return `audit-${at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
}

/**
 * Keep `report` in `dir` (written to a temporary name, then renamed, so a crash leaves no half
 * file) and read every run kept there for the same account, oldest first. A file that does not
 * parse is skipped and named in `notes`; it is never changed.
 */
export function recordRun(
  dir: string,
  report: AuditReport,
): { file: string; points: HistoryPoint[]; notes: string[] } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, runFileName(report.at));
  writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  const notes: string[] = [];
  const points: HistoryPoint[] = [];
  let otherAccounts = 0;
  for (const name of readdirSync(dir)
    .filter((n) => FILE.test(n))
    .sort()) {
    const path = join(dir, name);
    let run: Partial<AuditReport>;
    try {
      run = JSON.parse(readFileSync(path, 'utf8')) as Partial<AuditReport>;
    } catch (error) {
      notes.push(`${path} is not a readable audit run (${(error as Error).message}); skipped, left as is.`);
      continue;
    }
    if (typeof run.at !== 'string' || typeof run.metrics !== 'object' || run.metrics === null) {
      notes.push(`${path} has no "at" and "metrics"; skipped, left as is.`);
      continue;
    }
    if (run.account !== report.account) {
      otherAccounts++;
      continue;
    }
    points.push({ at: run.at, metrics: run.metrics });
  }
  if (otherAccounts)
    notes.push(`${otherAccounts} run(s) in ${dir} are of another account; the trend leaves them out.`);
  return { file, points, notes };
}

/** One row per metric: first run, previous run, this run, and the change since the previous. */
export function trendRows(points: HistoryPoint[]): (string | number)[][] {
  const first = points[0];
  const prev = points.at(-2);
  const last = points.at(-1);
  const show = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v);
  return TREND_METRICS.map(({ key, label }) => {
    const now = last?.metrics[key];
    const before = prev?.metrics[key];
    const change =
      typeof now === 'number' && typeof before === 'number'
        ? now === before
          ? '='
          : `${now > before ? '+' : ''}${Math.round((now - before) * 10) / 10}`
        : '';
    return [label, show(first?.metrics[key]), show(prev?.metrics[key]), show(now), change];
  });
}

function chart(points: HistoryPoint[], key: keyof AuditMetrics, label: string): string {
  const w = 320;
  const h = 90;
  const values = points.map((p) => p.metrics[key]);
  const known = values.filter((v): v is number => typeof v === 'number');
  const max = Math.max(1, ...known);
  const x = (i: number) => (points.length < 2 ? w / 2 : 10 + (i * (w - 20)) / (points.length - 1));
  const y = (v: number) => h - 15 - (v * (h - 30)) / max;
  const dots = values
    .map((v, i) =>
      typeof v === 'number'
        ? `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3"><title>${forHtml(points[i]!.at)}: ${v}</title></circle>`
        : '',
    )
    .join('');
  const line = values
    .map((v, i) => (typeof v === 'number' ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : ''))
    .filter(Boolean)
    .join(' ');
  const last = values.at(-1);
  return (
    `<figure><figcaption>${forHtml(label)}: <b>${last ?? '—'}</b></figcaption>` +
    `<svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${forHtml(label)}">` +
    `<line x1="0" y1="${h - 15}" x2="${w}" y2="${h - 15}" stroke="#ccc"/>` +
    `<text x="0" y="10" font-size="10">${max}</text>` +
    `<polyline points="${line}" fill="none" stroke="#2b6cb0" stroke-width="2"/>${dots}</svg></figure>`
  );
}

/** A self-contained HTML page charting every metric over the kept runs (no script, no network). */
export function trendHtml(account: string, points: HistoryPoint[]): string {
  const span = points.length ? `${points[0]!.at} … ${points.at(-1)!.at}` : 'no runs';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Audit trend: ${forHtml(account)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}figure{display:inline-block;margin:0 1.5em 1.5em 0}figcaption{margin-bottom:.3em}</style>
</head><body>
<h1>Audit trend of account ${forHtml(account)}</h1>
<p>${points.length} run(s), ${forHtml(span)}.</p>
${TREND_METRICS.map((m) => chart(points, m.key, m.label)).join('\n')}
</body></html>
`;
}
