import { resolve } from 'node:path';
import { CaseFolder } from '../../case/case.js';
import type { CaseContext } from '../../context.js';
import { collectCloudTrail } from '../../trail/collect.js';
import { checkWindow, parseTimeBound } from '../../trail/window.js';
import { resolveCaseDir } from '../case-dir.js';
import { defineCommand } from '../spec.js';

export const collect = defineCommand({
  name: 'collect',
  summary: "collect the subject's CloudTrail into the case (LookupEvents, trail bucket, files)",
  description:
    '--source api: LookupEvents in every enabled region (global-service events come from us-east-1), by the\n' +
    "case's access key id and user name, paged to the end at 2 requests/s per region, checkpointed so an\n" +
    'interrupted run resumes. --source s3://BUCKET[/PREFIX]: the trail bucket; only the date folders of the\n' +
    'window in enabled regions are listed; every object is kept in evidence/ with its sha256. --source trails:\n' +
    'the buckets of the trails DescribeTrails finds in any region (organisation trails included). --source PATH:\n' +
    'local CloudTrail files. Coverage (complete / partial / failed, per source and region) is stored in the\n' +
    'case and printed; exit 3 when anything is partial.',
  args: [],
  options: {
    source: {
      type: 'string',
      multiple: true,
      value: 'api|trails|s3://BUCKET/PREFIX|PATH',
      description: 'where to read CloudTrail (repeatable; default: api)',
    },
    since: {
      type: 'string',
      value: 'T',
      description: 'window start (ISO time, date or age; default: 90 days ago)',
    },
    until: { type: 'string', value: 'T', description: 'window end (default: now)' },
  },
  examples: [
    'tourniquet collect --case cases/tq-20261128-150312-4f2a',
    'tourniquet collect --source s3://org-trail-logs/ct --since 2026-11-20 --until 2026-11-28',
    'tourniquet collect --source ./exported-logs',
  ],
  async run({ options }, env) {
    const now = env.clock.now();
    const since = options.since === undefined ? undefined : parseTimeBound(options.since, 'since', now);
    const until = options.until === undefined ? undefined : parseTimeBound(options.until, 'until', now);
    checkWindow(since, until);
    const sources = (options.source ?? []).map((s) =>
      s === 'api' || s === 'trails' || s.startsWith('s3://') ? s : resolve(env.cwd, s),
    );
    const dir = resolveCaseDir(env);
    const caseFolder = CaseFolder.open(dir, { clock: env.clock });
    const controller = new AbortController();
    // Ctrl-C stops between pages: what was fetched is kept and the next run resumes from there.
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    try {
      const pool = await env.aws();
      pool.caseId = caseFolder.id;
      const ctx: CaseContext = {
        clock: env.clock,
        log: env.log,
        progress: env.progress,
        case: caseFolder,
        aws: pool,
      };
      const result = await collectCloudTrail(ctx, { sources, since, until, signal: controller.signal });
      return {
        exitCode: result.incomplete ? 3 : 0,
        json: { case: caseFolder.id, ...result },
        blocks: [
          {
            kind: 'fields',
            title: `Collection for ${caseFolder.id}`,
            fields: [
              ['Events in the case store', result.storedEvents],
              ['Records read now', result.recordsRead],
              ['Interrupted', result.interrupted ? 'yes: run the same command again to resume' : 'no'],
            ],
          },
          {
            kind: 'table',
            title: 'Coverage',
            columns: ['STATUS', 'SOURCE', 'REGION', 'SCOPE', 'FROM', 'TO', 'RECORDS', 'REASON'],
            rows: result.coverage.map((c) => [
              c.status,
              c.source,
              c.region,
              c.scope,
              c.from,
              c.to,
              c.records,
              c.reason,
            ]),
          },
        ],
      };
    } finally {
      process.removeListener('SIGINT', stop);
      caseFolder.close();
    }
  },
});
