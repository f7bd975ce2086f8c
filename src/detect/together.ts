import { ATHENA_COLUMNS, EVENTS_TABLE } from '../store/schema.js';
import { NOT_RESPONDER, PRINCIPAL, timeConditions, type QueryParam, type TimeRange } from './events.js';
import type { DetectionRule, Threshold } from './rules/types.js';
import { lit } from './sql.js';

/** One group of matching events, aggregated in SQL (a finding to be). */
export interface Group {
  principal: string | null;
  accesskeys: (string | null)[];
  regions: (string | null)[];
  ips: (string | null)[];
  n: number;
  failed: number;
  firstseen: string;
  lastseen: string;
  eventids: string[];
  /** The events' rows in the store, in the order of `eventids` (see `StatementForm.rows`). */
  rows?: number[];
}

/**
 * The aggregates of a group of matched rows (columns eventid, eventtime, errorcode, accesskey, …).
 * With `cap`, a group's event ids are its first `cap` in time order, found by sorting its list of
 * (time, id) pairs rather than with an ordered aggregate: DuckDB buffers an ordered aggregate's
 * rows per group and sorts them apart, which was half the grouping's aggregation time at 1M
 * (2.6 -> 1.4 s of CPU); a list of structs sorts field by field with NULLs last, as ORDER BY does.
 * With `keyed`, the rows are grouped by access key and region already: each group's one key and
 * one region are its lists (what `array_agg(DISTINCT …)` gives there, `[NULL]` included), without
 * two distinct aggregates' hash tables.
 */
export function aggregates(cap?: number, rows = false, keyed = false): string {
  const ids =
    cap === undefined
      ? 'array_agg(eventid ORDER BY eventtime, eventid) AS eventids'
      : rows
        ? `slice(list_sort(array_agg({t: eventtime, i: eventid, r: rid})), 1, ${Math.floor(cap)}) AS ev`
        : `list_transform(slice(list_sort(array_agg({t: eventtime, i: eventid})), 1, ${Math.floor(cap)}), x -> x.i) AS eventids`;
  return `count(*) AS n,
    sum(CASE WHEN coalesce(errorcode, '') <> '' THEN 1 ELSE 0 END) AS failed,
    min(eventtime) AS firstseen, max(eventtime) AS lastseen,
    ${ids},
    ${keyed ? 'ARRAY[accesskey]' : 'array_agg(DISTINCT accesskey)'} AS accesskeys,
    ${keyed ? 'ARRAY[awsregion]' : 'array_agg(DISTINCT awsregion)'} AS regions,
    array_agg(DISTINCT sourceipaddress) AS ips`;
}

/**
 * A burst's principal when all its events have the one (NULLs aside), else NULL: what
 * `count(DISTINCT principal) = 1` said, without a distinct aggregate's hash table of every
 * (burst, principal) pair (the realistic 1M grouping statement 26.1 → 25.8 G instructions).
 */
export const ONE_PRINCIPAL = 'CASE WHEN min(principal) = max(principal) THEN max(principal) END';

/** The aggregates with the event ids as an array (portable, what Athena is sent). */
export const AGGREGATES = aggregates();

/** Whose burst a threshold counts (see `Threshold.by`), over a row aliased `e`. */
export const ACTOR: Record<NonNullable<Threshold['by']>, string> = {
  principal: `coalesce(${PRINCIPAL}, '')`,
  sourceip: `coalesce(e.sourceipaddress, '')`,
  account: `coalesce(e.recipientaccountid, e.useridentity.accountid, '')`,
};

/** The columns a group is aggregated from, for rows of `cloudtrail_events` (or a copy) aliased `e`. */
export const MATCHED_COLUMNS = `e.eventid, e.eventtime, e.awsregion, e.sourceipaddress, e.errorcode,
      ${PRINCIPAL} AS principal, e.useridentity.accesskeyid AS accesskey`;

