import { resolve } from 'node:path';
import { defaultCasesRoot } from '../../case/list.js';
import { UsageError } from '../../errors.js';
import { respond } from '../../playbook/respond.js';
import { respondBlocks } from './respond-output.js';
import type { Outcome, RunEnv } from '../spec.js';
import type { RespondInput } from './respond.js';

/** Run `tourniquet respond`. */
export async function runRespond({ options, args }: RespondInput, env: RunEnv): Promise<Outcome> {
  let awareness: Date | undefined;
  if (options['aware-since'] !== undefined) {
    awareness = new Date(Date.parse(options['aware-since']));
    if (Number.isNaN(awareness.getTime()))
      throw new UsageError(
        `--aware-since ${options['aware-since']}: not a date.`,
        'Use ISO-8601, e.g. 2026-11-28T14:05:00Z.',
      );
  }
  const pool = await env.aws();
  const result = await respond(
    { clock: env.clock, log: env.log, progress: env.progress, aws: pool },
    {
      subject: args[0]!,
      yes: options.yes ?? false,
      confirm: (q) => env.confirm(q),
      where: {
        dir: env.globals.case ? resolve(env.cwd, env.globals.case) : undefined,
        root: defaultCasesRoot(env.env, env.cwd),
      },
      awareness,
      accountRole: options['account-role'],
      onPhaseStart: (p) => env.log.info(`[${p.index}/${p.total}] ${p.title}…`),
      onPhaseEnd: (p) => env.log.info(`  ${p.state.toUpperCase()}: ${p.summary}`),
      onPlan: (plan) => {
        for (const s of plan.steps)
          env.log.info(`  plan: ${s.action} ${s.target}${s.noop ? ' (no change)' : ''}`);
      },
    },
  );
  const exitCode = result.failed ? 1 : result.partial ? 3 : 0;
  return { exitCode, json: result, blocks: respondBlocks(result) };
}
