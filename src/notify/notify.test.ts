import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import { makeIncidentCase } from '../report/test-support/incident.js';
import { webhook, type Hook } from '../test-support/webhook.js';

function run(argv: string[], cwd: string, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    cwd,
  };
  return main(argv, io).then((code) => ({ code, out, err }));
}

// eslint-disable-next-line no-control-regex -- raw escape bytes reaching Slack are the point
const RAW_CONTROL = /[\u001b\u009b\u0007]/;

describe('report --kind status --notify', () => {
  let root: string;
  let caseDir: string;
  let hook: Hook;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tq-notify-'));
    let now = Date.parse('2026-03-02T18:05:00Z');
    const clock = {
      now: () => new Date(now),
      sleep: () => Promise.resolve(),
      set: (iso: string) => void (now = Date.parse(iso)),
    };
    caseDir = await makeIncidentCase(join(root, 'case'), clock, root);
    hook = await webhook();
  });
  afterAll(async () => {
    await hook.close();
    rmSync(root, { recursive: true, force: true });
  });

  const journal = () =>
    readFileSync(join(caseDir, 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; data: Record<string, unknown> });

  it('posts the status update as Slack-compatible JSON, attacker text defused; the journal keeps the origin only', async () => {
    const r = await run(
      ['report', '--case', caseDir, '--kind', 'status', '--notify', hook.url, '--json'],
      root,
    );
    expect(r.code, r.err).toBe(0);
    expect(hook.bodies).toHaveLength(1);
    const body = hook.bodies[0]!;
    expect(body.text).toContain('# Security incident status update: compromised AWS credential');
    expect(body.text).toContain('**Status:** contained');
    expect(body.text).not.toMatch(RAW_CONTROL);
    // Slack reads <…> as links and mentions: every angle bracket arrives escaped.
    expect(body.text).not.toMatch(/[<>]/);
    expect(body.tourniquet).toMatchObject({ kind: 'status', contained: true });
    expect(body.tourniquet.caseId).toMatch(/^tq-/);
    expect(r.err).toMatch(/Status update posted to http:\/\/127\.0\.0\.1:\d+ \(HTTP 200\)/);
    const sent = journal().filter((e) => e.kind === 'notify.sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ kind: 'status', ok: true, status: 200 });
    // The webhook's path is its secret: it is in no file of the case.
    expect(readFileSync(join(caseDir, 'journal.jsonl'), 'utf8')).not.toContain('secret-token');
    expect(r.out + r.err).not.toContain('secret-token');
  });

  it('a webhook that refuses: exit 1, the journal says so; --notify with another kind or a bad URL: exit 2 before anything', async () => {
    hook.status = 500;
    const failed = await run(['report', '--case', caseDir, '--kind', 'status', '--notify', hook.url], root);
    hook.status = 200;
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/could not be posted to http:\/\/127\.0\.0\.1:\d+: HTTP 500/);
    expect(
      journal()
        .filter((e) => e.kind === 'notify.failed')
        .at(-1)!.data,
    ).toMatchObject({ error: 'HTTP 500' });
    const before = hook.bodies.length;
    const wrongKind = await run(['report', '--case', caseDir, '--kind', 'full', '--notify', hook.url], root);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.err).toContain('--notify posts the status update; it does not go with --kind full.');
    const badUrl = await run(['report', '--case', caseDir, '--kind', 'status', '--notify', 'ftp://x'], root);
    expect(badUrl.code).toBe(2);
    expect(badUrl.err).toContain('--notify ftp: URLs are not supported.');
    expect(hook.bodies.length).toBe(before);
  });

  it('--email-out writes the executive briefing and the AWS Support text as .eml drafts a mail parser reads back', async () => {
    const mail = join(root, 'mail');
    const r = await run(
      ['report', '--case', caseDir, '--kind', 'status', '--email-out', mail, '--json'],
      root,
    );
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { emails: string[] };
    expect(doc.emails.map((f) => basename(f)).sort()).toEqual([
      'aws-support-case.eml',
      'executive-briefing.eml',
    ]);
    for (const f of doc.emails) expect(statSync(f).mode & 0o777).toBe(0o600);
    const exec = await simpleParser(readFileSync(join(mail, 'executive-briefing.eml')));
    expect(exec.subject).toMatch(/^Executive briefing: compromised AWS credential \(case tq-/);
    expect(exec.headers.get('x-unsent')).toBe('1');
    expect(exec.text).toContain('# Executive briefing: compromised AWS credential');
    // The HTML alternative is the self-contained report: its CSP travels with it, attacker text escaped.
    expect(exec.html).toContain("default-src 'none'");
    expect(exec.html).not.toContain('<script>alert');
    const support = await simpleParser(readFileSync(join(mail, 'aws-support-case.eml')));
    expect(support.subject).toMatch(/^AWS Support case text: compromised credential in account \d{12}/);
    expect(support.html).toBe(false);
    expect(support.text).toContain('AWS Support');
  });

  it('--smtp sends both messages through an SMTP server (a local smtp-server) with the password from the environment; the journal keeps server and recipients, never the password', async () => {
    const got: { from: string; to: string[]; mail: ParsedMail }[] = [];
    const logins: string[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, done) {
        logins.push(`${auth.username}:${auth.password ?? ''}`);
        if (auth.password === 's3cret-pw') done(null, { user: auth.username });
        else done(new Error('535 bad credentials'));
      },
      onRcptTo(address, _session, done) {
        if (address.address.endsWith('@refused.example')) done(new Error('550 no such mailbox'));
        else done();
      },
      onData(stream, session, done) {
        void simpleParser(stream).then((mail) => {
          got.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            mail,
          });
          done();
        }, done);
      },
    });
    const listening = (server as unknown as { server: Server }).server;
    await new Promise<void>((resolve) => {
      listening.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (listening.address() as AddressInfo).port;
    try {
      const mail = join(root, 'mail-smtp');
      const argv = (to: string) => [
        'report',
        '--case',
        caseDir,
        '--kind',
        'status',
        '--email-out',
        mail,
        '--smtp',
        `smtp://ir-bot@127.0.0.1:${port}`,
        '--email-to',
        to,
        '--email-from',
        'ir@example.com',
        '--json',
      ];
      const r = await run(argv('ciso@example.com, legal@example.com'), root, {
        TOURNIQUET_SMTP_PASSWORD: 's3cret-pw',
      });
      expect(r.code, r.err).toBe(0);
      const doc = JSON.parse(r.out) as { mailed: { file: string; ok: boolean; messageId: string }[] };
      expect(doc.mailed.map((m) => [m.file, m.ok])).toEqual([
        ['executive-briefing.eml', true],
        ['aws-support-case.eml', true],
      ]);
      expect(logins).toEqual(['ir-bot:s3cret-pw', 'ir-bot:s3cret-pw'].slice(0, logins.length));
      expect(got).toHaveLength(2);
      for (const g of got) {
        expect(g.from).toBe('ir@example.com');
        expect(g.to).toEqual(['ciso@example.com', 'legal@example.com']);
        expect(g.mail.headers.get('x-unsent')).toBeUndefined();
      }
      expect(got[0]!.mail.subject).toMatch(/^Executive briefing: compromised AWS credential \(case tq-/);
      expect(got[0]!.mail.html).toContain("default-src 'none'");
      expect(got[0]!.mail.html).not.toContain('<script>alert');
      expect(got[1]!.mail.text).toContain('AWS Support');
      expect(got.map((g) => g.mail.messageId)).toEqual(doc.mailed.map((m) => m.messageId));
      const sent = journal().filter((e) => e.kind === 'notify.sent' && e.data.kind === 'email');
      expect(sent.map((e) => e.data.server)).toEqual([
        `smtp://127.0.0.1:${port}`,
        `smtp://127.0.0.1:${port}`,
      ]);
      expect(readFileSync(join(caseDir, 'journal.jsonl'), 'utf8')).not.toContain('s3cret-pw');

      // A refused recipient: exit 1, the failure said and journalled, the drafts still written.
      const refused = await run(argv('nobody@refused.example'), root, {
        TOURNIQUET_SMTP_PASSWORD: 's3cret-pw',
      });
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/executive-briefing could not be sent: .*550 no such mailbox/);
      expect(journal().filter((e) => e.kind === 'notify.failed' && e.data.kind === 'email')).toHaveLength(2);
      expect(got).toHaveLength(2);

      // Usage: a password in the URL, --smtp without recipients, --email-to without --smtp.
      const withPw = await run(
        [
          ...argv('a@example.com').slice(0, 7),
          '--smtp',
          `smtp://u:pw@127.0.0.1:${port}`,
          '--email-to',
          'a@example.com',
        ],
        root,
      );
      expect(withPw.code).toBe(2);
      expect(withPw.err).toContain('--smtp must not carry a password');
      const noTo = await run(
        ['report', '--case', caseDir, '--email-out', mail, '--smtp', `smtp://127.0.0.1:${port}`],
        root,
      );
      expect(noTo.code).toBe(2);
      expect(noTo.err).toContain('--smtp sends the mail --email-out writes, to the --email-to recipients');
      const noSmtp = await run(['report', '--case', caseDir, '--email-to', 'a@example.com'], root);
      expect(noSmtp.code).toBe(2);
      expect(got).toHaveLength(2);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
