import { resolve } from 'node:path';
import { callerIdentity } from '../../aws/identity.js';
import { defaultCasesRoot } from '../../case/list.js';
import { recordAlert } from '../../triggers/start.js';
import { openTriageCase } from '../../triage/open-case.js';
import type { TriageReport } from '../../triage/report.js';
import { initialStatusUpdate } from '../../triage/status-update.js';
import { parseSubject } from '../../triage/subject.js';
import { triage } from '../../triage/triage.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import { alertBlock, alertJson, awareSinceOf, awarenessOf, subjectFrom } from './from-alert.js';
import type { TriageInput } from './triage.js';

const keyRow = (k: TriageReport['otherKeys'][number]) => [
  k.accessKeyId,
  k.status,
  k.created,
  k.lastUsed?.date ?? (k.lastUsed ? 'never' : null),
  k.lastUsed?.service,
  k.lastUsed?.region,
];

function blocksOf(r: TriageReport, dir: string, statusUpdate: string[]): Block[] {
  const warnings: string[] = [];
  if (r.foreignAccount)
    warnings.push(
      `WARNING: ${r.resolved.subject.input} belongs to account ${r.foreignAccount}, not to the account we are signed into (${r.resolved.ourAccount}).`,
    );
  if (r.quarantine?.blocksUpdateAccessKey)
    warnings.push(
      `AWS quarantine policy attached (${r.quarantine.attached.join(', ')}): it denies iam:UpdateAccessKey to anyone signing as this user — contain with other credentials.`,
    );
  const blocks: Block[] = [
    {
      kind: 'fields',
      title: `Triage of ${r.resolved.subject.input} — ${r.severity.level}`,
      fields: [
        ['Case', `${r.caseId} (${dir})`],
        ['Account', r.resolved.account ?? 'unknown (owner account not determined)'],
        ['Credential type', r.resolved.credential],
        ['Owner', r.resolved.user?.arn ?? r.resolved.role?.arn ?? r.resolved.sessionArn ?? 'unknown'],
        ['Session', r.resolved.sessionArn],
        ['Key status', r.key ? `${r.key.status} (created ${r.key.created ?? '?'})` : null],
        [
          'Key last used',
          r.key?.lastUsed
            ? `${r.key.lastUsed.date ?? 'never'} ${r.key.lastUsed.service ?? ''} ${r.key.lastUsed.region ?? ''}`.trim()
            : null,
        ],
        [
          'Console password',
          r.consolePassword
            ? r.consolePassword.exists
              ? `yes (last used ${r.consolePassword.lastUsed ?? 'never'})`
              : 'no'
            : null,
        ],
        ['MFA devices', r.mfaDevices ? (r.mfaDevices.length ? r.mfaDevices.join(', ') : 'none') : null],
        ['Groups', r.groups?.join(', ') || null],
        ['Administrator', r.admin === null ? null : r.admin ? 'yes' : 'no'],
        ['IAM escalation rights', r.admin ? 'all (administrator)' : r.escalation?.join(', ') || null],
        [
          'Role',
          r.role
            ? `${r.role.arn ?? '?'} (created ${r.role.created ?? '?'}, last used ${r.role.lastUsed ?? 'never'})`
            : null,
        ],
        ['Root MFA', r.rootAccount ? String(r.rootAccount.mfaEnabled) : null],
        ['Root access keys', r.rootAccount ? String(r.rootAccount.accessKeysPresent) : null],
        ['Severity', `${r.severity.level}: ${r.severity.reasons.join('; ')}`],
      ],
    },
  ];
  if (warnings.length) blocks.unshift({ kind: 'text', lines: warnings });
  if (r.otherKeys.length)
    blocks.push({
      kind: 'table',
      title: 'Other access keys',
      columns: ['KEY', 'STATUS', 'CREATED', 'LAST USED', 'SERVICE', 'REGION'],
      rows: r.otherKeys.map(keyRow),
    });
  if (r.policies?.length)
    blocks.push({
      kind: 'table',
      title: 'Policies',
      columns: ['VIA', 'POLICY'],
      rows: r.policies.map((p) => [p.via, p.name]),
    });
  if (r.activity)
    blocks.push({
      kind: 'table',
      title: `Recent activity (${r.activity.lookup}; ${r.activity.truncated ? 'at least ' : ''}${r.activity.events} events, ${r.activity.errors} refused, regions ${r.activity.regions.join(', ')})`,
      columns: ['EVENT', 'COUNT'],
      rows: r.activity.topEvents.map((e) => [e.name, e.count]),
    });
  if (r.notChecked.length)
    blocks.push({ kind: 'text', lines: ['Could not check:', ...r.notChecked.map((n) => `  - ${n}`)] });
  blocks.push({ kind: 'text', lines: statusUpdate });
  return blocks;
}

/** Run `tourniquet triage`. */
export async function runTriage({ options, args }: TriageInput, env: RunEnv): Promise<Outcome> {
  const awareSince = awareSinceOf(options['aware-since'], env.clock.now());
  if (args[0] !== undefined) parseSubject(args[0]);
  const given = await subjectFrom(options.from, args[0], env);
  const subject = parseSubject(given.subject);
  const awareness = awarenessOf(awareSince, given.alert) ?? env.clock.now();
  const pool = await env.aws();
  const responder = await callerIdentity(pool);
  const folder = openTriageCase({
    ...(env.globals.case ? { dir: resolve(env.cwd, env.globals.case) } : {}),
    casesRoot: defaultCasesRoot(env.env, env.cwd),
    subject,
    awareness,
    responder,
    clock: env.clock,
  });
  try {
    pool.caseId = folder.id;
    if (given.alert) await recordAlert(folder, given.alert, env.clock.now());
    const report = await triage(
      { clock: env.clock, log: env.log, progress: env.progress },
      { pool, folder, responder, accountRole: options['account-role'] },
    );
    if (report.foreignAccount)
      env.log.warn(
        `${subject.input} belongs to account ${report.foreignAccount}, not ${responder.account}${report.checkedThrough ? `: checked through ${report.checkedThrough}` : ''}.`,
      );
    const statusUpdate = initialStatusUpdate(report, folder.info.awareness, responder.arn);
    folder.record('status-update.initial', { text: statusUpdate.join('\n') });
    return {
      exitCode: report.notChecked.length ? 3 : 0,
      json: {
        dir: folder.dir,
        case: folder.info,
        ...(given.alert ? { alert: alertJson(given.alert) } : {}),
        triage: report,
        statusUpdate,
      },
      blocks: [
        ...(given.alert ? [alertBlock(given.alert)] : []),
        ...blocksOf(report, folder.dir, statusUpdate),
      ],
    };
  } finally {
    folder.close();
  }
}
