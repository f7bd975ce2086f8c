import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { CallerIdentity } from '../aws/identity.js';
import type { ClientPool } from '../aws/pool.js';
import type { CaseFolder } from '../case/case.js';
import type { Context } from '../context.js';
import { CHECKS } from './checks.js';
import type { TriageReport } from './report.js';
import { resolveSubject } from './resolve.js';
import { assessSeverity } from './severity.js';

export interface TriageInput {
  pool: ClientPool;
  folder: CaseFolder;
  responder: CallerIdentity;
}

/**
 * Identify the credential (issue 6 §1): owner account, owning user or role, type, status, use,
 * other credentials, rights, quarantine, recent activity, severity. A check AWS refuses is
 * listed under `notChecked` and the rest carry on; only rejected credentials or an unreachable
 * endpoint abort. The result is journalled and kept as evidence (`triage.json`).
 */
export async function triage(ctx: Context, input: TriageInput): Promise<TriageReport> {
  const { pool, folder, responder } = input;
  const subject = folder.info.subject!;
  folder.markPhase('triage', 'started');
  const resolved = await resolveSubject(pool, subject, responder.account);
  const foreign =
    resolved.account !== undefined && resolved.account !== responder.account ? resolved.account : null;
  const draft: Omit<TriageReport, 'severity'> = {
    caseId: folder.id,
    checkedAt: ctx.clock.now().toISOString(),
    resolved,
    foreignAccount: foreign,
    key: null,
    otherKeys: [],
    consolePassword: null,
    mfaDevices: null,
    groups: null,
    policies: null,
    admin: null,
    escalation: null,
    quarantine: null,
    role: null,
    rootAccount: null,
    activity: null,
    notChecked: [...resolved.notChecked],
  };
  if (foreign) {
    draft.notChecked.push(
      `everything but the owning account: the credential belongs to account ${foreign}, we are signed into ${responder.account}`,
    );
  } else {
    const progress = ctx.progress.start('Triage', CHECKS.length);
    for (const check of CHECKS) {
      progress.tick(1, check.name);
      if (!check.applies(draft)) continue;
      try {
        await check.run(pool, draft);
      } catch (error) {
        // Half a triage beats none at 3 a.m.: any answer AWS gave is recorded as "could not
        // check"; only unusable credentials, no network, or a bug of ours stop it.
        const c = classifyAwsError(error);
        if (c.kind === 'other' && (c.credentialsRejected || c.network || c.httpStatus === undefined))
          throw error;
        draft.notChecked.push(`${check.name}: ${describeAwsError(c)}`);
      }
    }
    progress.done();
  }
  const report: TriageReport = { ...draft, severity: assessSeverity(draft) };
  if (resolved.account && folder.info.account !== resolved.account)
    folder.update({ account: resolved.account });
  folder.record('triage.result', {
    credential: resolved.credential,
    owner: resolved.user?.arn ?? resolved.role?.arn ?? resolved.sessionArn ?? null,
    severity: report.severity,
    notChecked: report.notChecked,
  });
  await folder.addEvidence('triage.json', JSON.stringify(report, null, 2) + '\n', 'tourniquet triage');
  folder.markPhase('triage', 'completed');
  return report;
}
