import { existsSync, readFileSync } from 'node:fs';
import type { ActionEnv, VerifyOutcome } from '../actions/action.js';
import { AccountPools } from '../actions/accounts.js';
import { ERADICATION_ACTIONS, eradicationRegistry } from '../actions/eradicate/index.js';
import {
  applyPlan,
  makePlan,
  type ApplyResult,
  type StepRequest,
  type StepResult,
} from '../actions/engine.js';
import type { Refusal } from '../actions/guards.js';
import { ActionHistory, type PlanRecord } from '../actions/journal-view.js';
import { callerIdentity, ownAccessKeyId } from '../aws/identity.js';
import type { CaseContext } from '../context.js';
import type { Investigation } from '../detect/investigate.js';
import { INVESTIGATION_FILE } from '../detect/save.js';
import { UserError, messageOf } from '../errors.js';
import type { ClientPool } from '../aws/pool.js';
import { lastAdminRefusals, responderRefusals } from './guards.js';
import type { EradicationItem } from './items.js';
import { EXCLUDED, caseItems, choose, leftByWhy, type LeftItem } from './sources.js';
import { KINDS, type PlanContext } from './kinds.js';

export const PURPOSE = 'eradicate';
export type { LeftItem };

export interface EradicateOptions {
  /** plan (default), apply (after the plan is shown), or verify what the last apply did. */
  mode: 'plan' | 'apply' | 'verify';
  /** Items to act on although they are not attributed to the attacker (their ids). */
  include?: string[];
  /** Items to leave alone (their ids), e.g. a backdoor kept for observation. */
  exclude?: string[];
  /** Ask after the plan is shown (plan mode); absent = plan only. */
  confirm?: (question: string) => Promise<boolean>;
  onPlan?: (plan: PlanRecord) => void;
  onStep?: (result: StepResult) => void;
  /** Role to assume in the other accounts the compromise acted in (an organisation's member). */
  accountRole?: string | undefined;
}

export interface EradicateResult {
  state: 'planned' | 'eradicated' | 'not-verified' | 'nothing-to-do' | 'verified';
  /** Where the items came from (`scope.json`, cross-checked with the investigation's calls). */
  source: string;
  items: EradicationItem[];
  left: LeftItem[];
  /** Where scope and the calls disagree (already gone; attributed but no call explains it). */
  disagreements: LeftItem[];
  plan?: PlanRecord;
  apply?: ApplyResult;
  /** `--verify`: each step of the last applied plan, read back now. */
  verify?: { stepId: string; ok: boolean; observed: string }[];
  /** `--verify`: the attacker's items that plan left in place with `--exclude` (scope ids). */
  excluded?: string[];
  refused: Refusal[];
  manual: string[];
  /** Sessions the plan leaves to containment: refused by it already, or live until it runs. */
  byContainment: string[];
  notChecked: string[];
}

function readInvestigation(ctx: CaseContext): Investigation {
  const file = ctx.case.path(INVESTIGATION_FILE);
  if (!existsSync(file))
    throw new UserError(
      'NO_INVESTIGATION',
      `Case ${ctx.case.id} has no investigation: eradication acts on what it attributed.`,
      {
        hint: 'Run `tourniquet collect` and `tourniquet investigate` (or `tourniquet respond`) first.',
      },
    );
  return JSON.parse(readFileSync(file, 'utf8')) as Investigation;
}

const ORDER = new Map(ERADICATION_ACTIONS.map((a, i) => [a.name, i]));

/**
 * Eradication (issue 13 §1): from the items attributed to the attacker (plus `--include`, minus
 * `--exclude`), a plan of removals and restorations through the action engine — evidence kept
 * before anything is removed, every step journalled before and after, resumable, idempotent —
 * never touching the responder's own principal or the last administrator, never deleting what
 * existed before the attack. The plan is written to the case; `apply` runs it and reads it back.
 */
