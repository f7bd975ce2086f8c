import type { CloudTrailRecord } from '../../../sim/cloudtrail/model.js';
import { LEFT_BEHIND, itemId, type EradicationItem } from '../../../eradicate/items.js';
import { KINDS, type PlanContext } from '../../../eradicate/kinds.js';
import type { StepRequest } from '../../engine.js';
import { ERADICATION_ACTIONS } from '../index.js';
import type { Bed } from './bed.js';

const ORDER = new Map(ERADICATION_ACTIONS.map((a, n) => [a.name, n]));

/**
 * The plan eradication makes from the attacker's calls, without a case store: each record read
 * through `LEFT_BEHIND`, each item through its kind's rule, the steps in the planner's order
 * (src/eradicate/eradicate.ts), and the lines it leaves to a person.
 */
export async function planFromCalls(
  bed: Bed,
  account: string,
  records: CloudTrailRecord[],
  attackStart: string,
): Promise<{ requests: StepRequest[]; manual: string[] }> {
  const items = new Map<string, EradicationItem>();
  for (const e of records) {
    const read = e.errorCode ? undefined : LEFT_BEHIND[e.eventName];
    for (const i of read?.(e.requestParameters, e.responseElements) ?? []) {
      const id = itemId(i.kind, e.awsRegion, i.name, i.owner);
      items.set(id, {
        ...i,
        id,
        region: e.awsRegion,
        account,
        attribution: 'attacker',
        eventIds: [e.eventID],
      });
    }
  }
  const ctx: PlanContext = {
    pool: bed.pool,
    ourAccount: account,
    attackStart,
    items,
    attackerEvents: new Set(),
  };
  const requests: StepRequest[] = [];
  const manual: string[] = [];
  for (const i of items.values()) {
    const rule = KINDS[i.kind];
    if (rule?.steps) requests.push(...(await rule.steps(i, ctx)));
    if (rule?.manual) manual.push(rule.manual(i));
  }
  requests.sort((a, b) => (ORDER.get(a.action) ?? 99) - (ORDER.get(b.action) ?? 99));
  return { requests, manual };
}