/**
 * All rules in one statement, so each predicate is planned and evaluated once (planning hundreds
 * of predicates is most of the cost on small stores, re-reading the table for each rule most of it
 * on large ones). The scan tags each event with the indexes of the rules it matches (`'3,17,'`),
 * keeps the tagged events, unnests the tags; plain rules are grouped per principal, key and region,
 * threshold rules cut into bursts per actor with their own gap, count and distinct value. `only`
 * (SQL over `e`) limits the rows scanned (the APIs of rules with sub-queries, engine.ts). Portable:
 * string tags, `split` with `CROSS JOIN UNNEST`, CASE over the rule index; `form` opts into what
 * only the local store runs (see `StatementForm`).
 */
export function togetherSql(
  list: readonly DetectionRule[],
  range: TimeRange | undefined,
  only?: string,
  form: StatementForm = {},
): { sql: string; params: QueryParam[] } {
  const { jsonGroups } = form;
  const rows = form.rows === true && jsonGroups !== undefined;
  const time = timeConditions(range);
  // ELSE '' rather than coalesce(…, '') around the CASE: the same text, 20% less of the tagging
  // projection's time on the Invictus 1M store (65 rules); no ELSE at all where NULLs concatenate
  // as nothing (see `StatementForm.nullTags`).
  const otherwise = form.nullTags ? '' : " ELSE ''";
  const tagOf = (rule: DetectionRule, i: number): string =>
    `CASE WHEN ${rule.where} THEN '${i},'${otherwise} END`;
  const gates = form.apis
    ? gatedTags(list, form.apis, tagOf, otherwise)
    : { tags: list.map(tagOf), join: '' };
  const tags = gates.tags;
  const indexes = (keep: (r: DetectionRule) => boolean): number[] =>
    list.flatMap((r, i) => (keep(r) ? [i] : []));
  const plain = indexes((r) => !r.threshold);
  const bursts = indexes((r) => r.threshold !== undefined);
  // Over the tagged rows `h e`: what KEPT computed, and the actor a threshold counts by.
  const matched = `e.eventid, e.eventtime, e.awsregion, e.sourceipaddress, e.errorcode, e.principal, e.accesskey${rows ? ', e.rid' : ''}`;
  const actorOf: Record<NonNullable<Threshold['by']>, string> = {
    principal: `coalesce(e.principal, '')`,
    sourceip: `coalesce(e.sourceipaddress, '')`,
    account: 'e.account',
  };
  const kept = [
    ...KEPT,
    ...(rows ? ['e.rowid AS rid'] : []),
    ...(form.burstSlots && bursts.length ? ['e.eventts'] : []),
    ...carried(list).map((c) => `e.${c}`),
    ...(bursts.some((i) => list[i]!.threshold!.by === 'account') ? [`${ACTOR.account} AS account`] : []),
  ];
  const parts: string[] = [];
  if (plain.length) {
    parts.push(`SELECT rule, principal, ${aggregates(jsonGroups, rows, true)}
  FROM (SELECT e.rule, ${matched} FROM h e WHERE e.rule IN (${plain.join(', ')})) p
  GROUP BY rule, principal, accesskey, awsregion`);
  }
  let burstCtes = '';
  if (bursts.length) {
    const byRule = (value: (t: Threshold) => string, otherwise = 'NULL'): string =>
      `CASE e.rule ${bursts.map((i) => `WHEN ${i} THEN ${value(list[i]!.threshold!)}`).join(' ')} ELSE ${otherwise} END`;
    burstCtes = `,
  t AS (SELECT e.rule, ${matched}, ${form.burstSlots ? 'e.eventts' : 'from_iso8601_timestamp(e.eventtime)'} AS ts,
      ${byRule((t) => actorOf[t.by ?? 'principal'], "''")} AS actor,
      ${byRule((t) => (t.distinct ? `(${t.distinct})` : 'NULL'))} AS distinctvalue,
      ${
        form.burstSlots
          ? `p.gap, p.width, p.need, p.bydistinct
    FROM h e JOIN ${thresholdsTable(list, bursts)} ON e.rule = p.rule),`
          : `${byRule((t) => String(t.withinMinutes * 60), '0')} AS gap,
      ${byRule((t) => String(t.count), '0')} AS need,
      ${byRule((t) => (t.distinct ? '1' : '0'), '0')} AS bydistinct
    FROM h e WHERE e.rule IN (${bursts.join(', ')})),`
      }
  ${form.burstSlots ? BURSTS_BY_SLOT : BURSTS_BY_EVENT}`;
    parts.push(`SELECT rule, ${ONE_PRINCIPAL} AS principal, ${aggregates(jsonGroups, rows)}
  FROM b
  GROUP BY rule, actor, burst
  HAVING (CASE WHEN max(bydistinct) = 1 THEN count(DISTINCT distinctvalue) ELSE count(*) END) >= max(need)`);
  }
  // No filter on the tags before the unnest: the optimizer would copy the whole tag expression
  // into the filter and evaluate it twice.
  const sql = `WITH m AS (SELECT ${kept.join(', ')}, ${concatAll(tags)} AS tags
      FROM ${EVENTS_TABLE} e${gates.join} WHERE ${[NOT_RESPONDER, ...time.sql, ...(only ? [only] : [])].join(' AND ')}),
  h AS (${tagRows(form)})${burstCtes}
  ${jsonGroups === undefined ? parts.join('\n  UNION ALL\n  ') : `SELECT to_json(g) AS j FROM (${rows ? `SELECT * EXCLUDE (ev), list_transform(ev, x -> x.i) AS eventids, list_transform(ev, x -> x.r) AS rows FROM (${parts.join('\n  UNION ALL\n  ')}) u` : parts.join('\n  UNION ALL\n  ')}) g`}`;
  return { sql, params: time.params };
}

