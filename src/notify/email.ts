import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { renderReport, type Facts, type ReportKind } from '../report/index.js';

/** One message to write: who it is for, which document, the file name. */
const MESSAGES: { file: string; kind: ReportKind; subject: (f: Facts) => string; html: boolean }[] = [
  {
    file: 'executive-briefing.eml',
    kind: 'executive',
    subject: (f) => `Executive briefing: compromised AWS credential (case ${f.caseId})`,
    html: true,
  },
  {
    file: 'aws-support-case.eml',
    kind: 'aws-support',
    subject: (f) =>
      `AWS Support case text: compromised credential in account ${typeof f.account === 'string' ? f.account : 'unknown'} (case ${f.caseId})`,
    html: false,
  },
];

export interface EmailOptions {
  /** `From:`; default `incident-response@example.invalid`, to be set in the mail client before sending. */
  from?: string;
  /** `To:`; default none (a draft: the mail client asks). */
  to?: string;
}

/** The messages as nodemailer composes them: the drafts' file names and their mail options. */
export function composeEmails(facts: Facts, o: EmailOptions = {}): { file: string; mail: Mail.Options }[] {
  return MESSAGES.map((m) => ({
    file: m.file,
    mail: {
      from: o.from ?? 'Incident response <incident-response@example.invalid>',
      ...(o.to ? { to: o.to } : {}),
      subject: m.subject(facts),
      date: new Date(facts.generatedAt),
      text: renderReport(facts, m.kind, 'md'),
      ...(m.html ? { html: renderReport(facts, m.kind, 'html') } : {}),
      headers: { 'X-Tourniquet-Case': facts.caseId },
    },
  }));
}

/**
 * Write the executive briefing (plain text and the self-contained HTML report as the alternative)
 * and the AWS Support text as `.eml` drafts into `outDir`, composed by nodemailer's MailComposer
 * (RFC 5322, MIME-encoded). `X-Unsent: 1` makes mail clients open them as drafts to send. Returns
 * the files written.
 */
export async function writeEmails(facts: Facts, outDir: string, o: EmailOptions = {}): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const m of composeEmails(facts, o)) {
    const composer = new MailComposer({
      ...m.mail,
      headers: { ...(m.mail.headers as Record<string, string>), 'X-Unsent': '1' },
    });
    const bytes = await composer.compile().build();
    const file = join(outDir, m.file);
    writeFileSync(file, bytes, { mode: 0o600 });
    written.push(file);
  }
  return written;
}
