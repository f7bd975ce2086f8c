import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { audit } from '../../audit/audit.js';
import { recordRun, trendHtml, trendRows } from '../../audit/history.js';
import type { AuditReport, CheckResult } from '../../audit/types.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import type { AuditInput } from './audit.js';

const STATUS_ORDER: CheckResult['status'][] = ['fail', 'not-checked', 'pass', 'not-applicable'];

/** Run `tourniquet audit`. */
export async function runAudit({ options }: AuditInput, env: RunEnv): Promise<Outcome> {
  const pool = await env.aws();
  const report = await audit(
    { clock: env.clock, log: env.log, progress: env.progress },
    { pool, regions: options['only-region'] },
  );
  let history: { file: string; trendFile: string; rows: (string | number)[][]; runs: number } | undefined;
  if (options.history) {
    const dir = resolve(env.cwd, options.history);
    const kept = recordRun(dir, report);
    for (const note of kept.notes) env.log.warn(note);
    const trendFile = join(dir, 'trend.html');
    writeFileSync(trendFile, trendHtml(report.account, kept.points));
    history = { file: kept.file, trendFile, rows: trendRows(kept.points), runs: kept.points.length };
  }
  const partial = report.checks.some((c) => c.status === 'not-checked');
  return {
    exitCode: partial ? 3 : 0,
    json: {
      ...report,
      ...(history ? { history: { file: history.file, trend: history.trendFile, runs: history.runs } } : {}),
    },
    blocks: blocksOf(report, history),
  };
}

function blocksOf(
  r: AuditReport,
  history: { file: string; trendFile: string; rows: (string | number)[][]; runs: number } | undefined,
): Block[] {
  const m = r.metrics;
  const sorted = [...r.checks].sort(
    (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status),
  );
  const blocks: Block[] = [
    {
      kind: 'fields',
      title: `Audit of account ${r.account}`,
      fields: [
        ['As', r.responder],
        ['Regions read', `${r.regions.list.length} (${r.regions.source})`],
        [
          'Checks',
          `${m.checksFailed} fail, ${m.checksNotChecked} not checked, ${m.checksPassed} pass, ` +
            `${r.checks.length - m.checksFailed - m.checksNotChecked - m.checksPassed} not applicable`,
        ],
        [
          'Access keys',
          m.activeKeys === null
            ? 'not checked'
            : `${m.activeKeys} active for ${m.users} users; oldest ${m.oldestActiveKeyAgeDays} days; ` +
              `${m.activeKeysOlderThan90Days} older than 90 days; ${m.activeKeysUnused90Days} unused for 90 days`,
        ],
        [
          'Console users without MFA',
          m.consoleUsers === null
            ? 'not checked'
            : `${m.consoleUsersWithoutMfa} of ${m.consoleUsers} (${m.consoleUsersWithoutMfaPercent}%)`,
        ],
      ],
    },
    {
      kind: 'table',
      title: 'Checks',
      columns: ['STATUS', 'CHECK', 'CIS', 'EVIDENCE / WHY'],
      rows: sorted.map((c) => [
        c.status,
        c.id,
        c.cis.join(' '),
        c.status === 'not-checked' || c.status === 'not-applicable'
          ? (c.why ?? '')
          : c.evidence.slice(0, 3).join('; ') + (c.evidence.length > 3 ? ` (+${c.evidence.length - 3})` : ''),
      ]),
    },
  ];
  const failed = sorted.filter((c) => c.status === 'fail');
  if (failed.length)
    blocks.push({
      kind: 'table',
      title: 'How to fix',
      columns: ['CHECK', 'FIX'],
      rows: failed.map((c) => [c.id, c.fix]),
    });
  if (history)
    blocks.push({
      kind: 'table',
      title: `Trend over ${history.runs} run(s) (kept in ${history.file}; chart: ${history.trendFile})`,
      columns: ['METRIC', 'FIRST', 'PREVIOUS', 'NOW', 'CHANGE'],
      rows: history.rows,
    });
  return blocks;
}