/**
 * The tagged threshold rows `t` with their burst numbers as `b`: a cut where the gap to the
 * previous event exceeds the rule's (portable: one read of the tagged rows).
 */
const BURSTS_BY_EVENT = `g AS (SELECT t.*, CASE WHEN date_diff('second', lag(ts) OVER (PARTITION BY rule, actor ORDER BY ts, eventid), ts) > gap
                         THEN 1 ELSE 0 END AS brk FROM t),
  b AS (SELECT g.*, sum(brk) OVER (PARTITION BY rule, actor ORDER BY ts, eventid
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS burst FROM g)`;

/**
 * The same burst numbers, the cuts looked for between time slots (see `slotSeconds`): the windows
 * order the slots, not the events (213,000 against 933,000 tagged events on the realistic 1M
 * store). It reads the tagged rows twice, which an engine that inlines its WITH queries (Trino)
 * would pay with a second scan of the table: the local store's form only. A burst with fewer
 * events than its rule needs cannot pass the final HAVING (nor have that many distinct values), so
 * its events are dropped here, from the slots' counts: on the realistic 1M store 98,000 of 106,000
 * bursts, whose lists and distinct sets the final aggregate built and threw away (the statement's
 * instructions on one thread 27.4 → 26.1 G; its CPU time on two 10% less).
 */
const BURSTS_BY_SLOT = `s AS (SELECT t.*, floor(CAST(date_diff('second', from_iso8601_timestamp('1970-01-01T00:00:00Z'), ts) AS DOUBLE) / width) AS slot
    FROM t),
  k AS (SELECT rule, actor, slot, min(ts) AS lo, max(ts) AS hi, max(gap) AS gap, count(*) AS events, max(need) AS need
        FROM s GROUP BY rule, actor, slot),
  c AS (SELECT k.*, CASE WHEN date_diff('second', lag(hi) OVER (PARTITION BY rule, actor ORDER BY slot), lo) > gap
                         THEN 1 ELSE 0 END AS brk FROM k),
  n AS (SELECT rule, actor, slot, events, need, sum(brk) OVER (PARTITION BY rule, actor ORDER BY slot
                                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS burst FROM c),
  f AS (SELECT rule, actor, slot, burst
        FROM (SELECT n.*, sum(events) OVER (PARTITION BY rule, actor, burst) AS total FROM n) WHERE total >= need),
  b AS (SELECT s.*, f.burst FROM s JOIN f ON s.rule = f.rule AND s.actor = f.actor AND s.slot IS NOT DISTINCT FROM f.slot)`;

/**
 * The threshold rules' numbers as a table `p` (rule, gap in seconds, slot width, count needed,
 * whether distinct values count), joined to their tagged events by rule: a `CASE` on the rule per
 * number tested each event against the rules one by one (the realistic 1M grouping statement 23.5
 * → 22.2 G instructions; the local store's form).
 */
