import type { ClientPool } from '../../aws/pool.js';
import type { ActionDef, StepParams } from '../action.js';
import { listParam, restoration } from './declare.js';
import { withoutPrincipals } from './iam-roles.js';

/** How to read, write and delete one kind of resource policy (a bucket's, a secret's…). */
export interface ResourcePolicyKind {
  name: string;
  /** What the policy is on, for the plan and help. */
  what: string;
  target: (p: StepParams) => string;
  /** The policy text now; null when there is none; undefined when the resource is gone. */
  read: (pool: ClientPool, p: StepParams) => Promise<string | null | undefined>;
  put: (pool: ClientPool, p: StepParams, text: string) => Promise<unknown>;
  remove: (pool: ClientPool, p: StepParams) => Promise<unknown>;
}

interface PolicyState {
  text: string | null;
}

/**
 * What the policy should be: the prior text (`priorPolicy`, empty for "there was none") when the
 * case saw it, else the current one without the attacker's principals (null when nothing is left).
 */
function wanted(s: PolicyState, p: StepParams): string | null {
  if (p.priorPolicy !== undefined) return p.priorPolicy === '' ? null : p.priorPolicy;
  if (s.text === null) return null;
  const next = withoutPrincipals(s.text, listParam(p, 'removePrincipals'));
  return next.statements === 0 ? null : next.text;
}

function restoredTo(s: PolicyState, p: StepParams): boolean {
  if (p.priorPolicy !== undefined) return s.text === wanted(s, p);
  const attacker = listParam(p, 'removePrincipals');
  return s.text === null || withoutPrincipals(s.text, attacker).text === JSON.stringify(JSON.parse(s.text));
}

/** A restoration of a resource policy the attacker opened, declared from its kind. */
export function restoreResourcePolicy(kind: ResourcePolicyKind): ActionDef {
  return restoration<PolicyState>({
    name: kind.name,
    summary: `keep the ${kind.what} policy, then put back the pre-attack one (or delete it, or remove only the attacker's principals)`,
    target: kind.target,
    async read(pool, p) {
      const text = await kind.read(pool, p);
      return text === undefined ? undefined : { text };
    },
    restored: restoredTo,
    describe(s, p) {
      if (p.priorPolicy === undefined && !listParam(p, 'removePrincipals').length)
        return "cannot: neither the prior policy nor the attacker's principals are known";
      const next = wanted(s, p);
      const how =
        p.priorPolicy !== undefined
          ? 'the pre-attack policy'
          : `the policy without ${listParam(p, 'removePrincipals').join(', ')}`;
      return next === null
        ? `keep the ${kind.what} policy, delete it (${how} is empty)`
        : `keep the ${kind.what} policy, put back ${how}`;
    },
    evidence: (s) => [{ file: `${kind.name.replace(/^restore-/, '')}.json`, content: s.text ?? '' }],
    async write(pool, p, s) {
      const next = wanted(s, p);
      if (next === null) await kind.remove(pool, p);
      else await kind.put(pool, p, next);
      return { policy: next === null ? 'deleted' : 'replaced' };
    },
    async undo(pool, step, before) {
      if (before.text === null) await kind.remove(pool, step.params);
      else await kind.put(pool, step.params, before.text);
      return { restored: `the ${kind.what} policy as it was before this step` };
    },
  });
}
