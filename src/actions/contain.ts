import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { callerIdentity, ownAccessKeyId } from '../aws/identity.js';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { CaseContext } from '../context.js';
import { UserError } from '../errors.js';
import { resolveSubject, type ResolvedSubject } from '../triage/resolve.js';
import type { ActionEnv } from './action.js';
import { AccountPools } from './accounts.js';
import { containmentRegistry, draftContainment, type CampaignOptions } from './containment.js';
import { findDerivedSessions, type DerivedSession } from './derived-sessions.js';
import { applyPlan, makePlan, type ApplyResult, type StepRequest, type StepResult } from './engine.js';
import {
  adminsLeft,
  authorizationDetails,
  deniedBy,
  selfRefusals,
  type Refusal,
  type Responder,
} from './guards.js';
import { iamOf, readOrAbsent } from './iam-read.js';
import { ActionHistory, type PlanRecord } from './journal-view.js';
import { CASE_STORE_FILE, lineageFromStore } from './store-lineage.js';

export interface ContainOptions {
  /** Change things (else plan only, unless `confirm` says yes). */
  apply: boolean;
  /** Ask the person after the plan is shown; absent or false = plan only. */
  confirm?: (question: string) => Promise<boolean>;
  /** Act even on the tool's own credentials or when no admin would be left. */
  force?: boolean;
  skip?: string[];
  add?: string[];
  /** Campaign containment steps to add (`--campaign`). */
  campaign?: CampaignOptions;
  /** Role to assume in other accounts reached by derived sessions. */
  accountRole?: string;
  /** When the command started (for the time to contain of this run). */
  startedAt: Date;
  /** Called with the plan before anything changes (the CLI shows it). */
  onPlan?: (plan: PlanRecord) => void;
  onStep?: (result: StepResult) => void;
}

export interface ContainTiming {
  awareness: string | null;
  commandStart: string;
  planned: string;
  verified?: string;
  /** Awareness → verified containment, in seconds (the playbook's time to contain). */
  timeToContainSeconds?: number;
  /** Command start → verified containment, in seconds. */
  runSeconds?: number;
}

export interface ContainResult {
  state: 'planned' | 'contained' | 'not-verified' | 'manual-only';
  resolved: ResolvedSubject;
  lineage: DerivedSession[];
  plan?: PlanRecord;
  apply?: ApplyResult;
  manual: string[];
  /** Steps refused by the guards and overridden with --force (else contain throws). */
  forced: Refusal[];
  notChecked: string[];
  timing: ContainTiming;
}

const PURPOSE = 'contain';

/**
 * The containment phase: resolve the subject's owner, follow its derived sessions, draft the
 * steps by credential type, refuse anything that would cut off the responder or every admin,
 * write the plan to the case, and — only with `apply` or a yes — apply and verify it. An
 * interrupted apply is resumed from the journal instead of planning anew.
 */
export async function contain(ctx: CaseContext, options: ContainOptions): Promise<ContainResult> {
  const info = ctx.case.info;
  if (!info.subject) {
    throw new UserError('NO_SUBJECT', `Case ${info.id} has no subject.`, {
      hint: 'Start the case with `tourniquet triage SUBJECT`.',
    });
  }
  const identity = await callerIdentity(ctx.aws);
  const responder: Responder = { ...identity, accessKeyId: await ownAccessKeyId(ctx.aws) };
  if (!info.responder)
    ctx.case.update({ responder: { arn: identity.arn, account: identity.account, userId: identity.userId } });
  const pools = new AccountPools(
    ctx.aws,
    identity.account,
    ctx.clock,
    options.accountRole,
    `tourniquet-${info.id}`,
  );
  const env: ActionEnv = { clock: ctx.clock, log: ctx.log, poolFor: (a) => pools.poolFor(a) };
  try {
    return await run(ctx, env, pools, responder, options);
  } finally {
    await pools.destroy();
  }
}

