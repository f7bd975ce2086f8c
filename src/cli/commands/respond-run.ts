import { notifyStatus } from '../../notify/status.js';
import { webhookOrigin } from '../../notify/webhook.js';
import { resolve } from 'node:path';
import { defaultCasesRoot } from '../../case/list.js';
import { UsageError } from '../../errors.js';
import { respond } from '../../playbook/respond.js';
import { parseSubject } from '../../triage/subject.js';
import { recordAlert } from '../../triggers/start.js';
import { alertBlock, alertJson, awareSinceOf, awarenessOf, subjectFrom } from './from-alert.js';
import { respondBlocks } from './respond-output.js';
import { secretSink } from '../secret-sink.js';
import type { Outcome, RunEnv } from '../spec.js';
import type { RespondInput } from './respond.js';

/** Run `tourniquet respond`. */
export async function runRespond({ options, args }: RespondInput, env: RunEnv): Promise<Outcome> {
  const awareSince = awareSinceOf(options['aware-since'], env.clock.now());
  if (args[0] !== undefined) parseSubject(args[0]);
  const { subject, alert } = await subjectFrom(options.from, args[0], env);
  const awareness = awarenessOf(awareSince, alert);
  const secretOut = options['secret-out'] ? resolve(env.cwd, options['secret-out']) : undefined;
  if (secretOut && !options.rotate) throw new UsageError('--secret-out goes with --rotate.');
  if (options.notify !== undefined) webhookOrigin(options.notify);
  const pool = await env.aws();
  const secrets = secretSink(secretOut);
  const result = await respond(
    { clock: env.clock, log: env.log, progress: env.progress, aws: pool },
    {
      subject,
      yes: options.yes ?? false,
      confirm: (q) => env.confirm(q),
      where: {
        dir: env.globals.case ? resolve(env.cwd, env.globals.case) : undefined,
        root: defaultCasesRoot(env.env, env.cwd),
      },
      awareness,
      accountRole: options['account-role'],
      rotate: options.rotate ?? false,
      reveal: secrets.reveal,
      onPhaseStart: (p) => env.log.info(`[${p.index}/${p.total}] ${p.title}…`),
      onPhaseEnd: (p) => env.log.info(`  ${p.state.toUpperCase()}: ${p.summary}`),
      ...(alert ? { onOpened: (folder) => recordAlert(folder, alert, env.clock.now()) } : {}),
      onPlan: (plan) => {
        for (const s of plan.steps)
          env.log.info(`  plan: ${s.action} ${s.target}${s.noop ? ' (no change)' : ''}`);
      },
    },
  );
  secrets.close();
  const notice = options.notify ? await notifyStatus(result.dir, options.notify, env.clock) : undefined;
  if (notice)
    env.log[notice.ok ? 'info' : 'warn'](
      notice.ok
        ? `Status update posted to ${notice.origin} (HTTP ${notice.status}).`
        : `The status update could not be posted to ${notice.origin}: ${notice.error}. The journal records it; post it by hand (tourniquet report --kind status).`,
    );
  const exitCode = result.failed ? 1 : result.partial || (notice && !notice.ok) ? 3 : 0;
  const blocks = respondBlocks(result, secrets.blocks());
  const json = { ...result, secrets: secretOut ? [] : secrets.shown, ...(notice ? { notify: notice } : {}) };
  return {
    exitCode,
    json: alert ? { ...json, alert: alertJson(alert) } : json,
    blocks: alert ? [alertBlock(alert), ...blocks] : blocks,
  };
}
