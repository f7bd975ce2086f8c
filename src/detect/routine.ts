import { FROM_EVENTS, eventIdAmong, rowIn, valueIn, type EventQuery, type QueryParam } from './events.js';
import type { Lineage, LineageNode } from './lineage.js';

/**
 * A source address the subject keys had already used this long before an event is the owner's
 * established network: the developer's office, the CI runner. A leaked key's first use by someone
 * else comes from an address the key has never used (or used only moments before, in the same
 * intrusion), which is what makes it stand out (cf. GuardDuty's
 * `UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration` and anomaly findings, which also
 * learn a principal's usual networks first).
 */
const ESTABLISHED_MS = 24 * 3_600_000;

/**
 * The events among `eventIds` that came from a network the lineage's subject keys had not
 * established before them, each with the subject keys' first call from that address (the
 * intruder's reconnaissance usually precedes the first act a rule flags). Routine work of the key's owner with a finding attached (CI updating a
 * function, the owner's own role sessions) is not taken as the start of an incident; the
 * attacker's calls from a new address are.
 */
export async function fromNewNetworks(
  store: EventQuery,
  lineage: Lineage,
  eventIds: string[],
  history?: NetworkHistory,
): Promise<Map<string, string>> {
  const ids = [...new Set(eventIds)];
  if (ids.length === 0) return new Map();
  return freshEvents<string>(store, lineage, eventIdAmong(ids), 'e.eventid', history);
}

/**
 * `fromNewNetworks` for events named by their rows in the store (see `rowsOf` in engine.ts): the
 * same answer keyed by row, without hashing hundreds of thousands of ids (the Invictus 1M case's
 * suspicious findings name 700,000 events).
 */
export async function fromNewNetworksByRow(
  store: EventQuery,
  lineage: Lineage,
  rows: readonly number[],
  history?: NetworkHistory,
): Promise<Map<number, string>> {
  const unique = [...new Set(rows)];
  if (unique.length === 0) return new Map();
  return freshEvents<number>(store, lineage, rowIn(unique), 'e.rowid', history);
}

/**
 * When each signing key of the lineage (and, together, the subject keys and the lineage's sign-ins,
 * under '') first called from each address, by `"key address"`; -Infinity for an address the
 * evidence shows established from the start. What `fromNewNetworks` judges events against: one
 * investigation reads it once and passes it to each (a scan of the lineage's events, 0.1 s on the
 * Invictus 1M case, twice before).
 */
export type NetworkHistory = ReadonlyMap<string, number>;

/** The lineage's `NetworkHistory` in the store. */
export async function networkHistory(store: EventQuery, lineage: Lineage): Promise<NetworkHistory> {
  const calls = lineageCalls(lineage);
  // Per signing key: the owner's CI and the owner's role sessions each have their own networks.
  const history = await store.query<{ key: string; ip: string; first: string; days: number }>(
    `SELECT coalesce(e.useridentity.accesskeyid, '') AS key, e.sourceipaddress AS ip, min(e.eventtime) AS first,
       count(DISTINCT substr(e.eventtime, 1, 10)) AS days
     FROM ${FROM_EVENTS}
     WHERE ${calls.sql} AND e.sourceipaddress IS NOT NULL
     GROUP BY 1, 2`,
    calls.params,
  );
  // The evidence begins somewhere: an address in use from the first day of a key's recorded
  // history and again on later days is the owner's, though nothing precedes it by a day.
  const start = new Map<string, number>();
  for (const h of history) start.set(h.key, Math.min(start.get(h.key) ?? Infinity, Date.parse(h.first)));
  const firstSeen = new Map<string, number>();
  const note = (key: string, ip: string, at: number): void => {
    const id = `${key} ${ip}`;
    firstSeen.set(id, Math.min(firstSeen.get(id) ?? Infinity, at));
  };
  const roots = new Set(lineage.roots.map((r) => r.key));
  for (const h of history) {
    const first = Date.parse(h.first);
    const at = first < (start.get(h.key) ?? 0) + ESTABLISHED_MS && Number(h.days) >= 2 ? -Infinity : first;
    note(h.key, h.ip, at);
    // Calls without a key (sign-ins) are judged against the subject keys' networks together.
    if (roots.has(h.key) || h.key === '') note('', h.ip, at);
  }
  return firstSeen;
}

/** `fromNewNetworks` over the events `selection` picks, keyed by `key` (their id or row). */
async function freshEvents<K extends string | number>(
  store: EventQuery,
  lineage: Lineage,
  selection: { sql: string; params: QueryParam[] },
  key: 'e.eventid' | 'e.rowid',
  history?: NetworkHistory,
): Promise<Map<K, string>> {
  const firstSeen = history ?? (await networkHistory(store, lineage));
  // The events come back grouped by key, address and time, each group as one JSON text (the local
  // store's to_json): read a row each, the Invictus 1M case's 104,609 took 0.9 s of reading;
  // grouped, 35,023 rows of columns 0.34-0.38 s, as JSON 0.14 s.
  const groups = (
    await store.query<{ j: string }>(
      `SELECT to_json(g) AS j FROM (
         SELECT e.useridentity.accesskeyid AS key, e.sourceipaddress AS ip, e.eventtime AS time, list(${key}) AS ids
         FROM ${FROM_EVENTS} WHERE ${selection.sql} GROUP BY 1, 2, 3) g`,
      selection.params,
    )
  ).map((r) => JSON.parse(r.j) as { key: string | null; ip: string | null; time: string; ids: K[] });
  const fresh = new Map<K, string>();
  for (const g of groups) {
    const first = g.ip === null ? undefined : firstSeen.get(`${g.key ?? ''} ${g.ip}`);
    if (first === undefined || first > Date.parse(g.time) - ESTABLISHED_MS) {
      const began = first === undefined ? Date.parse(g.time) : Math.min(first, Date.parse(g.time));
      const at = new Date(began).toISOString().replace('.000Z', 'Z');
      for (const id of g.ids) fresh.set(id, at);
    }
  }
  return fresh;
}

