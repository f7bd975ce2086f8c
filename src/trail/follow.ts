import { EVENTS_TABLE } from '../store/schema.js';
import type { EventStore } from '../store/store.js';
import { wholeWindowLine, type CoverageEntry } from './coverage.js';
import { LOOKUP_SOURCE, scopeName, type LookupTarget } from './lookup.js';
import { forEachBounded } from './workers.js';

/** What the events collected so far derived from the subject (decided by the caller: trail/ does not judge). */
export interface Derived {
  /** LookupEvents targets for derived credentials acting in this account (asked ones are skipped). */
  targets: LookupTarget[];
  /** Other accounts derived credentials acted in: their calls are in those accounts' CloudTrail. */
  otherAccounts: string[];
  /** What to ask LookupEvents in those accounts (each target names its account). */
  elsewhere?: LookupTarget[] | undefined;
}

/** Reads the store after a round and says which credentials the collected events derived. */
export type FollowDerived = (store: EventStore) => Promise<Derived>;

const DERIVED = 'derived credentials';
const ELSEWHERE = 'derived sessions';
/** Other accounts whose LookupEvents are read at once. */
const ACCOUNTS_AT_ONCE = 4;
/** The scopes of the ledger lines following writes (region `*`). */
export const DERIVED_SCOPES = new Set([DERIVED, ELSEWHERE]);

/** Rounds of "look up, then follow what the new events derived" before the ledger says we stopped. */
export const MAX_ROUNDS = 5;

export interface Following {
  store: EventStore;
  first: LookupTarget[];
  follow: FollowDerived;
  /** Run LookupEvents for some targets in every region (records into the collection). */
  lookup(targets: LookupTarget[]): Promise<void>;
  /**
   * Run LookupEvents in another account for the sessions that acted there; the reason when that
   * account cannot be entered. Absent: other accounts are named as not collected.
   */
  lookupElsewhere?: ((account: string, targets: LookupTarget[]) => Promise<string | null>) | undefined;
  /** A multi-region trail logged the whole window and its bucket was read completely. */
  bucketHoldsWindow: boolean;
  interrupted(): boolean;
  since: string;
  until: string;
}

/** Calls that stop a trail or change what it records (defense evasion): the bucket then has gaps. */
async function loggingTamperedWith(store: EventStore): Promise<boolean> {
  const rows = await store.query<{ n: number }>(
    `SELECT count(*) AS n FROM ${EVENTS_TABLE} WHERE eventsource = 'cloudtrail.amazonaws.com'
     AND eventname IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors')
     AND errorcode IS NULL`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/**
 * LookupEvents for the subject, then, round by round, for every credential the collected events
 * derived (AssumeRole, GetSessionToken, GetFederationToken, CreateAccessKey): a stolen key's
 * sessions act under other names, and LookupEvents only finds what it is asked for by name.
 * When a multi-region trail logged the whole window untouched and its bucket was read, the
 * derived credentials' events are already in the store and the 2 requests/s per region are
 * spared. Returns the ledger lines this adds (other accounts, rounds not followed).
 */
export async function lookupFollowing(o: Following): Promise<CoverageEntry[]> {
  const asked = new Set(o.first.map(scopeName));
  const lines: CoverageEntry[] = [];
  const line = (
    source: string,
    scope: string,
    status: CoverageEntry['status'],
    reason: string,
  ): CoverageEntry => wholeWindowLine({ source, scope, since: o.since, until: o.until }, status, reason);
  let pending = o.first;
  let derived: Derived = { targets: [], otherAccounts: [] };
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_ROUNDS) {
      lines.push(
        line(
          LOOKUP_SOURCE,
          DERIVED,
          'partial',
          `stopped following derived credentials after ${MAX_ROUNDS} rounds; not looked up: ${pending.map(scopeName).join(', ')}`,
        ),
      );
      break;
    }
    await o.lookup(pending);
    if (o.interrupted()) return lines;
    derived = await o.follow(o.store);
    pending = derived.targets.filter((t) => !asked.has(scopeName(t)));
    for (const t of pending) asked.add(scopeName(t));
    if (pending.length > 0 && o.bucketHoldsWindow && !(await loggingTamperedWith(o.store))) {
      lines.push(
        line(
          LOOKUP_SOURCE,
          DERIVED,
          'complete',
          `${pending.length} derived credential(s) not asked (${pending.map(scopeName).join(', ')}): a multi-region trail logged throughout the window, nobody stopped or narrowed it, and its bucket was read`,
        ),
      );
      break;
    }
  }
  const elsewhere: CoverageEntry[] = [];
  // A few accounts at once (each is a role session and its regions' lookups), reported in order.
  await forEachBounded(derived.otherAccounts, ACCOUNTS_AT_ONCE, async (account) => {
    const targets = (derived.elsewhere ?? []).filter((t) => t.account === account);
    if (o.lookupElsewhere && targets.length > 0) {
      // One round there: sessions those sessions derived in turn are named by the lineage, not followed.
      const refused = await o.lookupElsewhere(account, targets);
      if (refused && !o.interrupted())
        elsewhere.push(line(`account ${account}`, ELSEWHERE, 'partial', refused));
      return;
    }
    elsewhere.push(
      line(
        `account ${account}`,
        ELSEWHERE,
        'partial',
        `derived sessions acted in account ${account}; its CloudTrail was not collected (pass --account-role NAME, a role the responder may assume there, or run tourniquet with credentials for that account)`,
      ),
    );
  });
  if (o.interrupted()) return lines;
  return [...lines, ...elsewhere.sort((a, b) => a.source.localeCompare(b.source))];
}
