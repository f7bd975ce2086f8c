import type { CaseContext } from '../context.js';
import { compromiseCondition, type Investigation } from '../detect/investigate.js';
import { UsageError } from '../errors.js';
import { readScope, scope } from '../scope/scope.js';
import type { ScopeDocument } from '../scope/types.js';
import { openEventStore, STORE_FILE } from '../store/store.js';
import { goneFromScope, itemsFromScope } from './from-scope.js';
import { CALL_KINDS, itemId, itemsFromEvents, type EradicationItem } from './items.js';
import { KINDS } from './kinds.js';

/** An item not acted on, and why. */
/** Why an item the responder named with --exclude is not acted on. */
export const EXCLUDED = 'excluded (--exclude)';

export interface LeftItem {
  item: EradicationItem;
  why: string;
}

/** What the planner starts from: scope's items, cross-checked with the case's calls. */
export interface CaseItems {
  /** Every item to consider (scope's, and the calls' that scope cannot tell are gone). */
  items: EradicationItem[];
  /** Resources the attacker changed that scope lists no way in on: shown, to review. */
  changed: EradicationItem[];
  /** Where scope and the calls disagree, each with the reading. */
  disagreements: LeftItem[];
  source: string;
}

const GONE = 'the calls made it, scope did not find it in the account: already gone';
const UNEXPLAINED =
  'scope attributes it to the attacker but no call of the case made it: shown, not removed without --include';

/** One item known to both: scope's id and live reading, the calls' details (what exactly they did). */
function merged(s: EradicationItem, c: EradicationItem): EradicationItem {
  const firstSeen = [s.firstSeen, c.firstSeen].filter((t): t is string => t !== undefined).sort()[0];
  return {
    ...s,
    owner: s.owner ?? c.owner,
    ...(s.details || c.details ? { details: { ...s.details, ...c.details } } : {}),
    eventIds: [...new Set([...s.eventIds, ...c.eventIds])],
    ...(firstSeen ? { firstSeen } : {}),
    from: 'both',
  };
}

/**
 * Scope's items against the calls': an item both know is planned with the calls' details; an
 * item the calls made that scope read the place of and did not find is already gone; an item
 * scope attributes to the attacker that no call explains is kept aside (named, not acted on);
 * an item the calls made that scope cannot see (a rule, a statement, a logging change) or did not
 * read is planned from the calls, and its step reads the account first.
 */
export function reconcile(doc: ScopeDocument, found: EradicationItem[]): CaseItems {
  // An item of another account is named with it: a name may repeat across accounts.
  const qualify = (i: EradicationItem): EradicationItem =>
    i.account && i.account !== doc.account && !i.id.endsWith(`@${i.account}`)
      ? { ...i, id: `${i.id}@${i.account}` }
      : i;
  const fromScope = itemsFromScope(doc);
  const scoped = fromScope.items.map(qualify);
  const changed = fromScope.changed.map(qualify);
  const calls = found.map(qualify);
  const byId = new Map(calls.map((c) => [c.id, c]));
  const items: EradicationItem[] = [];
  const disagreements: LeftItem[] = [];
  for (const s of scoped) {
    const c = byId.get(s.id);
    byId.delete(s.id);
    if (c) items.push(merged(s, c));
    else if (s.attribution === 'attacker' && CALL_KINDS.has(s.kind)) {
      disagreements.push({ item: s, why: UNEXPLAINED });
      items.push({ ...s, unexplained: true });
    } else items.push(s);
  }
  for (const c of byId.values()) {
    if (goneFromScope(c, doc)) disagreements.push({ item: c, why: GONE });
    else items.push(c);
  }
  return {
    items,
    changed,
    disagreements,
    source: "scope.json, cross-checked with the investigation's attributed calls",
  };
}

/**
 * The items of the case: scope's (running `tourniquet scope` first when the case has none),
 * cross-checked with what the investigation's attributed calls left behind.
 */