function thresholdsTable(list: readonly DetectionRule[], bursts: readonly number[]): string {
  const rows = bursts.map((i) => {
    const t = list[i]!.threshold!;
    return `(${i}, ${t.withinMinutes * 60}, ${slotSeconds(t)}, ${t.count}, ${t.distinct ? 1 : 0})`;
  });
  return `(VALUES ${rows.join(', ')}) AS p(rule, gap, width, need, bydistinct)`;
}

/**
 * The width of the time slots a threshold rule's events are first gathered in: a burst is cut
 * where two neighbours are more than the gap apart in whole seconds (`date_diff('second', …)`),
 * and two events of one slot of `floor(gap) + 1` seconds are at most `floor(gap)` apart, so a
 * slot is never cut: the cuts are looked for between a slot's last time and the next slot's first.
 */
function slotSeconds(t: Threshold): number {
  return Math.max(Math.floor(t.withinMinutes * 60) + 1, 1);
}

/** How a grouping statement is written for the engine that runs it. */
export interface StatementForm {
  /**
   * Each group as one JSON text (column `j`, DuckDB's `to_json`) with at most this many event ids
   * (see `aggregates`); else a row of columns, every id of the group in an array. DuckDB's reader
   * makes a native call per value and per list item: on the realistic 1M store (32,000 groups,
   * 1.2 million ids) reading the rows took 1.0-1.4 s, the same groups as JSON 0.45-0.55 s with
   * JSON.parse (and ids of any content come back whole, which ids joined by newlines did not).
   */
  jsonGroups?: number | undefined;
  /**
   * With `jsonGroups`, each group also names its events' rows in the store (`rowid`, as `rows`, in
   * the order of its ids): the local store's. Sets keyed by a row number cost a fraction of those
   * keyed by an event id, which must be hashed character by character the first time: over the
   * realistic 1M case's 1.1 million ids that hashing was most of the Sigma merge (0.45 s).
   */
  rows?: boolean;
  /**
   * Unnest the tags in the select list (DuckDB) rather than with `CROSS JOIN UNNEST` (Trino):
   * DuckDB plans the lateral join as a delim join over the million tagged rows; the select-list
   * unnest took the statement from 7.3-10.3 s to 6.6-8.4 s on the 1M bench stores.
   */
  unnestInSelect?: boolean;
  /**
   * The store's APIs (event source and name as stored) with the gated rules that can match their
   * rows, most events first: a rule named here is evaluated on its APIs' rows only (see
   * `gatedTags`), a rule named nowhere on every row.
   */
  apis?: readonly GatedApi[];
  /**
   * Cut threshold rules' bursts between time slots (`BURSTS_BY_SLOT`, the local store's form), an
   * event's time read from the store's `eventts` (the loader's cast of `eventTime`, which refuses a
   * record whose time does not parse) rather than parsed again: the realistic 1M grouping statement
   * 23.9 → 23.3 G instructions.
   */
  burstSlots?: boolean;
  /**
   * A rule that does not match tags its event with NULL rather than '' (DuckDB's `concat` skips
   * NULLs; Trino's returns NULL): the grouping statement over the Invictus 1M store took 2.8% fewer
   * instructions (31.7 → 30.9 G, cachegrind, one thread), `concat` half of its own.
   */
  nullTags?: boolean;
}

/** An API of the store (as stored) and the gated rules that can match its events. */
export interface GatedApi {
  source: string;
  name: string;
  rules: ReadonlySet<DetectionRule>;
}

/**
 * The tags of rules with a gate (`StatementForm.apis`) behind one CASE on the set of rules a row's
 * API admits, found by joining the row's source and name to the list of APIs: DuckDB evaluates a
 * WHEN's THEN on the rows it selects only, so a gated rule's predicate is evaluated on its APIs'
 * rows, where otherwise each rule began with a test of every row.
 */
