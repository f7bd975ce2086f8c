import { collectWithAthena } from '../../athena/collect.js';
import { formatSize, splitS3 } from '../../athena/layout.js';
import { CaseFolder } from '../../case/case.js';
import { UsageError } from '../../errors.js';
import { checkWindow, parseTimeBound } from '../../trail/window.js';
import { caseContext, resolveCaseDir } from '../case-dir.js';
import type { Outcome, RunEnv } from '../spec.js';
import { athenaSettings, requireAthenaEngine } from './athena-settings.js';
import { coverageBlock } from './collect-run.js';
import type { CollectInput } from './collect.js';

/** Run `tourniquet collect --engine athena --source s3://…`. */
export async function runAthenaCollect({ options }: CollectInput, env: RunEnv): Promise<Outcome> {
  requireAthenaEngine(options.engine);
  const sources = options.source ?? [];
  if (sources.length !== 1 || !sources[0]!.startsWith('s3://'))
    throw new UsageError('--engine athena reads one trail bucket.', 'Pass --source s3://BUCKET[/PREFIX].');
  const source = sources[0]!;
  splitS3(source, '--source');
  const settings = athenaSettings(options, env);
  const now = env.clock.now();
  const since = options.since === undefined ? undefined : parseTimeBound(options.since, 'since', now);
  const until = options.until === undefined ? undefined : parseTimeBound(options.until, 'until', now);
  checkWindow(since, until);
  const caseFolder = CaseFolder.open(resolveCaseDir(env), { clock: env.clock });
  try {
    const ctx = await caseContext(env, caseFolder);
    const result = await collectWithAthena(ctx, {
      source,
      since,
      until,
      ...settings,
    });
    return {
      exitCode: result.incomplete ? 3 : 0,
      json: { case: caseFolder.id, engine: 'athena', ...result },
      blocks: [
        {
          kind: 'fields',
          title: `Collection for ${caseFolder.id} with Athena (${result.tables.join(', ')})`,
          fields: [
            ['Events in the case store', result.storedEvents],
            ['Records read now', result.recordsRead],
            ['Scanned', formatSize(result.queries.reduce((s, q) => s + q.scannedBytes, 0))],
          ],
        },
        coverageBlock(result.coverage),
      ],
    };
  } finally {
    caseFolder.close();
  }
}
