import type { ClientPool } from '../../aws/pool.js';
import type {
  ActionDef,
  ApplyContext,
  ApplyDetail,
  PlannedStep,
  StepParams,
  StepProposal,
} from '../action.js';

/** A resource as a removal reads it. */
export interface Found<S> {
  state: S;
  /** When AWS says it was created; a removal refuses anything older than `params.createdAfter`. */
  created?: string | undefined;
  /** On its way out already (a terminated instance): counts as gone. */
  gone?: boolean;
}

/**
 * A removal declared as data: read the resource, keep its evidence, remove it. `plan`, `apply`
 * and `verify` are the same for every kind of resource (`removal()` writes them once).
 */
export interface RemovalSpec<S> {
  name: string;
  summary: string;
  irreversibleBecause: string;
  target: (params: StepParams) => string;
  /** The resource now; undefined when it no longer exists. */
  read(pool: ClientPool, params: StepParams): Promise<Found<S> | undefined>;
  /** One line for the plan: what is kept, what goes. */
  describe(state: S, params: StepParams): string;
  /** What the plan (and so the journal) records of the state; default: all of it. */
  summarize?(state: S): unknown;
  /** Why this resource cannot be removed by the tool (the plan shows it; nothing is done). */
  refuse?(state: S): string | undefined;
  /** Keep the evidence (files through `context.keep`, snapshots…) before anything is removed. */
  preserve(pool: ClientPool, params: StepParams, state: S, context: ApplyContext): Promise<ApplyDetail>;
  /** Remove it, in the order AWS requires; a part already gone is not an error. */
  remove(pool: ClientPool, params: StepParams, state: S, context: ApplyContext): Promise<ApplyDetail | void>;
}

/**
 * How far a service's creation date may fall before the CloudTrail time of the call that made it.
 * Both are whole seconds from different clocks (CloudTrail dates the request, the service the
 * resource), so the key an attacker's first call created can read a second older than that call.
 */
export const CLOCK_SLACK_MS = 5_000;

/**
 * Never delete what existed before the attack (DESIGN.md §3.5): a resource AWS dates before
 * `createdAfter` (less the clocks' slack) is refused, whoever named it.
 */
function preExisting(found: Found<unknown>, params: StepParams): string | undefined {
  const cutoff = params.createdAfter;
  if (!cutoff || !found.created) return undefined;
  if (Date.parse(found.created) >= Date.parse(cutoff) - CLOCK_SLACK_MS) return undefined;
  return `created ${found.created}, before the attack (${cutoff}): a pre-existing resource is restored, never deleted`;
}

/** An action that keeps the evidence of an attacker's resource, then removes it. */
export function removal<S>(spec: RemovalSpec<S>): ActionDef {
  return {
    name: spec.name,
    summary: spec.summary,
    irreversibleBecause: spec.irreversibleBecause,
    target: spec.target,
    async plan(env, account, params): Promise<StepProposal> {
      const found = await spec.read(await env.poolFor(account), params);
      if (!found || found.gone) return { before: { exists: false }, change: 'already gone', noop: true };
      const before = {
        exists: true,
        created: found.created,
        ...wrap(spec.summarize?.(found.state) ?? found.state),
      };
      const refused = preExisting(found, params) ?? spec.refuse?.(found.state);
      if (refused) return { before, change: `not removed: ${refused}`, noop: true, refused };
      return { before, change: spec.describe(found.state, params), noop: false };
    },
    async apply(env, step, context) {
      const pool = await env.poolFor(step.account);
      const found = await spec.read(pool, step.params);
      // Gone already (a resumed run, another responder): the target state, nothing to keep.
      if (!found || found.gone) return { removed: false, reason: 'already gone' };
      const refused = preExisting(found, step.params) ?? spec.refuse?.(found.state);
      if (refused) throw new Error(`${step.id}: ${refused}`);
      const evidence = await spec.preserve(pool, step.params, found.state, context);
      const removed = await spec.remove(pool, step.params, found.state, context);
      return { removed: true, evidence, ...(removed ?? {}) };
    },
    async verify(env, step) {
      const found = await spec.read(await env.poolFor(step.account), step.params);
      if (!found) return { ok: true, observed: 'gone' };
      if (found.gone) return { ok: true, observed: 'on its way out (terminated)' };
      return { ok: false, observed: 'still exists' };
    },
  };
}

