import type { CaseContext } from '../context.js';
import { lineageOf, type LineageNode } from '../detect/lineage.js';
import type { EventStore } from '../store/store.js';
import { collectCloudTrail, type CollectResult } from '../trail/collect.js';
import type { Derived } from '../trail/follow.js';
import { scopeName, type LookupTarget } from '../trail/lookup.js';
import type { ClientPool } from '../aws/pool.js';
import { journalEntries } from './journal-read.js';

/** LookupEvents keeps 90 days of management events. */
const LOOKUP_DAYS = 90;
const DAY = 86_400_000;

export interface CollectOptions {
  /** The compromised access keys (long-term or session). */
  keys: string[];
  /** The IAM user owning them, when known: LookupEvents by user name also finds console sign-ins. */
  userName?: string | undefined;
  /** The account the credential belongs to (trail bucket folders are per account). */
  account: string;
  /** Earliest time worth reading (e.g. the key's creation); clamped to LookupEvents' 90 days. */
  since?: Date | undefined;
  /** A pool acting in another account (`--account-role`): derived sessions are looked up there too. */
  poolFor?: ((account: string) => Promise<ClientPool>) | undefined;
}

/**
 * The playbook's collection: the trail buckets first (when one holds the whole window, derived
 * sessions need not be looked up region by region at 2 requests/s), then LookupEvents in every
 * enabled region for the subject and, round by round, for every credential its events derived.
 * All of it is `src/trail`'s collector; this chooses the window, the targets, and how derived
 * credentials are recognised (the lineage, which trail/ may not import).
 */
export async function collectEvidence(ctx: CaseContext, options: CollectOptions): Promise<CollectResult> {
  const now = ctx.clock.now();
  const floor = now.getTime() - LOOKUP_DAYS * DAY;
  const since = new Date(Math.max(floor, (options.since?.getTime() ?? floor) - DAY)).toISOString();
  return collectCloudTrail(ctx, {
    sources: ['trails', 'api'],
    since,
    // The same instant as the window's floor: a later reading would find it older than 90 days.
    now,
    until: unfinishedUntil(ctx) ?? now.toISOString(),
    lookup: firstTargets(options),
    follow: (store) => derivedFrom(store, options),
    account: options.account || null,
    poolFor: options.poolFor,
  });
}

/**
 * The following of a collection run by hand (`collect --follow`, `--account-role`): the
 * credentials the subject keys' events derived, round by round, as the playbook follows them.
 */
export function followingDerived(keys: string[], account: string): (store: EventStore) => Promise<Derived> {
  return (store) => derivedFrom(store, { keys, account });
}

/**
 * An interrupted collection resumes with the end of the window it started with: the regions it
 * finished are then not asked again (a later end would extend each of them).
 */
function unfinishedUntil(ctx: CaseContext): string | undefined {
  const phase = ctx.case.info.phases.collect;
  if (!phase?.started || phase.completed) return undefined;
  const started = journalEntries(ctx.case, 'collect.started').at(-1)?.data as { until?: unknown } | undefined;
  return typeof started?.until === 'string' ? started.until : undefined;
}

/**
 * The user name finds everything the IAM user did (every key, console sign-ins, GetSessionToken
 * sessions act as the user); session keys (ASIA…) are asked by key as well, since their
 * `userIdentity` names the role session, not the user.
 */
function firstTargets(options: CollectOptions): LookupTarget[] {
  const targets: LookupTarget[] = options.userName ? [{ key: 'Username', value: options.userName }] : [];
  for (const key of options.keys)
    if (!options.userName || key.startsWith('ASIA')) targets.push({ key: 'AccessKeyId', value: key });
  return targets;
}

function flatten(nodes: LineageNode[]): LineageNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/**
 * The credentials the collected events derived from the subject keys. LookupEvents' Username is
 * the role session name, the federated user's name, or the IAM user (GetSessionToken sessions and
 * new keys act as the user): one query per name covers every session sharing it, which matters
 * at 2 requests/s per region when a key minted many sessions. Sessions acting in another account
 * are recorded there, not here.
 */
async function derivedFrom(store: EventStore, options: CollectOptions): Promise<Derived> {
  const lineage = await lineageOf(store, options.keys);
  const subject = new Set(options.keys);
  const targets = new Map<string, LookupTarget>();
  const elsewhere = new Map<string, LookupTarget>();
  const otherAccounts = new Set<string>();
  for (const n of flatten(lineage.roots)) {
    const there = n.account && n.account !== options.account ? n.account : undefined;
    if (there) otherAccounts.add(there);
    else if (subject.has(n.key)) continue;
    const name = n.principal?.match(/:(?:assumed-role\/[^/]+|federated-user|user(?:\/.*)?)\/([^/]+)$/)?.[1];
    const t: LookupTarget = name ? { key: 'Username', value: name } : { key: 'AccessKeyId', value: n.key };
    (there ? elsewhere : targets).set(scopeName({ ...t, account: there }), { ...t, account: there });
  }
  return {
    targets: [...targets.values()],
    otherAccounts: [...otherAccounts].sort(),
    elsewhere: [...elsewhere.values()],
  };
}
