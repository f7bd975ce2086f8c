import { createHash } from 'node:crypto';
import type { CaseFolder } from '../case/case.js';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import { UserError, messageOf } from '../errors.js';
import type {
  ActionDef,
  ActionEnv,
  ApplyDetail,
  KeepEvidence,
  PlannedStep,
  StepParams,
  VerifyOutcome,
} from './action.js';
import { ActionHistory, KIND, type PlanRecord } from './journal-view.js';
import { forEachBounded } from '../trail/workers.js';

/** A step to plan: which action, in which account, with which inputs. */
export interface StepRequest {
  action: string;
  account: string;
  params: StepParams;
}

/** Accounts a plan acts in at once (each account's steps still run one after another, in order). */
const ACCOUNTS_AT_ONCE = 4;

/** Steps grouped by account, each group in the plan's order. */
function byAccount(steps: readonly PlannedStep[]): PlannedStep[][] {
  const groups = new Map<string, PlannedStep[]>();
  for (const step of steps) {
    const group = groups.get(step.account);
    if (group) group.push(step);
    else groups.set(step.account, [step]);
  }
  return [...groups.values()];
}

/** The actions an engine knows, by name. */
export type ActionRegistry = ReadonlyMap<string, ActionDef>;

/** A registry from a list of actions. */
export function registryOf(actions: ActionDef[]): ActionRegistry {
  return new Map(actions.map((a) => [a.name, a]));
}

function defOf(registry: ActionRegistry, name: string): ActionDef {
  const def = registry.get(name);
  if (!def)
    throw new UserError('UNKNOWN_ACTION', `Unknown action "${name}".`, {
      hint: `Known: ${[...registry.keys()].join(', ')}.`,
    });
  return def;
}

/** The stable id of a step within a case. */
export function stepId(action: string, account: string, target: string): string {
  return `${action}:${account}:${target}`;
}

/**
 * Plan: read the current state of every step's target and propose the change, without changing
 * anything; then write the plan to the case (an evidence file under `plans/` and a journal line)
 * so that what is shown is what is applied.
 */
export async function makePlan(
  env: ActionEnv,
  folder: CaseFolder,
  registry: ActionRegistry,
  purpose: string,
  requests: StepRequest[],
): Promise<PlanRecord> {
  const history = ActionHistory.of(folder);
  const steps: PlannedStep[] = [];
  const seen = new Set<string>();
  for (const request of requests) {
    const def = defOf(registry, request.action);
    const id = stepId(def.name, request.account, def.target(request.params));
    if (seen.has(id)) continue;
    seen.add(id);
    const prior = history.lastApply(id);
    const proposal = await def.plan(
      env,
      request.account,
      request.params,
      prior && { at: prior.at, detail: prior.detail },
    );
    steps.push({
      id,
      action: def.name,
      account: request.account,
      target: def.target(request.params),
      params: request.params,
      reversible: def.undo !== undefined,
      ...proposal,
    });
  }
  const planId = `${purpose}-${history.plans(purpose).length + 1}`;
  const file = `plans/${planId}.json`;
  const plan: PlanRecord = { planId, purpose, file, steps };
  await folder.addEvidence(
    file,
    JSON.stringify({ ...plan, createdAt: env.clock.now().toISOString() }, null, 2) + '\n',
    'tourniquet plan',
  );
  folder.record(KIND.planCreated, plan);
  return plan;
}

export interface StepResult {
  step: PlannedStep;
  /** `refused`: a guard kept the step out (its reason is `step.refused`); nothing was done. */
  outcome: 'applied' | 'already-done' | 'unchanged' | 'refused' | 'failed';
  error?: string;
  verify?: VerifyOutcome;
}

export interface ApplyResult {
  planId: string;
  resumed: boolean;
  results: StepResult[];
  /** Every step's target state was read back and confirmed. */
  verified: boolean;
  /** When the last verification finished. */
  verifiedAt: string;
}

