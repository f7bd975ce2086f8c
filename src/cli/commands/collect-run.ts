import { resolve } from 'node:path';
import { CaseFolder } from '../../case/case.js';
import { AccountPools } from '../../actions/accounts.js';
import { collectCloudTrail, type CollectResult } from '../../trail/collect.js';
import { checkWindow, parseTimeBound } from '../../trail/window.js';
import { caseContext, resolveCaseDir } from '../case-dir.js';
import type { CoverageEntry } from '../../trail/coverage.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import type { CollectInput } from './collect.js';

/** Run `tourniquet collect`. */
export async function runCollect({ options, args }: CollectInput, env: RunEnv): Promise<Outcome> {
  if (options.engine === 'lake')
    return (await import('./lake-run.js')).runLakeCollect({ options, args }, env);
  if (options.engine !== undefined && options.engine !== 'local')
    return (await import('./collect-athena-run.js')).runAthenaCollect({ options, args }, env);
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
    const ctx = await caseContext(env, caseFolder);
    // Sessions that crossed into other accounts are looked up there through --account-role.
    const role = options['account-role'];
    const pools = role ? await AccountPools.forCase(ctx, role) : undefined;
    const key = caseFolder.info.subject?.accessKeyId;
    const account = caseFolder.info.account ?? '';
    const follow =
      (options.follow === true || role !== undefined) && key && account
        ? (await import('../../playbook/collect.js')).followingDerived([key], account)
        : undefined;
    let result: CollectResult;
    try {
      result = await collectCloudTrail(ctx, {
        sources,
        since,
        until,
        // `--since 90d` is counted from this instant: the collection's 90 days must be too.
        now,
        signal: controller.signal,
        follow,
        account: account || null,
        poolFor: pools ? (a) => pools.poolFor(a) : undefined,
      });
    } finally {
      await pools?.destroy();
    }
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
        coverageBlock(result.coverage),
      ],
    };
  } finally {
    process.removeListener('SIGINT', stop);
    caseFolder.close();
  }
}

/** The coverage table every collection prints. */
export function coverageBlock(coverage: CoverageEntry[]): Block {
  return {
    kind: 'table',
    title: 'Coverage',
    columns: ['STATUS', 'SOURCE', 'REGION', 'SCOPE', 'FROM', 'TO', 'RECORDS', 'REASON'],
    rows: coverage.map((c) => [c.status, c.source, c.region, c.scope, c.from, c.to, c.records, c.reason]),
  };
}