function wrap(summary: unknown): Record<string, unknown> {
  return summary && typeof summary === 'object' && !Array.isArray(summary)
    ? (summary as Record<string, unknown>)
    : { state: summary };
}

/**
 * A restoration declared as data, for a resource that existed before the attack and stays:
 * read it, tell whether it is back in its pre-attack state, keep the document about to change,
 * write the pre-attack state.
 */
export interface RestoreSpec<S> {
  name: string;
  summary: string;
  target: (params: StepParams) => string;
  /** The resource now; undefined when it no longer exists (nothing to restore). */
  read(pool: ClientPool, params: StepParams): Promise<S | undefined>;
  restored(state: S, params: StepParams): boolean;
  /** One line for the plan; a string starting with `cannot:` refuses the step. */
  describe(state: S, params: StepParams): string;
  /** The documents about to change, kept before the write. */
  evidence(state: S, params: StepParams): { file: string; content: string }[];
  write(pool: ClientPool, params: StepParams, state: S, context: ApplyContext): Promise<ApplyDetail>;
  /** What the plan records; default: the state. */
  summarize?(state: S): unknown;
  /** Put the before-state back (the plan's `before.state`). */
  undo?: (pool: ClientPool, step: PlannedStep, before: S) => Promise<ApplyDetail>;
  irreversibleBecause?: string;
}

/** An action that puts a pre-existing resource back the way it was before the attack. */
export function restoration<S>(spec: RestoreSpec<S>): ActionDef {
  const def: ActionDef = {
    name: spec.name,
    summary: spec.summary,
    target: spec.target,
    async plan(env, account, params): Promise<StepProposal> {
      const state = await spec.read(await env.poolFor(account), params);
      if (state === undefined)
        return { before: { exists: false }, change: 'no longer exists: nothing to restore', noop: true };
      const before = { exists: true, state: spec.summarize ? spec.summarize(state) : state };
      if (spec.restored(state, params)) return { before, change: 'already restored', noop: true };
      const change = spec.describe(state, params);
      if (change.startsWith('cannot:')) {
        const refused = change.slice('cannot:'.length).trim();
        return { before, change: `not changed: ${refused}`, noop: true, refused };
      }
      return { before, change, noop: false };
    },
    async apply(env, step, context) {
      const pool = await env.poolFor(step.account);
      const state = await spec.read(pool, step.params);
      if (state === undefined) return { restored: false, reason: 'no longer exists' };
      if (spec.restored(state, step.params)) return { restored: false, reason: 'already restored' };
      const kept: ApplyDetail[] = [];
      for (const e of spec.evidence(state, step.params))
        kept.push(await context.keep(e.file, e.content, `${spec.name} ${spec.target(step.params)}`));
      const detail = await spec.write(pool, step.params, state, context);
      return { restored: true, evidence: kept, ...detail };
    },
    async verify(env, step) {
      const state = await spec.read(await env.poolFor(step.account), step.params);
      if (state === undefined) return { ok: true, observed: 'no longer exists' };
      return spec.restored(state, step.params)
        ? { ok: true, observed: 'restored' }
        : { ok: false, observed: 'not in the restored state' };
    },
  };
  if (spec.irreversibleBecause) def.irreversibleBecause = spec.irreversibleBecause;
  const undo = spec.undo;
  if (undo)
    def.undo = async (env, step) => {
      const before = step.before as { exists: boolean; state?: S };
      if (!before.exists || before.state === undefined) return { restored: 'nothing: it did not exist' };
      return undo(await env.poolFor(step.account), step, before.state);
    };
  return def;
}

/** A comma-separated list parameter (plain strings only in a plan). */
export function listParam(params: StepParams, name: string): string[] {
  return (params[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A JSON document for evidence files: indented, newline-terminated. */
export function asJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** How long a removal waits for AWS work to settle before it gives up (a resumed run goes on). */
const SETTLE_TRIES = 12;

/** Read until `settled` holds, backing off up to 30 s a try, at most SETTLE_TRIES times. */
export async function waitWith<T>(
  context: ApplyContext,
  read: () => Promise<T>,
  settled: (value: T) => boolean,
): Promise<{ value: T; settled: boolean }> {
  let value = await read();
  for (let i = 0; i < SETTLE_TRIES && !settled(value); i++) {
    await context.sleep(Math.min(30_000, 1000 * 2 ** i));
    value = await read();
  }
  return { value, settled: settled(value) };
}