function gatedTags(
  list: readonly DetectionRule[],
  apis: readonly GatedApi[],
  tagOf: (rule: DetectionRule, i: number) => string,
  otherwise: string,
): { tags: string[]; join: string } {
  const ofApi = apis.map((api) => list.flatMap((rule, i) => (api.rules.has(rule) ? [i] : [])));
  // A rule is written once per branch it is in: one in more than MAX_BRANCHES branches is tagged on
  // every row instead, so that no statement grows many times over.
  const branches = new Map<number, Set<string>>();
  for (const rules of ofApi) {
    for (const i of rules) branches.set(i, (branches.get(i) ?? new Set()).add(rules.join(',')));
  }
  const wide = new Set([...branches].flatMap(([i, keys]) => (keys.size > MAX_BRANCHES ? [i] : [])));
  const sets = new Map<string, { k: number; rules: number[] }>();
  const gated = new Set<number>();
  const rows: string[] = [];
  for (const [a, api] of apis.entries()) {
    const rules = ofApi[a]!.filter((i) => !wide.has(i));
    if (rules.length === 0) continue;
    for (const i of rules) gated.add(i);
    const key = rules.join(',');
    let set = sets.get(key);
    if (!set) sets.set(key, (set = { k: sets.size, rules }));
    rows.push(`(${lit(api.source)}, ${lit(api.name)}, ${set.k})`);
  }
  const free = list.flatMap((rule, i) => (gated.has(i) ? [] : [tagOf(rule, i)]));
  if (sets.size === 0) return { tags: free, join: '' };
  const whens = [...sets.values()].map(
    ({ k, rules }) => `WHEN ${k} THEN ${concatAll(rules.map((i) => tagOf(list[i]!, i)))}`,
  );
  return {
    tags: [...free, `CASE g.k ${whens.join('\n      ')}${otherwise} END`],
    join: ` LEFT JOIN (VALUES ${rows.join(', ')}) g(source, name, k) ON e.eventsource = g.source AND e.eventname = g.name`,
  };
}

/** The most branches of `gatedTags` a rule is written in (see there). */
const MAX_BRANCHES = 8;

/** The tagged events `m`, one row per rule a row matched, with the rule's index as `rule`. */
function tagRows(form: StatementForm): string {
  if (form.unnestInSelect) {
    return `SELECT * EXCLUDE (tag), try_cast(tag AS INTEGER) AS rule
    FROM (SELECT m.*, unnest(split(m.tags, ',')) AS tag FROM m) WHERE tag <> ''`;
  }
  return `SELECT m.*, try_cast(tag AS INTEGER) AS rule FROM m CROSS JOIN UNNEST(split(m.tags, ',')) AS u(tag) WHERE tag <> ''`;
}

/** What every tagged event keeps: the columns its group is aggregated from (see AGGREGATES). */
const KEPT = [
  'e.eventid',
  'e.eventtime',
  'e.awsregion',
  'e.sourceipaddress',
  'e.errorcode',
  `${PRINCIPAL} AS principal`,
  'e.useridentity.accesskeyid AS accesskey',
];

/**
 * The other columns the tagged events keep: those the rules' threshold values read (the request,
 * the identity, the API; the S3 ransom stages read `additionaleventdata`). A tagged event keeps
 * nothing else: the tagged events are materialised and read twice, and carrying every event's
 * request document made that cost as much as the tagging. Without them, a statement with
 * such a rule fails, which the local engine hid by running every rule alone.
 */
function carried(list: readonly DetectionRule[]): string[] {
  const values = list.flatMap((r) => (r.threshold?.distinct ? [r.threshold.distinct] : []));
  return ATHENA_COLUMNS.filter(
    (c) => !KEPT_NAMES.has(c) && values.some((v) => new RegExp(`\\b${c}\\b`).test(v)),
  );
}

const KEPT_NAMES = new Set(['eventid', 'eventtime', 'awsregion', 'sourceipaddress', 'errorcode']);

/**
 * `concat` of many strings, nested in chunks: a long chain of `||` is a deep expression tree that
 * DuckDB's optimizer takes seconds over, and Trino caps a function at 254 arguments.
 */
function concatAll(parts: string[]): string {
  if (parts.length === 0) return "''";
  if (parts.length === 1) return parts[0]!;
  const chunks: string[] = [];
  for (let i = 0; i < parts.length; i += 100)
    chunks.push(`concat(${parts.slice(i, i + 100).join(',\n        ')})`);
  return chunks.length === 1 ? chunks[0]! : concatAll(chunks);
}