/** A file-system-safe name for an id made of ARNs and attacker-chosen names. */
export function evidenceSlug(id: string): string {
  const plain = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return `${plain.slice(0, 80)}-${hash}`;
}

/** Where a step keeps its evidence: one folder per plan and step, so a resumed run replaces it. */
function evidenceOfStep(folder: CaseFolder, planId: string, stepId: string): KeepEvidence {
  return async (file, content, source) => {
    const record = await folder.addEvidence(
      `actions/${planId}/${evidenceSlug(stepId)}/${file}`,
      content,
      source,
    );
    return { path: record.path, sha256: record.sha256 };
  };
}

/** Read the state back; IAM is eventually consistent, so a mismatch is re-read a few times. */
async function verifyWithRetry(
  env: ActionEnv,
  def: ActionDef,
  step: PlannedStep,
  applied: ApplyDetail | undefined,
): Promise<VerifyOutcome> {
  let outcome: VerifyOutcome = { ok: false, observed: 'not read' };
  for (let attempt = 0; attempt < 4; attempt++) {
    if (attempt > 0) await env.clock.sleep(500 * 2 ** attempt);
    try {
      outcome = await def.verify(env, step, applied);
    } catch (error) {
      outcome = { ok: false, observed: `could not read back: ${describeAwsError(classifyAwsError(error))}` };
      if (classifyAwsError(error).kind === 'denied') return outcome;
    }
    if (outcome.ok) return outcome;
  }
  return outcome;
}

/**
 * Apply a plan step by step, each journalled before (`step.applying`, with the time it uses)
 * and after (`step.applied` or `step.failed`); steps already applied in this plan (an
 * interrupted run) are not repeated, and a step that was started but not recorded as done is
 * re-run with the same time (every apply accepts a state that is already the target). Then every
 * step is verified by reading the state back.
 */
export async function applyPlan(
  env: ActionEnv,
  folder: CaseFolder,
  registry: ActionRegistry,
  plan: PlanRecord,
  onStep?: (result: StepResult) => void,
): Promise<ApplyResult> {
  const history = ActionHistory.of(folder);
  const resumed = plan.steps.some((s) => history.applying(plan.planId, s.id) !== undefined);
  const byStep = new Map<string, StepResult>();
  const appliedDetail = new Map<string, ApplyDetail | undefined>();
  const applyOne = async (step: PlannedStep): Promise<StepResult> => {
    const def = defOf(registry, step.action);
    const done = history.applied(plan.planId, step.id);
    if (done) {
      appliedDetail.set(step.id, done);
      return { step, outcome: 'already-done' };
    }
    if (step.refused !== undefined) return { step, outcome: 'refused' };
    if (step.noop) {
      appliedDetail.set(step.id, history.lastApply(step.id)?.detail);
      return { step, outcome: 'unchanged' };
    }
    const at = history.applying(plan.planId, step.id)?.at ?? env.clock.now().toISOString();
    folder.record(KIND.stepApplying, { planId: plan.planId, stepId: step.id, at });
    try {
      const detail = await def.apply(env, step, {
        at: new Date(at),
        caseId: folder.id,
        keep: evidenceOfStep(folder, plan.planId, step.id),
        sleep: (ms) => env.clock.sleep(ms),
      });
      folder.record(KIND.stepApplied, { planId: plan.planId, stepId: step.id, detail });
      appliedDetail.set(step.id, detail);
      return { step, outcome: 'applied' };
    } catch (error) {
      const c = classifyAwsError(error);
      if (c.kind === 'other' && !c.credentialsRejected && c.httpStatus === undefined && !c.network)
        throw error;
      const message = describeAwsError(c);
      folder.record(KIND.stepFailed, { planId: plan.planId, stepId: step.id, error: message, kind: c.kind });
      return { step, outcome: 'failed', error: message };
    }
  };
  // Each account's steps in the plan's order; a few accounts at once (they share nothing).
  // An unexpected error stops every account at its next step.
  const groups = byAccount(plan.steps);
  await forEachBounded(groups, ACCOUNTS_AT_ONCE, async (steps, stop) => {
    for (const step of steps) {
      if (stop.aborted) return;
      const result = await applyOne(step);
      byStep.set(step.id, result);
      onStep?.(result);
    }
  });
  const results = plan.steps.map((s) => byStep.get(s.id)!);
  const verifyOf = async (result: StepResult): Promise<boolean> => {
    if (result.outcome === 'refused') return true;
    const def = defOf(registry, result.step.action);
    const outcome = await verifyWithRetry(env, def, result.step, appliedDetail.get(result.step.id));
    result.verify = outcome;
    folder.record(KIND.stepVerified, { planId: plan.planId, stepId: result.step.id, ...outcome });
    return outcome.ok && result.outcome !== 'failed';
  };
  let verified = true;
  await forEachBounded(groups, ACCOUNTS_AT_ONCE, async (steps) => {
    for (const step of steps) if (!(await verifyOf(byStep.get(step.id)!))) verified = false;
  });
  const verifiedAt = env.clock.now().toISOString();
  folder.record(KIND.planApplied, { planId: plan.planId, verified, resumed, at: verifiedAt });
  return { planId: plan.planId, resumed, results, verified, verifiedAt };
}