export async function caseItems(ctx: CaseContext, inv: Investigation): Promise<CaseItems> {
  let doc = readScope(ctx.case);
  if (!doc) {
    ctx.log.info('The case has no scope yet: reading the account first (tourniquet scope).');
    doc = (await scope(ctx)).document;
  }
  const condition = compromiseCondition(inv);
  let calls: EradicationItem[] = [];
  if (condition) {
    const store = await openEventStore(ctx.case.path(STORE_FILE), { readOnly: true });
    try {
      calls = await itemsFromEvents(store, condition);
    } finally {
      store.close();
    }
  }
  return reconcile(doc, calls);
}

/** An item a responder names with `--include` that the case does not list: `kind/region/name`. */
export function namedItem(id: string, account: string): EradicationItem {
  const m = /^([a-z0-9-]+)\/([a-z0-9-]+)\/(.+)$/.exec(id);
  if (!m || !KINDS[m[1]!])
    throw new UsageError(
      `--include ${id}: not an item id.`,
      `Use an id from the plan or from scope (kind/region/name, e.g. instance/eu-west-1/i-0abc…, access-key/global/AKIA…); kinds: ${Object.keys(KINDS).join(', ')}.`,
    );
  const [, kind, region, name] = m as unknown as [string, string, string, string];
  return {
    kind,
    id: itemId(kind, region, name),
    name,
    region,
    account,
    attribution: 'unknown',
    eventIds: [],
  };
}

const named = (item: EradicationItem, ids: Set<string>) =>
  ids.has(item.id) || (item.scopeId !== undefined && ids.has(item.scopeId));

/**
 * Which items to act on: the attacker's that the calls explain, and what `--include` names
 * (by the planner's id or scope's), less what `--exclude` names. An item whose parent is removed
 * goes with it. Everything else is left, with why.
 */
export function choose(
  found: CaseItems,
  include: Set<string>,
  exclude: Set<string>,
  account: string,
): { chosen: Map<string, EradicationItem>; left: LeftItem[] } {
  const all = [...found.items, ...found.changed];
  for (const id of include) if (!all.some((i) => named(i, new Set([id])))) all.push(namedItem(id, account));
  const left: LeftItem[] = [];
  const chosen = new Map<string, EradicationItem>();
  const why = new Map<EradicationItem, string>();
  for (const item of all) {
    if (named(item, exclude)) why.set(item, EXCLUDED);
    else if (named(item, include)) chosen.set(item.id, item);
    else if (item.unexplained)
      why.set(item, 'scope and the calls disagree: no call of the case made it (--include to act on it)');
    else if (found.changed.includes(item))
      why.set(item, 'changed by the attacker; scope lists no way in on it: review it');
    else if (item.attribution !== 'attacker')
      why.set(item, `attributed ${item.attribution}: name it with --include to act on it`);
    else chosen.set(item.id, item);
  }
  for (const [item, reason] of why) {
    const parent = KINDS[item.kind]?.coveredBy?.(item);
    left.push({ item, why: parent && chosen.has(parent) ? `removed with ${parent}` : reason });
  }
  for (const item of [...chosen.values()]) {
    const parent = KINDS[item.kind]?.coveredBy?.(item);
    if (parent && parent !== item.id && chosen.has(parent)) {
      chosen.delete(item.id);
      left.push({ item, why: `removed with ${parent}` });
    }
  }
  for (const d of found.disagreements)
    if (d.why === GONE) left.push({ item: d.item, why: `scope and the calls disagree: ${GONE}` });
  return { chosen, left };
}

/** The items left, by why: covered by a removal, excluded attacker items, not the attacker's, to review. */
export function leftByWhy(left: LeftItem[]): {
  covered: LeftItem[];
  excluded: LeftItem[];
  notAttacker: LeftItem[];
  review: LeftItem[];
} {
  const out = {
    covered: [] as LeftItem[],
    excluded: [] as LeftItem[],
    notAttacker: [] as LeftItem[],
    review: [] as LeftItem[],
  };
  for (const l of left)
    if (l.why.startsWith('removed with ')) out.covered.push(l);
    else if (l.why === EXCLUDED) out.excluded.push(l);
    else if (l.why.startsWith('attributed ')) out.notAttacker.push(l);
    else out.review.push(l);
  return out;
}
