import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import {
  buildFacts,
  factText,
  isUnknown,
  renderReport,
  REPORT_FORMATS,
  REPORT_KINDS,
  type ReportFormat,
  type ReportKind,
} from '../../report/index.js';
import { usd } from '../../report/cost.js';
import { writeEmails } from '../../notify/email.js';
import { sendEmails, smtpServer, type SentMail } from '../../notify/smtp.js';
import { notifyStatus } from '../../notify/status.js';
import { webhookOrigin } from '../../notify/webhook.js';
import { parseTimeBound } from '../../trail/window.js';
import { resolveCaseDir } from '../case-dir.js';
import { recordCostExplorer } from './report-cost-explorer.js';
import type { Outcome, RunEnv } from '../spec.js';
import type { ReportInput } from './report.js';

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(
    `--${name} ${value}: not one of ${allowed.join(', ')}.`,
    `Use --${name} ${fallback}, for example.`,
  );
}

/** Run `tourniquet report`. */
export async function runReport({ options }: ReportInput, env: RunEnv): Promise<Outcome> {
  const kind = oneOf<ReportKind>('kind', options.kind, REPORT_KINDS, 'full');
  const format = oneOf<ReportFormat>('format', options.format, REPORT_FORMATS, 'md');
  const now = env.clock.now();
  const asOf =
    options['as-of'] === undefined ? now : new Date(parseTimeBound(options['as-of'], 'as-of', now));
  if (options.notify !== undefined) {
    if (kind !== 'status')
      throw new UsageError(
        `--notify posts the status update; it does not go with --kind ${kind}.`,
        'Use `tourniquet report --kind status --notify URL`.',
      );
    webhookOrigin(options.notify);
  }
  const to = (options['email-to'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (options.smtp !== undefined) {
    smtpServer(options.smtp);
    if (!options['email-out'] || to.length === 0)
      throw new UsageError(
        '--smtp sends the mail --email-out writes, to the --email-to recipients: give all three.',
        'Use `tourniquet report --email-out mail/ --smtp smtp://host:587 --email-to ciso@example.com`.',
      );
  } else if (options['email-to'] !== undefined || options['email-from'] !== undefined)
    throw new UsageError('--email-to and --email-from go with --smtp.', 'Add --smtp smtp://host:587.');
  const dir = resolveCaseDir(env);
  let facts = await buildFacts(dir, { asOf });
  if (options['cost-explorer']) {
    const pool = await env.aws();
    pool.caseId = facts.caseId;
    const first = facts.times.firstAttackerEvent;
    const from = new Date(isUnknown(first) ? asOf.getTime() - 86_400_000 : Date.parse(first));
    const read = await recordCostExplorer(dir, pool, env.clock, { from, to: asOf });
    if (read.ok) facts = await buildFacts(dir, { asOf });
    else env.log.warn(`Cost Explorer could not be read: ${read.reason}; the report says so.`);
  }
  if (isUnknown(facts.timeline)) env.log.warn(`The attacker's activity is ${factText(facts.timeline)}.`);
  // Partial coverage exits 3, as in collect, investigate and respond: the document may miss things.
  const partial = !isUnknown(facts.coverage) && facts.coverage.some((c) => c.state !== 'complete');
  if (partial)
    env.log.warn(
      'Coverage of the evidence is partial: the report may miss attacker activity (see its coverage section).',
    );
  const content = renderReport(facts, kind, format);
  const notice = options.notify ? await notifyStatus(dir, options.notify, env.clock) : undefined;
  if (notice)
    env.log[notice.ok ? 'info' : 'warn'](
      notice.ok
        ? `Status update posted to ${notice.origin} (HTTP ${notice.status}).`
        : `The status update could not be posted to ${notice.origin}: ${notice.error}. Post it by hand; the journal records the failure.`,
    );
  const emails = options['email-out'] ? await writeEmails(facts, resolve(env.cwd, options['email-out'])) : [];
  for (const file of emails) env.log.info(`Mail draft written: ${file}`);
  const mailed: SentMail[] = options.smtp
    ? await sendEmails(
        dir,
        facts,
        {
          url: options.smtp,
          to,
          ...(options['email-from'] ? { from: options['email-from'] } : {}),
          ...(env.env.TOURNIQUET_SMTP_PASSWORD ? { password: env.env.TOURNIQUET_SMTP_PASSWORD } : {}),
        },
        env.clock,
      )
    : [];
  for (const m of mailed)
    env.log[m.ok ? 'info' : 'warn'](
      m.ok
        ? `Sent ${m.file.replace(/\.eml$/, '')} to ${to.join(', ')} (${m.messageId ?? ''}).`
        : `${m.file.replace(/\.eml$/, '')} could not be sent: ${m.error ?? ''}. Send the draft by hand; the journal records the failure.`,
    );
  // A status update that did not reach its readers is a failure of what was asked.
  const exitOf = (code: 0 | 3): 0 | 1 | 3 => ((notice && !notice.ok) || mailed.some((m) => !m.ok) ? 1 : code);
  if (options.out) {
    const file = resolve(env.cwd, options.out);
    writeFileSync(file, content);
    return {
      exitCode: exitOf(partial ? 3 : 0),
      json: {
        file,
        kind,
        format,
        bytes: Buffer.byteLength(content),
        ...(notice ? { notify: notice } : {}),
        ...(emails.length ? { emails } : {}),
        ...(mailed.length ? { mailed } : {}),
      },
      blocks: [
        {
          kind: 'fields',
          title: `Report written: ${file}`,
          fields: [
            ['Document', `${kind} (${format})`],
            ['Case', `${facts.caseId} (${dir})`],
            ['Contained', facts.contained ? 'yes' : 'no'],
            ['Estimated cost', factText(facts.cost, (c) => usd(c.totalUsd))],
          ],
        },
      ],
    };
  }
  return {
    exitCode: exitOf(partial ? 3 : 0),
    json:
      format === 'json'
        ? facts
        : {
            kind,
            format,
            content,
            ...(notice ? { notify: notice } : {}),
            ...(emails.length ? { emails } : {}),
            ...(mailed.length ? { mailed } : {}),
            ...(mailed.length ? { mailed } : {}),
          },
    blocks: [{ kind: 'text', lines: content.replace(/\r?\n$/, '').split(/\r?\n/) }],
  };
}