export async function eradicate(ctx: CaseContext, options: EradicateOptions): Promise<EradicateResult> {
  const identity = await callerIdentity(ctx.aws);
  const responder = { ...identity, accessKeyId: await ownAccessKeyId(ctx.aws) };
  const pools = new AccountPools(
    ctx.aws,
    identity.account,
    ctx.clock,
    options.accountRole,
    `tourniquet-${ctx.case.id}`,
  );
  const env: ActionEnv = { clock: ctx.clock, log: ctx.log, poolFor: (a) => pools.poolFor(a) };
  try {
    const history = ActionHistory.of(ctx.case);
    if (options.mode === 'verify') return await verifyLast(env, history);
    const inv = readInvestigation(ctx);
    const found = await caseItems(ctx, inv);
    const result: EradicateResult = {
      state: 'planned',
      source: found.source,
      items: found.items,
      left: [],
      disagreements: found.disagreements,
      refused: [],
      manual: [],
      byContainment: [],
      notChecked: [],
    };
    let plan = options.mode === 'apply' ? history.interrupted(PURPOSE) : undefined;
    if (plan) {
      ctx.log.info(`Resuming the interrupted ${plan.planId}: steps already applied are not repeated.`);
      // What that plan left apart (--exclude…) is still left apart: say so as its first run did.
      const byId = new Map(found.items.map((i) => [i.id, i]));
      result.left = leftWhenPlanned(history).flatMap((l) => {
        const item = byId.get(l.id);
        return item ? [{ item, why: l.why }] : [];
      });
    } else {
      const account = ctx.case.info.account ?? identity.account;
      const { chosen, left } = choose(
        found,
        new Set(options.include ?? []),
        new Set(options.exclude ?? []),
        account,
      );
      result.left = left;
      const pctx: PlanContext = {
        pool: await env.poolFor(account),
        ourAccount: account,
        attackStart: inv.window?.since ?? null,
        items: chosen,
        attackerEvents: new Set(found.items.flatMap((i) => i.eventIds)),
      };
      const requests: StepRequest[] = [];
      const acted: string[] = [];
      const contained = ctx.case.info.phases.contain?.completed !== undefined;
      for (const item of chosen.values()) {
        const rule = KINDS[item.kind];
        if (rule?.containment) {
          // A session cannot be deleted; containment refuses it (or must, when it has not run yet).
          if (contained) result.byContainment.push(`${rule.containment(item)}: refused by containment.`);
          else
            result.manual.push(
              `${rule.containment(item)} is live: contain the credential first (tourniquet contain).`,
            );
          continue;
        }
        if (!rule || (!rule.steps && rule.manual)) {
          result.manual.push(
            rule?.manual?.(item) ?? `${item.id}: no eradication for kind ${item.kind}; remove it by hand.`,
          );
          continue;
        }
        // An item of another account is planned and removed there, through --account-role.
        const where = item.account || account;
        let pool: ClientPool;
        try {
          pool = await env.poolFor(where);
        } catch (error) {
          result.manual.push(
            `${item.id}: in account ${where}, ${
              options.accountRole
                ? `which ${options.accountRole} could not enter (${messageOf(error)})`
                : 'where the responder acts only through --account-role NAME'
            }: remove it there by hand.`,
          );
          continue;
        }
        const steps = await rule.steps!(item, { ...pctx, pool, ourAccount: where });
        if (steps.length && item.scopeId) acted.push(item.scopeId);
        requests.push(...steps);
      }
      // The cross-check goes into the case with the plan: what is acted on, from where, and why not.
      ctx.case.record('eradicate.items', {
        source: found.source,
        chosen: [...chosen.values()].map((i) => ({ id: i.id, scopeId: i.scopeId, from: i.from })),
        // The items the plan has steps for (scope reads it to tell a restored trust from an open one).
        acted,
        left: left.map((l) => ({ id: l.item.id, scopeId: l.item.scopeId, why: l.why })),
        disagreements: found.disagreements.map((d) => ({
          id: d.item.id,
          scopeId: d.item.scopeId,
          why: d.why,
        })),
      });
      requests.sort((a, b) => (ORDER.get(a.action) ?? 99) - (ORDER.get(b.action) ?? 99));
      result.refused = [
        ...responderRefusals(requests, responder),
        ...(await lastAdminRefusals(requests, (a) => env.poolFor(a))),
      ];
      const kept = requests.filter((r) => !result.refused.some((x) => x.request === r));
      if (result.refused.length)
        ctx.case.record('eradicate.refused', {
          refusals: result.refused.map((r) => ({ ...r.request, reason: r.reason })),
        });
      if (kept.length === 0) {
        result.state = 'nothing-to-do';
        return result;
      }
      if (!ctx.case.info.phases.eradicate?.started) ctx.case.markPhase('eradicate', 'started');
      plan = await makePlan(env, ctx.case, eradicationRegistry, PURPOSE, kept);
    }
    result.plan = plan;
    result.refused.push(...stepRefusals(plan));
    result.manual.push(...plan.steps.flatMap((s) => (s.manual ? [s.manual] : [])));
    options.onPlan?.(plan);
    const changes = plan.steps.filter((s) => !s.noop).length;
    const go =
      options.mode === 'apply' ||
      (changes > 0 &&
        options.confirm !== undefined &&
        (await options.confirm(`Apply ${changes} change(s) now?`)));
    if (!go) return result;
    result.apply = await applyPlan(env, ctx.case, eradicationRegistry, plan, options.onStep);
    result.state = result.apply.verified ? 'eradicated' : 'not-verified';
    if (result.apply.verified) {
      if (!ctx.case.info.phases.eradicate?.completed) ctx.case.markPhase('eradicate', 'completed');
      // The attacker's items left with --exclude are still in the account: not eradicated.
      const excluded = leftByWhy(result.left).excluded.length > 0;
      if (!excluded && ctx.case.info.status !== 'eradicated' && ctx.case.info.status !== 'closed')
        ctx.case.update({ status: 'eradicated' });
    }
    return result;
  } finally {
    await pools.destroy();
  }
}

