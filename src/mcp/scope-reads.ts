import { join } from 'node:path';
import { ActionHistory, KIND, type PlanRecord } from '../actions/journal-view.js';
import { COMMANDS } from '../cli/commands/index.js';
import { messageOf } from '../errors.js';
import { readScope, SCOPE_FILE } from '../scope/scope.js';
import type { PersistenceItem, ScopeDocument } from '../scope/types.js';
import type { Origin } from '../inventory/types.js';
import { journalOf } from './case-reads.js';
import { ToolError } from './context.js';

/** The journal's name for eradication plans (`plan.created` with this purpose). */
export const ERADICATION_PURPOSE = 'eradicate';

const folderOf = (dir: string) => ({ path: (...parts: string[]) => join(dir, ...parts) });

/** The case's scope.json; a tool error naming the way out when scope has not run or it is unreadable. */
export function caseScope(dir: string): ScopeDocument {
  let scope: ScopeDocument | undefined;
  try {
    scope = readScope(folderOf(dir));
  } catch (error) {
    throw new ToolError(
      `${join(dir, SCOPE_FILE)} is not readable (${messageOf(error)}); \`tourniquet scope\` writes it again.`,
    );
  }
  if (!scope)
    throw new ToolError(
      `case ${dir} has no ${SCOPE_FILE}: run \`tourniquet scope\` on it (respond runs it).`,
    );
  return scope;
}

/** What `scope_items` narrows by. */
export interface ScopeFilter {
  attribution?: Origin | undefined;
  kind?: string | undefined;
  region?: string | undefined;
  inventory?: boolean | undefined;
  limit?: number | undefined;
}

/** The ways back in (and, on request, the inventory) of a case's scope, filtered. */
export function scopeItems(dir: string, filter: ScopeFilter) {
  const scope = caseScope(dir);
  const limit = filter.limit ?? 200;
  const keep = (x: { region: string; attribution: Origin }, kind: string) =>
    (filter.attribution === undefined || x.attribution === filter.attribution) &&
    (filter.kind === undefined || kind === filter.kind) &&
    (filter.region === undefined || x.region === filter.region);
  const persistence = scope.persistence.filter((p) => keep(p, p.kind));
  const inventory = filter.inventory
    ? scope.inventory.filter((i) =>
        keep({ region: i.region, attribution: i.attribution?.origin ?? 'unknown' }, i.type),
      )
    : [];
  return {
    case: dir,
    generatedAt: scope.generatedAt,
    account: scope.account,
    window: scope.window,
    summary: scope.summary,
    total: persistence.length,
    returned: Math.min(persistence.length, limit),
    persistence: persistence.slice(0, limit),
    inventoryTotal: inventory.length,
    inventory: inventory.slice(0, limit),
    notChecked: scope.coverage.filter((c) => c.status !== 'complete').slice(0, limit),
  };
}

/** The blast radius scope computed, or the reason the case has none. */
export function blastRadius(dir: string) {
  const scope = caseScope(dir);
  const computed = scope.blastRadius !== undefined && scope.blastRadius !== null;
  return {
    case: dir,
    generatedAt: scope.generatedAt,
    computed,
    reason: computed
      ? null
      : `not computed: the ${SCOPE_FILE} of this case (${scope.generatedAt}) holds no blast radius.`,
    blastRadius: computed ? scope.blastRadius : null,
  };
}

type StepState = 'planned' | 'applied' | 'failed' | 'undone';

/** Each step of a recorded plan with what the journal says happened to it since. */
function stepsOf(history: ActionHistory, plan: PlanRecord) {
  const last = new Map<string, { state: StepState; verified?: boolean; observed?: string; error?: string }>();
  for (const e of history.entries) {
    const d = e.data as { planId?: string; stepId?: string; ok?: boolean; observed?: string; error?: string };
    if (d.planId !== plan.planId || d.stepId === undefined) continue;
    const was = last.get(d.stepId) ?? { state: 'planned' as StepState };
    if (e.kind === KIND.stepApplied) last.set(d.stepId, { state: 'applied' });
    else if (e.kind === KIND.stepFailed) last.set(d.stepId, { state: 'failed', error: d.error ?? '' });
    else if (e.kind === KIND.stepUndone) last.set(d.stepId, { state: 'undone' });
    else if (e.kind === KIND.stepVerified)
      last.set(d.stepId, { ...was, verified: d.ok === true, observed: d.observed ?? '' });
  }
  return plan.steps.map((s) => ({
    id: s.id,
    action: s.action,
    account: s.account,
    target: s.target,
    change: s.change,
    noop: s.noop,
    refused: s.refused ?? null,
    reversible: s.reversible,
    ...(last.get(s.id) ?? { state: 'planned' }),
  }));
}

/** A way back in the attacker left, as the eradication plan would see it. */
const candidate = (p: PersistenceItem) => ({
  id: p.id,
  kind: p.kind,
  name: p.name,
  region: p.region,
  account: p.account,
  risk: p.risk,
  why: p.why,
  remediation: p.remediation,
});

/**
 * The case's eradication plan as recorded in its journal (never made or applied here: making a
 * plan writes to the case, applying changes AWS), with the scope's attacker items it would act on.
 */
export function eradicationPlan(dir: string) {
  const history = new ActionHistory(journalOf(dir));
  const plans = history.plans(ERADICATION_PURPOSE);
  const plan = plans.at(-1);
  let candidates: ReturnType<typeof candidate>[] | null = null;
  let scopeProblem: string | null = null;
  try {
    candidates = caseScope(dir)
      .persistence.filter((p) => p.attribution === 'attacker')
      .map(candidate);
  } catch (error) {
    scopeProblem = messageOf(error);
  }
  const planner = COMMANDS.some((c) => c.name === 'eradicate');
  const reason = plan
    ? null
    : planner
      ? 'no eradication plan in this case yet: `tourniquet eradicate` writes one (and changes nothing without --apply).'
      : 'not available: this version of Tourniquet has no eradication planner (`tourniquet eradicate`); the candidates are the ways back in scope attributed to the attacker, which are removed by hand until then.';
  return {
    case: dir,
    available: plan !== undefined,
    reason,
    plan: plan
      ? {
          planId: plan.planId,
          file: plan.file,
          plans: plans.length,
          finished: history.finished(plan.planId),
          steps: stepsOf(history, plan),
        }
      : null,
    candidates,
    scopeProblem,
  };
}
