import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ownAccessKeyId } from '../../aws/identity.js';
import { UsageError } from '../../errors.js';
import { MAX_ALERT_BYTES } from '../../triggers/read.js';
import { parseTimeBound } from '../../trail/window.js';
import { startFromAlert, type AlertStart } from '../../triggers/start.js';
import type { Block, RunEnv } from '../spec.js';

/** Read all of stdin (for `--from -`), refusing more than an alert can be. */
async function readStdin(stdin: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stdin) throw new UsageError('--from -: no standard input to read.', 'Pass --from FILE instead.');
  if ((stdin as { isTTY?: boolean }).isTTY)
    throw new UsageError(
      '--from -: standard input is a terminal, not a document.',
      'Pipe the alert in (e.g. `aws guardduty get-findings … | tourniquet respond --from -`), or pass --from FILE.',
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_ALERT_BYTES) break;
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readSource(from: string, env: RunEnv): Promise<{ text: string; name: string }> {
  if (from === '-') return { text: await readStdin(env.stdio.stdin), name: 'stdin' };
  const path = resolve(env.cwd, from);
  try {
    return { text: await readFile(path, 'utf8'), name: from };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--from ${from}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (error as Error).message}.`,
      'Pass the alert document (a GuardDuty finding, Health event, …) or - to read it from standard input.',
    );
  }
}

/**
 * The subject of `respond`/`triage`: SUBJECT, or what the alert given with `--from` names or leads
 * to (following a lead reads CloudTrail with the responder's credentials). Undefined `from` =
 * no alert.
 */
export async function subjectFrom(
  from: string | undefined,
  subject: string | undefined,
  env: RunEnv,
): Promise<{ subject: string; alert: AlertStart | undefined }> {
  if (from === undefined) {
    if (subject === undefined)
      throw new UsageError(
        'missing SUBJECT (or --from FILE)',
        'Name the credential, or give the alert: --from FILE.',
      );
    return { subject, alert: undefined };
  }
  const { text, name } = await readSource(from, env);
  const alert = await startFromAlert(text, name, subject, async () => {
    const pool = await env.aws();
    return { pool, now: env.clock.now(), ownKey: await ownAccessKeyId(pool) };
  });
  env.log.info(`${alert.trigger.name} → ${alert.subject}`);
  return { subject: alert.subject, alert };
}

/**
 * `--aware-since`, read strictly (ISO-8601 UTC, a date, or an age such as 2h) before anything else
 * runs, so a typo is refused before the alert is followed or credentials are read.
 */
export function awareSinceOf(value: string | undefined, now: Date): string | undefined {
  return value === undefined ? undefined : parseTimeBound(value, 'aware-since', now);
}

/** When the awareness time comes from: --aware-since (as `awareSinceOf` read it), else the alert, else now. */
export function awarenessOf(awareSince: string | undefined, alert: AlertStart | undefined): Date | undefined {
  if (awareSince !== undefined) return new Date(awareSince);
  return alert?.trigger.awareness ? new Date(alert.trigger.awareness) : undefined;
}

/** The alert a case started from, for the terminal. */
export function alertBlock(alert: AlertStart): Block {
  const t = alert.trigger;
  return {
    kind: 'fields',
    title: `Alert: ${t.name}`,
    fields: [
      ['Says', t.summary],
      ['Subject', alert.subject],
      ['Found by', alert.followed ?? (t.candidates.length ? 'named in the alert' : 'given as SUBJECT')],
      ['Account', t.account ?? 'not in the alert'],
      ['Region', t.region ?? 'not in the alert'],
      ['Raised', t.awareness ? `${t.awareness} (${t.awarenessFrom})` : 'not in the alert'],
      ...t.details,
      ['Reference', t.reference],
      ['Delivered as', t.envelopes.length ? t.envelopes.join(' › ') : 'the document itself'],
    ],
  };
}

/** The alert for `--json`: what it is and says, without the evidence text (it is in the case). */
export function alertJson(alert: AlertStart): Record<string, unknown> {
  const { evidence: _evidence, ...trigger } = alert.trigger;
  return { subject: alert.subject, followed: alert.followed, ...trigger };
}