/** Read back every step of the last applied eradication plan: the case is clean only if all hold. */
async function verifyLast(env: ActionEnv, history: ActionHistory): Promise<EradicateResult> {
  const plan = history
    .plans(PURPOSE)
    .filter((p) => history.finished(p.planId))
    .at(-1);
  const result: EradicateResult = {
    state: 'verified',
    source: 'the last applied plan',
    items: [],
    left: [],
    disagreements: [],
    refused: [],
    manual: [],
    byContainment: [],
    notChecked: [],
  };
  // Nothing was ever applied: nothing to read back (an eradication with nothing to do).
  if (!plan) return { ...result, state: 'nothing-to-do', verify: [] };
  result.plan = plan;
  result.refused = stepRefusals(plan);
  result.verify = [];
  for (const step of plan.steps) {
    if (step.refused !== undefined) continue;
    const def = eradicationRegistry.get(step.action)!;
    let outcome: VerifyOutcome;
    try {
      outcome = await def.verify(env, step, history.lastApply(step.id)?.detail);
    } catch (error) {
      outcome = { ok: false, observed: error instanceof Error ? error.message : String(error) };
    }
    result.verify.push({ stepId: step.id, ...outcome });
  }
  if (result.verify.some((v) => !v.ok)) result.state = 'not-verified';
  // Every step holding is not a clean account when the plan left some of the attacker's items.
  result.excluded = leftWhenPlanned(history)
    .filter((l) => l.why === EXCLUDED)
    .map((l) => l.scopeId ?? l.id);
  return result;
}

/**
 * The plan's steps its actions refused on reading the resource (AWS dates it before the attack,
 * the prior document is unknown…): the attacker's item is still there, for a person to judge.
 */
function stepRefusals(plan: PlanRecord): Refusal[] {
  return plan.steps
    .filter((s) => s.refused !== undefined)
    .map((s) => ({
      request: { action: s.action, account: s.account, params: s.params },
      reason: s.refused!,
    }));
}

/**
 * Whether the case is clean: eradication completed, every step of its last applied plan reads
 * back as it should now, and none of its steps was refused (a completed eradication with nothing
 * to do is clean too).
 */
export async function eradicationHolds(ctx: CaseContext): Promise<boolean> {
  if (!ctx.case.info.phases.eradicate?.completed) return false;
  const history = ActionHistory.of(ctx.case);
  if (!history.plans(PURPOSE).some((p) => history.finished(p.planId))) return true;
  const read = await eradicate(ctx, { mode: 'verify' });
  const excluded = leftWhenPlanned(history).some((l) => l.why === EXCLUDED);
  return read.state === 'verified' && read.refused.length === 0 && !excluded;
}

/** The items the last eradication plan left apart, and why, as `eradicate.items` recorded them. */
function leftWhenPlanned(history: ActionHistory): { id: string; scopeId?: string; why: string }[] {
  const last = history.entries.filter((e) => e.kind === 'eradicate.items').at(-1);
  return (last?.data as { left?: { id: string; scopeId?: string; why: string }[] } | undefined)?.left ?? [];
}