/** Find a step of the case by its id, a unique prefix of it, or its action name when unique. */
export function findAppliedStep(
  history: ActionHistory,
  ref: string,
): { step: PlannedStep; planId: string; detail: ApplyDetail } {
  const candidates = new Map<string, { step: PlannedStep; planId: string; detail: ApplyDetail }>();
  for (const plan of history.plans()) {
    for (const step of plan.steps) {
      const last = history.lastApply(step.id);
      if (!last || last.planId !== plan.planId) continue;
      candidates.set(step.id, { step, planId: plan.planId, detail: last.detail });
    }
  }
  const all = [...candidates.values()];
  const exact = all.filter((c) => c.step.id === ref);
  const matches = exact.length
    ? exact
    : all.filter((c) => c.step.id.startsWith(ref) || c.step.action === ref);
  if (matches.length === 1) return matches[0]!;
  const listing = all.map((c) => c.step.id).join(', ') || 'none';
  throw new UserError(
    'STEP_NOT_FOUND',
    matches.length === 0
      ? `No applied step matches "${ref}".`
      : `"${ref}" matches ${matches.length} applied steps.`,
    { hint: `Applied steps that can be named: ${listing}.`, exitCode: 2 },
  );
}

/** Undo one applied step: restore its before-state where AWS allows; journalled before and after. */
export async function undoStep(
  env: ActionEnv,
  folder: CaseFolder,
  registry: ActionRegistry,
  ref: string,
): Promise<{ step: PlannedStep; detail: ApplyDetail }> {
  const history = ActionHistory.of(folder);
  const { step, planId, detail } = findAppliedStep(history, ref);
  const def = defOf(registry, step.action);
  if (!def.undo) {
    throw new UserError(
      'NOT_REVERSIBLE',
      `Step ${step.id} cannot be undone: ${def.irreversibleBecause ?? 'AWS offers no way back'}.`,
    );
  }
  folder.record(KIND.stepUndoing, { planId, stepId: step.id });
  try {
    const result = await def.undo(env, step, detail);
    folder.record(KIND.stepUndone, { planId, stepId: step.id, detail: result });
    return { step, detail: result };
  } catch (error) {
    const c = classifyAwsError(error);
    folder.record(KIND.stepFailed, { planId, stepId: step.id, error: describeAwsError(c), undo: true });
    throw new UserError('UNDO_FAILED', `Undo of ${step.id} failed: ${messageOf(error)}`, { cause: error });
  }
}
