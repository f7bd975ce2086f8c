import { createTransport } from 'nodemailer';
import { CaseFolder } from '../case/case.js';
import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import type { Facts } from '../report/index.js';
import { composeEmails } from './email.js';

/** Where to send: the server and who receives the messages. */
export interface SmtpTarget {
  /** `smtp://[user@]host[:port]` (STARTTLS; required unless the host is this machine) or `smtps://…` (TLS). */
  url: string;
  to: string[];
  from?: string;
  /** The password for the URL's user (from TOURNIQUET_SMTP_PASSWORD, never from the command line). */
  password?: string;
}

/** What sending one message gave, for the terminal, the JSON output and the journal. */
export interface SentMail {
  file: string;
  ok: boolean;
  messageId?: string;
  error?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The server named by `--smtp`, checked: scheme, no password in it, its origin for the journal. */
export function smtpServer(url: string): {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  origin: string;
} {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(
      `--smtp ${JSON.stringify(url)} is not a URL.`,
      'Give smtp://host:587 or smtps://host:465.',
    );
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
    throw new UsageError(
      `--smtp ${u.protocol} URLs are not supported.`,
      'Give smtp://host:587 or smtps://host:465.',
    );
  if (u.password)
    throw new UsageError(
      '--smtp must not carry a password (it would stay in the shell history and the process list).',
      'Give smtp://user@host:587 and set TOURNIQUET_SMTP_PASSWORD.',
    );
  const secure = u.protocol === 'smtps:';
  const port = u.port ? Number(u.port) : secure ? 465 : 587;
  return {
    host: u.hostname,
    port,
    secure,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    origin: `${u.protocol}//${u.hostname}:${port}`,
  };
}

/**
 * Send the executive briefing and the AWS Support text (the messages `--email-out` writes as
 * drafts) through an SMTP server with nodemailer. The text leaves this machine only encrypted
 * (TLS or STARTTLS) unless the server is on this machine. Failure is a result per message, never
 * an exception; the journal records the server (origin), recipients and outcome.
 */
export async function sendEmails(
  dir: string,
  facts: Facts,
  target: SmtpTarget,
  clock: Clock,
): Promise<SentMail[]> {
  const server = smtpServer(target.url);
  const transport = createTransport({
    host: server.host,
    port: server.port,
    secure: server.secure,
    requireTLS: !server.secure && !LOOPBACK.has(server.host),
    ...(server.user ? { auth: { user: server.user, pass: target.password ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  const sent: SentMail[] = [];
  try {
    for (const m of composeEmails(facts, { ...(target.from ? { from: target.from } : {}) })) {
      try {
        const info = (await transport.sendMail({ ...m.mail, to: target.to })) as { messageId: string };
        sent.push({ file: m.file, ok: true, messageId: info.messageId });
      } catch (error) {
        sent.push({ file: m.file, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
  } finally {
    transport.close();
  }
  const folder = CaseFolder.open(dir, { clock });
  try {
    for (const s of sent)
      folder.record(s.ok ? 'notify.sent' : 'notify.failed', {
        kind: 'email',
        server: server.origin,
        to: target.to,
        ...s,
      });
  } finally {
    folder.close();
  }
  return sent;
}
