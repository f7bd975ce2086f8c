import { resolve } from 'node:path';
import { prevent } from '../../prevent/prevent.js';
import type { Outcome, RunEnv } from '../spec.js';
import type { PreventInput } from './prevent.js';

/** Run `tourniquet prevent`. */
export async function runPrevent({ options }: PreventInput, env: RunEnv): Promise<Outcome> {
  const result = await prevent(
    { clock: env.clock, log: env.log, progress: env.progress },
    {
      pool: await env.aws(),
      out: resolve(env.cwd, options.out ?? 'tourniquet-prevent'),
      breakGlassRole: options['break-glass-role'] ?? 'BreakGlass',
      allowRegions: options['allow-region'] ?? [],
    },
  );
  return {
    json: result,
    blocks: [
      {
        kind: 'fields',
        title: `Guard-rails for account ${result.account}`,
        fields: [
          ['Written to', result.out],
          [
            'Regions allowed',
            `${result.regions.allowed.join(', ')} (us-east-1 for global services; keys last used in: ${result.regions.fromKeys.join(', ') || 'none'}${result.regions.given.length ? `; given: ${result.regions.given.join(', ')}` : ''})`,
          ],
          ['Keys to replace', String(result.keyPlan.length)],
        ],
      },
      {
        kind: 'table',
        title: 'Artifacts (nothing was applied)',
        columns: ['FILE', 'WHAT', 'HOW TO APPLY'],
        rows: result.artifacts.map((a) => [a.file.slice(result.out.length + 1), a.what, a.apply]),
      },
      {
        kind: 'table',
        title: 'Long-term keys, oldest first',
        columns: ['USER', 'KEY', 'AGE', 'LAST USED', 'REPLACE WITH'],
        rows: result.keyPlan.map((k) => [
          k.user,
          k.keyId,
          k.ageDays ?? '',
          k.lastUsed
            ? `${k.lastUsed.slice(0, 10)} ${k.lastUsedService ?? ''} ${k.lastUsedRegion ?? ''}`.trim()
            : 'never',
          k.replaceWith,
        ]),
      },
    ],
  };
}
