import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { CallerIdentity } from '../aws/identity.js';
import type { ClientPool } from '../aws/pool.js';
import type { CaseFolder } from '../case/case.js';
import type { Subject } from '../case/schema.js';
import type { Context } from '../context.js';
import { AccountPools } from '../actions/accounts.js';
import { CHECKS } from './checks.js';
import type { TriageReport } from './report.js';
import { resolveSubject } from './resolve.js';
import { assessSeverity } from './severity.js';

export interface TriageInput {
  pool: ClientPool;
  folder: CaseFolder;
  responder: CallerIdentity;
  /** Role to assume in the credential's account when it is not the responder's (`--account-role`). */
  accountRole?: string | undefined;
}

export interface AssessInput {
  pool: ClientPool;
  subject: Subject;
  responder: CallerIdentity;
  /** The case the assessment is for; null when none is opened (a read-only look). */
  caseId: string | null;
  /** Role to assume in the credential's account when it is not the responder's (`--account-role`). */
  accountRole?: string | undefined;
}

/**
 * Identify the credential (issue 6 §1): owner account, owning user or role, type, status, use,
 * other credentials, rights, quarantine, recent activity, severity. A check AWS refuses is
 * listed under `notChecked` and the rest carry on; only rejected credentials or an unreachable
 * endpoint abort. Only reads AWS and writes nothing: `triage` keeps the result in the case, the
 * MCP server hands it to an assistant.
 */
export async function assessCredential(ctx: Context, input: AssessInput): Promise<TriageReport> {
  const { subject, responder } = input;
  const pools = new AccountPools(
    input.pool,
    responder.account,
    ctx.clock,
    input.accountRole,
    `tourniquet-${input.caseId ?? 'triage'}`,
  );
  try {
    return await assessWith(ctx, input, pools, subject, responder);
  } finally {
    await pools.destroy();
  }
}

async function assessWith(
  ctx: Context,
  input: AssessInput,
  pools: AccountPools,
  subject: Subject,
  responder: CallerIdentity,
): Promise<TriageReport> {
  const resolved = await resolveSubject(input.pool, subject, responder.account, (a) => pools.poolFor(a));
  const foreign =
    resolved.account !== undefined && resolved.account !== responder.account ? resolved.account : null;
  const draft: Omit<TriageReport, 'severity'> = {
    caseId: input.caseId,
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
  // The owning account's pool: ours, or the role there (`--account-role`); none when it cannot be entered.
  let pool: ClientPool | null = input.pool;
  if (foreign) {
    pool = null;
    if (input.accountRole) {
      try {
        pool = await pools.poolFor(foreign);
        draft.checkedThrough = `arn:aws:iam::${foreign}:role/${input.accountRole}`;
      } catch (error) {
        draft.notChecked.push(
          `everything but the owning account: the credential belongs to account ${foreign}, and ${input.accountRole} there could not be assumed (${describeAwsError(classifyAwsError(error))})`,
        );
      }
    } else {
      draft.notChecked.push(
        `everything but the owning account: the credential belongs to account ${foreign}, we are signed into ${responder.account} (pass --account-role NAME, a role there that trusts the responder)`,
      );
    }
  }
  if (pool) {
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
  return { ...draft, severity: assessSeverity(draft) };
}

/**
 * Triage the case's subject (`assessCredential`) and keep the result in the case: the owning
 * account in `case.json`, the journal, and `triage.json` as evidence.
 */
export async function triage(ctx: Context, input: TriageInput): Promise<TriageReport> {
  const { pool, folder, responder } = input;
  folder.markPhase('triage', 'started');
  const report = await assessCredential(ctx, {
    pool,
    subject: folder.info.subject!,
    responder,
    caseId: folder.id,
    accountRole: input.accountRole,
  });
  const { resolved } = report;
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
