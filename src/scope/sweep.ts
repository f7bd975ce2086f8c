import type { Severity } from '../detect/finding.js';
import type { InventoryItem, Origin } from '../inventory/types.js';
import type { AttributionContext } from './attribute.js';
import type { WriteEvent, WriteIndex } from './events.js';
import type { PersistenceItem, PersistenceKind } from './types.js';

/** What every check reads: the attributed inventory, the case's write events, the account. */
export interface SweepContext extends AttributionContext {
  account: string;
  /** The responder's own principal (its user and keys are the tool's, never a backdoor). */
  responderArn: string | undefined;
  /** `principal/policy` of the inline policies the case's containment put (and did not undo). */
  ourPolicies: Set<string>;
  items: InventoryItem[];
  index: WriteIndex;
  now: string;
}

/** A found way back in, before its id is made. */
export type Candidate = Omit<PersistenceItem, 'id' | 'kind' | 'technique'> & {
  /** Written by the responder's own calls: dropped by the sweep. */
  byResponder?: boolean | undefined;
};

/**
 * One check of the persistence checklist: a kind, its ATT&CK technique, and how to find its
 * candidates in the inventory and the events. `sweep()` gives each its id and keeps the order.
 */
export interface PersistenceCheck {
  kind: PersistenceKind;
  technique: string;
  /** One line for the documentation and the report's legend. */
  title: string;
  find(ctx: SweepContext): Candidate[];
}

/** Items of one type. */
export function itemsOf(ctx: SweepContext, type: string): InventoryItem[] {
  return ctx.items.filter((i) => i.type === type);
}

/** An item by type and id. */
export function itemById(ctx: SweepContext, type: string, id: string): InventoryItem | undefined {
  return ctx.items.find((i) => i.type === type && i.id === id);
}

/** The origin an item's attribution gives (unknown when it was not attributed). */
export function originOf(item: InventoryItem | undefined): Origin {
  return item?.attribution?.origin ?? 'unknown';
}

/**
 * The origin of a part of a resource (an inline policy, an attachment, a bucket's policy) from
 * the events that wrote that part: the attacker's if they wrote it; pre-existing if someone else
 * wrote it before the incident, or (no write recorded, complete events) its owner predates it;
 * the owner's origin otherwise (a part of an attacker-made user came with it).
 */
export function partOrigin(
  ctx: SweepContext,
  owner: InventoryItem | undefined,
  writes: WriteEvent[],
): { attribution: Origin; eventIds: string[]; firstSeen?: string | undefined; byResponder?: boolean } {
  // Containment's own policies (deny-all, session revocation) are the responder's, not a door.
  if (writes.length > 0 && writes.every((e) => e.responder))
    return { attribution: 'unknown', eventIds: [], byResponder: true };
  const attacker = writes.filter((e) => e.attacker);
  if (attacker.length)
    return {
      attribution: 'attacker',
      eventIds: attacker.map((e) => e.eventId),
      firstSeen: attacker[0]!.time,
    };
  const cutoff = ctx.since ?? ctx.awareness;
  const first = writes[0];
  if (first && Date.parse(first.time) < Date.parse(cutoff))
    return { attribution: 'pre-existing', eventIds: [] };
  if (first) return { attribution: 'unknown', eventIds: [] };
  const ownerOrigin = originOf(owner);
  if (ownerOrigin === 'attacker' && owner?.attribution?.how === 'created')
    return { attribution: 'attacker', eventIds: owner.attribution.eventIds, firstSeen: owner.createdAt };
  if (ownerOrigin === 'pre-existing' && ctx.eventsComplete)
    return { attribution: 'pre-existing', eventIds: [] };
  return { attribution: ownerOrigin === 'attacker' ? 'unknown' : ownerOrigin, eventIds: [] };
}

/** A candidate made from an inventory item, its attribution carried over. */
export function fromItem(
  item: InventoryItem,
  fields: {
    why: string;
    risk: Severity;
    remediation: string;
    evidence?: unknown;
    owner?: string;
    admits?: string[];
    principal?: string;
    name?: string;
  },
): Candidate {
  const a = item.attribution;
  return {
    name: fields.name ?? item.name,
    arn: item.arn,
    region: item.region,
    account: item.account,
    owner: fields.owner,
    admits: fields.admits,
    principal: fields.principal,
    attribution: a?.origin ?? 'unknown',
    eventIds: a?.origin === 'attacker' ? a.eventIds : [],
    firstSeen: a?.origin === 'attacker' ? (item.createdAt ?? undefined) : item.createdAt,
    evidence: fields.evidence ?? item.data,
    risk: fields.risk,
    why: fields.why,
    remediation: fields.remediation,
    resource: { type: item.type, id: item.id, region: item.region },
    byResponder: a?.byResponder,
  };
}

/** Raise the risk of what the attacker made: the same configuration is worse when theirs. */
export function riskFor(origin: Origin, ifAttacker: Severity, otherwise: Severity): Severity {
  return origin === 'pre-existing' ? otherwise : ifAttacker;
}
