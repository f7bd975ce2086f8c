import { resolve } from 'node:path';
import { defaultCasesRoot } from '../../case/list.js';
import { UsageError } from '../../errors.js';
import { respond } from '../../playbook/respond.js';
import { defineCommand } from '../spec.js';
import { respondBlocks } from './respond-output.js';

export const respondCommand = defineCommand({
  name: 'respond',
  summary: 'the whole playbook for a credential: triage, contain, collect, investigate, report',
  description:
    'Triage → contain (plan, confirm, apply, verify) → collect (LookupEvents in every enabled region and the\n' +
    'trail bucket) → investigate → report (report.html, report.md, timeline.csv in the case folder).\n' +
    'Containment is applied only with --yes or a yes at the prompt. Running it again for the same\n' +
    'subject continues the case: completed phases are skipped, an interrupted one resumes.\n' +
    'Exit code 3 when coverage is partial, a check could not be made, or containment was not applied.',
  args: [{ name: 'SUBJECT', description: 'access key id, user name/ARN, role ARN, or root', required: true }],
  options: {
    yes: { type: 'boolean', description: 'apply the containment plan without asking' },
    'account-role': {
      type: 'string',
      value: 'NAME',
      description: 'role to assume in other accounts reached by derived sessions',
    },
    'aware-since': {
      type: 'string',
      value: 'TIME',
      description: 'when the organisation became aware (default: now)',
    },
  },
  examples: [
    'tourniquet respond AKIAIOSFODNN7EXAMPLE',
    'tourniquet respond AKIAIOSFODNN7EXAMPLE --yes --json',
    'tourniquet respond AKIAIOSFODNN7EXAMPLE --case cases/tq-20261128-150312-4f2a',
  ],
  async run({ options, args }, env) {
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
  },
});