async function run(
  ctx: CaseContext,
  env: ActionEnv,
  pools: AccountPools,
  responder: Responder,
  options: ContainOptions,
): Promise<ContainResult> {
  const info = ctx.case.info;
  const subject = info.subject!;
  const notChecked: string[] = [];
  const resolved = await resolveSubject(ctx.aws, subject, responder.account, (a) => pools.poolFor(a));
  notChecked.push(...resolved.notChecked);
  const account = resolved.account ?? responder.account;
  // A case is about the account triage found; a name resolved with other credentials may be a
  // namesake in another account (another profile, the wrong shell), which must not be touched.
  if (info.account && account !== info.account)
    throw new UserError(
      'CONTAIN_OTHER_ACCOUNT',
      `Refusing to contain: this case is about account ${info.account}, but with the credentials in use (${responder.arn}) ${subject.input} is in account ${account}.`,
      {
        hint: `Run with credentials of account ${info.account} (--profile), or open a new case for account ${account}.`,
      },
    );
  const timing: ContainTiming = {
    awareness: info.awareness,
    commandStart: options.startedAt.toISOString(),
    planned: '',
  };

  const history = ActionHistory.of(ctx.case);
  const interrupted = options.apply ? history.interrupted(PURPOSE) : undefined;
  let plan: PlanRecord;
  const lineage: DerivedSession[] = [];
  let manual: string[] = [];
  let forced: Refusal[] = [];
  if (interrupted) {
    ctx.log.info(`Resuming the interrupted ${interrupted.planId}: steps already applied are not repeated.`);
    plan = interrupted;
  } else {
    if (resolved.credential === 'root') {
      const draft = await draftContainment(env, resolved, [], options);
      ctx.case.record('contain.manual', {
        reason: 'root credentials: no automation is possible',
        checklist: draft.manual,
      });
      timing.planned = ctx.clock.now().toISOString();
      return { state: 'manual-only', resolved, lineage, manual: draft.manual, forced, notChecked, timing };
    }
    const progress = ctx.progress.start('Following derived sessions');
    const keys = await keysToFollow(env, resolved, account);
    // Live CloudTrail first (containment usually runs before collection), then whatever the case
    // has collected; the same temporary key found twice counts once.
    const found = [...(await Promise.all(keys.map((key) => findDerivedSessions(env, key, account))))];
    found.push(await lineageFromStore(ctx.case.path(CASE_STORE_FILE), keys));
    for (const result of found) {
      for (const session of result.sessions)
        if (!lineage.some((l) => l.accessKeyId === session.accessKeyId)) lineage.push(session);
      notChecked.push(...result.notChecked.map((n) => `derived sessions: ${n}`));
    }
    progress.done(`${lineage.length} derived session(s)`);
    if (lineage.length) ctx.case.record('contain.lineage', { sessions: lineage });
    const draft = await draftContainment(env, resolved, lineage, options);
    manual = draft.manual;
    const reachable = await reachableRequests(env, draft.requests, manual);
    forced = await guard(env, reachable, responder, notChecked, options.force ?? false, ctx);
    if (!info.phases.contain?.started) ctx.case.markPhase('contain', 'started');
    plan = await makePlan(env, ctx.case, containmentRegistry, PURPOSE, reachable);
  }
  timing.planned = ctx.clock.now().toISOString();
  options.onPlan?.(plan);

  const changes = plan.steps.filter((s) => !s.noop).length;
  const go =
    options.apply ||
    (changes > 0 &&
      options.confirm !== undefined &&
      (await options.confirm(`Apply ${changes} change(s) now?`)));
  if (!go) return { state: 'planned', resolved, lineage, plan, manual, forced, notChecked, timing };

  if (options.confirm && !options.apply)
    ctx.case.record('contain.confirmed', { planId: plan.planId, by: 'interactive yes' });
  const apply = await applyPlan(env, ctx.case, containmentRegistry, plan, options.onStep);
  if (apply.verified) {
    timing.verified = apply.verifiedAt;
    const verifiedMs = Date.parse(apply.verifiedAt);
    timing.runSeconds = (verifiedMs - options.startedAt.getTime()) / 1000;
    if (info.awareness) timing.timeToContainSeconds = (verifiedMs - Date.parse(info.awareness)) / 1000;
    // The first verified containment is the one the metrics count; a later no-op re-run does
    // not move it (an undo reopens the case, and the next apply counts again).
    if (!info.phases.contain?.completed || info.status !== 'contained')
      ctx.case.markPhase('contain', 'completed');
    if (info.status === 'open') ctx.case.update({ status: 'contained' });
  }
  ctx.case.record('contain.timing', timing);
  return {
    state: apply.verified ? 'contained' : 'not-verified',
    resolved,
    lineage,
    plan,
    apply,
    manual,
    forced,
    notChecked,
    timing,
  };
}