/** The subject keys' calls and the sign-ins of the lineage (they carry no key). */
function ownCalls(lineage: Lineage): { sql: string; params: QueryParam[] } {
  return callsOf(
    lineage.roots.map((r) => r.key),
    lineage,
  );
}

/**
 * Every call of the lineage: its keys' (the subject keys among them) and its sign-ins. One list of
 * keys rather than the lineage's OR the subject's: alone (no sign-ins) it is a semi-join DuckDB
 * applies to the column's dictionary (see `valueIn`), under an OR a test on every row.
 */
function lineageCalls(lineage: Lineage): { sql: string; params: QueryParam[] } {
  return callsOf([...new Set([...lineage.keys, ...lineage.roots.map((r) => r.key)])], lineage);
}

function callsOf(keys: string[], lineage: Lineage): { sql: string; params: QueryParam[] } {
  const signed = valueIn('e.useridentity.accesskeyid', keys);
  if (lineage.consoleLoginEventIds.length === 0) return signed;
  const ids = eventIdAmong(lineage.consoleLoginEventIds);
  return { sql: `(${signed.sql} OR ${ids.sql})`, params: [...signed.params, ...ids.params] };
}

/** Credentials the intruder minted: made by a call from a new network, or derived from such a one. */
export interface Minted {
  /** Their keys: their calls are the compromise's whenever they happen. */
  keys: string[];
  /** For each minting call from a new network, the first call from its address. */
  starts: string[];
}

/** The derived credentials of the lineage minted from new networks, and their descendants. */
export async function intruderMinted(
  store: EventQuery,
  lineage: Lineage,
  history?: NetworkHistory,
): Promise<Minted> {
  const derived: { node: LineageNode; parentMinted: boolean }[] = [];
  const walk = (node: LineageNode, parentMinted: boolean): void => {
    if (node.createdAt) derived.push({ node, parentMinted });
    node.children.forEach((c) => walk(c, parentMinted || node.createdAt !== null));
  };
  lineage.roots.forEach((r) => walk(r, false));
  const fresh = await fromNewNetworks(
    store,
    lineage,
    derived.map((d) => d.node.createdBy ?? ''),
    history,
  );
  const keys = new Set<string>();
  const starts: string[] = [];
  const mark = (node: LineageNode): void => {
    keys.add(node.key);
    node.children.forEach(mark);
  };
  for (const { node } of derived) {
    const first = fresh.get(node.createdBy ?? '');
    if (first) {
      starts.push(first);
      mark(node);
    }
  }
  return { keys: [...keys], starts };
}

/**
 * The subject keys' first call from an address they had never used before the day preceding
 * `since` (the first suspicious act), or `since`: intruders often probe from one address and act
 * from another (recon from a VPN exit, miners launched by automation elsewhere). The address of
 * the evidence's very first call is taken as the owner's: nothing shows it to be new.
 */
export async function intrusionStart(store: EventQuery, lineage: Lineage, since: string): Promise<string> {
  const from = new Date(Date.parse(since) - ESTABLISHED_MS).toISOString().replace('.000Z', 'Z');
  const own = ownCalls(lineage);
  const [row] = await store.query<{ first: string | null }>(
    `SELECT min(first) AS first FROM (
       SELECT min(e.eventtime) AS first FROM ${FROM_EVENTS}
       WHERE ${own.sql} AND e.sourceipaddress IS NOT NULL
       GROUP BY e.sourceipaddress) AS t
     WHERE first >= ? AND first < ?
       AND first > (SELECT min(e.eventtime) FROM ${FROM_EVENTS} WHERE ${own.sql})`,
    [...own.params, from, since, ...own.params],
  );
  return row?.first ?? since;
}

/**
 * The addresses the lineage's credentials had already used a day or more before `since`, the
 * start of the incident: the owner's office, VPN and CI runners. Inside the window the owner keeps
 * working with the same key from them; those calls are the owner's, not the intruder's (unless the
 * owner's own machine is the intruder's, which the report states as the assumption it is).
 */
export async function ownerAddresses(store: EventQuery, lineage: Lineage, since: string): Promise<string[]> {
  const before = new Date(Date.parse(since) - ESTABLISHED_MS).toISOString().replace('.000Z', 'Z');
  const calls = lineageCalls(lineage);
  const rows = await store.query<{ ip: string }>(
    `SELECT DISTINCT e.sourceipaddress AS ip FROM ${FROM_EVENTS}
     WHERE ${calls.sql} AND e.sourceipaddress IS NOT NULL AND e.eventtime < ?
     ORDER BY 1`,
    [...calls.params, before],
  );
  return rows.map((r) => r.ip);
}