/** The long-term keys whose derived sessions must be found. */
async function keysToFollow(env: ActionEnv, resolved: ResolvedSubject, account: string): Promise<string[]> {
  if (resolved.accessKeyId) return [resolved.accessKeyId];
  if (resolved.credential !== 'iam-user' || !resolved.user) return [];
  const pool = await env.poolFor(account);
  const out = await readOrAbsent(() =>
    iamOf(pool).send(new ListAccessKeysCommand({ UserName: resolved.user!.name })),
  );
  return (out?.AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!).filter(Boolean);
}

/** Steps in accounts we cannot reach become manual items instead of failing the plan. */
async function reachableRequests(
  env: ActionEnv,
  requests: StepRequest[],
  manual: string[],
): Promise<StepRequest[]> {
  const out: StepRequest[] = [];
  const unreachable = new Map<string, string>();
  for (const r of requests) {
    if (!unreachable.has(r.account)) {
      try {
        await env.poolFor(r.account);
      } catch (error) {
        unreachable.set(
          r.account,
          error instanceof UserError ? error.message : describeAwsError(classifyAwsError(error)),
        );
      }
    }
    const why = unreachable.get(r.account);
    if (why === undefined) out.push(r);
    else
      manual.push(
        `In account ${r.account}: ${r.action} on ${r.params.arn ?? r.params.accessKeyId ?? r.params.name ?? '?'} (${why}).`,
      );
  }
  return out;
}

/** Refuse steps that would cut off the responder or leave an account without any admin. */
async function guard(
  env: ActionEnv,
  requests: StepRequest[],
  responder: Responder,
  notChecked: string[],
  force: boolean,
  ctx: CaseContext,
): Promise<Refusal[]> {
  const refusals = selfRefusals(requests, responder);
  for (const account of new Set(requests.map((r) => r.account))) {
    const denied = deniedBy(requests, account);
    if (denied.users.size === 0 && denied.roles.size === 0) continue;
    try {
      const details = await authorizationDetails(await env.poolFor(account));
      if (adminsLeft(details, denied).length === 0) {
        const who = [...denied.users, ...denied.roles].join(', ');
        for (const r of requests.filter((q) => q.account === account && q.action.endsWith('deny-all')))
          refusals.push({
            request: r,
            reason: `denying ${who} would leave account ${account} without any administrator`,
          });
      }
    } catch (error) {
      const c = classifyAwsError(error);
      if (c.kind !== 'denied') throw error;
      notChecked.push(
        `admin lock-out check in ${account} (iam:GetAccountAuthorizationDetails): ${describeAwsError(c)}`,
      );
    }
  }
  if (refusals.length === 0) return [];
  ctx.case.record('contain.refused', {
    forced: force,
    refusals: refusals.map((r) => ({ ...r.request, reason: r.reason })),
  });
  if (force) return refusals;
  throw new UserError(
    'CONTAIN_REFUSED',
    `Refusing to contain: ${refusals.map((r) => r.reason).join('; ')}.`,
    {
      hint: 'Run Tourniquet with other credentials, --skip the step, or --force if you are sure.',
    },
  );
}
