import { allHaveRows, rowsOf } from './engine.js';
import {
  FROM_EVENTS,
  PRINCIPAL,
  highestRow,
  rowList,
  splitIds,
  type EventQuery,
  type QueryParam,
} from './events.js';
import type { Finding } from './finding.js';

/** A run of attacker activity with no gap longer than the burst gap. */
export interface Burst {
  start: string;
  end: string;
  events: number;
  failed: number;
  /** Most frequent API calls, `service:Name ×count`. */
  topCalls: string[];
  principals: string[];
  keys: string[];
  regions: string[];
  sourceIps: string[];
  /** Findings with at least one event in this burst. */
  findingIds: string[];
}

/** The minimal event shape the timeline needs. */
export interface TimelineEvent {
  eventid: string;
  eventtime: string;
  eventsource: string | null;
  eventname: string | null;
  principal: string | null;
  accesskey: string | null;
  awsregion: string | null;
  sourceipaddress: string | null;
  failed: boolean;
}

/** The columns of a `TimelineEvent`, over `cloudtrail_events e`. */
export const TIMELINE_COLUMNS = `e.eventid, e.eventtime, e.eventsource, e.eventname, ${PRINCIPAL} AS principal,
  e.useridentity.accesskeyid AS accesskey, e.awsregion, e.sourceipaddress, coalesce(e.errorcode, '') <> '' AS failed`;

/**
 * A timeline event's row and its time's rank travel as one number, `row * PACK + rank` (exact
 * below 2^53: rows under 2^27, ranks under 2^26; beyond, the store's statement gives up and the
 * events are read instead).
 */
const PACK = 2 ** 26;

/** How many of a burst's most frequent calls it lists. */
const TOP_CALLS = 5;

/**
 * A call's name over a row of `burstsInStore`'s statement, as `summarise` writes it: the service
 * (the event source without its first `.amazonaws.com`), a colon, the event name.
 */
const CALL_NAME = `regexp_replace(coalesce(eventsource, ''), '\\.amazonaws\\.com', '') || ':' || coalesce(eventname, '')`;

/** Group time-ordered events into bursts separated by more than `gapMinutes` of silence. */
export function burstsOf(events: TimelineEvent[], findings: Finding[], gapMinutes: number): Burst[] {
  // Events of the same second by id (the store hands them back in any order); code-unit order,
  // which ISO times sort by, and a tenth of localeCompare's cost on a million events.
  const before = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  const sorted = [...events].sort((a, b) => before(a.eventtime, b.eventtime) || before(a.eventid, b.eventid));
  const findingOf = findingsByEvent(findings);
  const bursts: Burst[] = [];
  let current: TimelineEvent[] = [];
  const flush = (): void => {
    if (current.length) bursts.push(summarise(current, findingOf));
    current = [];
  };
  for (const event of sorted) {
    const last = current.at(-1);
    if (last && Date.parse(event.eventtime) - Date.parse(last.eventtime) > gapMinutes * 60_000) flush();
    current.push(event);
  }
  flush();
  return bursts;
}

function summarise(events: TimelineEvent[], findingOf: Map<string, string[]>): Burst {
  const calls = new Map<string, number>();
  for (const e of events) {
    const call = `${(e.eventsource ?? '').replace('.amazonaws.com', '')}:${e.eventname ?? ''}`;
    calls.set(call, (calls.get(call) ?? 0) + 1);
  }
  const uniq = (values: (string | null)[]): string[] => [...new Set(values.filter((v): v is string => !!v))];
  return {
    start: events[0]!.eventtime,
    end: events.at(-1)!.eventtime,
    events: events.length,
    failed: events.filter((e) => e.failed).length,
    topCalls: [...calls.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP_CALLS)
      .map(([call, n]) => `${call} ×${n}`),
    principals: uniq(events.map((e) => e.principal)),
    keys: uniq(events.map((e) => e.accesskey)),
    regions: uniq(events.map((e) => e.awsregion)),
    sourceIps: uniq(events.map((e) => e.sourceipaddress)),
    findingIds: findingsIn(
      events.map((e) => e.eventid),
      findingOf,
    ),
  };
}

/**
 * Each burst's findings, as `burstsOf` lists them: in the order their events first appear in the
 * burst, findings of the same event in the findings' order, each id once. `place` is an event's
 * first place in the timeline, `burstAt` the burst of each place.
 */
function findingsByBurst(
  findings: Finding[],
  place: Map<string, number | number[]>,
  burstAt: number[],
  count: number,
): string[][] {
  const first = Array.from({ length: count }, () => new Map<number, number>());
  const note = (index: number, at: number): void => {
    const seen = first[burstAt[at]!]!;
    if ((seen.get(index) ?? Infinity) > at) seen.set(index, at);
  };
  for (const [index, f] of findings.entries()) {
    for (const id of f.eventIds) {
      const where = place.get(id);
      if (where === undefined) continue;
      for (const at of typeof where === 'number' ? [where] : where) note(index, at);
    }
  }
  return first.map((seen) => [
    ...new Set(
      [...seen.entries()].sort((x, y) => x[1] - y[1] || x[0] - y[0]).map(([index]) => findings[index]!.id),
    ),
  ]);
}

/**
 * `findingsByBurst` for findings that know their rows (see `rowsOf`): `rank` is each row's time's
 * rank among the timeline's distinct times (0: not in the timeline), `burstOf` its burst. An
 * event's place is its (time, id), as the store sorts them (ids by code point); a finding's first
 * event in a burst is its least, ties between findings broken by the findings' order.
 */
function findingsByRank(
  findings: Finding[],
  rank: Int32Array,
  burstOf: Int32Array,
  count: number,
): string[][] {
  const first = Array.from({ length: count }, () => new Map<number, { t: number; id: string }>());
  for (const [index, f] of findings.entries()) {
    const rows = rowsOf(f)!;
    for (const [k, row] of rows.entries()) {
      const t = rank[row] ?? 0;
      const id = f.eventIds[k];
      // An event without an id is in no finding's list, as by ids.
      if (t === 0 || id === null || id === undefined) continue;
      const seen = first[burstOf[row]!]!;
      const had = seen.get(index);
      if (!had || t < had.t || (t === had.t && byCodePoint(id, had.id) < 0)) seen.set(index, { t, id });
    }
  }
  return first.map((seen) => [
    ...new Set(
      [...seen.entries()]
        .sort((x, y) => x[1].t - y[1].t || byCodePoint(x[1].id, y[1].id) || x[0] - y[0])
        .map(([index]) => findings[index]!.id),
    ),
  ]);
}

/**
 * Strings in code point order, as DuckDB compares them (UTF-16 code units order the same but for
 * a surrogate, which stands for a code point above U+FFFF, against a unit from U+E000 up).
 */
export function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Each event id's findings, in the findings' order. */
function findingsByEvent(findings: Finding[]): Map<string, string[]> {
  const findingOf = new Map<string, string[]>();
  for (const f of findings) {
    for (const id of f.eventIds) {
      const of = findingOf.get(id);
      if (of) of.push(f.id);
      else findingOf.set(id, [f.id]);
    }
  }
  return findingOf;
}

/** The findings of some events, each once, in the order the events first name them. */
function findingsIn(ids: readonly string[], findingOf: Map<string, string[]>): string[] {
  const seen = new Set<string>();
  for (const id of ids) for (const f of findingOf.get(id) ?? []) seen.add(f);
  return [...seen];
}

/** The events a timeline is cut from: a condition over `cloudtrail_events e` and its parameters. */
export interface TimelineSelection {
  sql: string;
  params: QueryParam[];
}

/** One row of `burstsInStore`'s statement: a burst, or one distinct value seen in it. */
interface BurstRow {
  burst: number;
  kind: 'burst' | 'principal' | 'key' | 'region' | 'ip' | 'call';
  a: string | null;
  b: string | null;
  n: number;
  failed: number | null;
  ids: string | null;
  /** How many of the burst's events have an id (`ids` holds that many, joined by newlines). */
  named: number | null;
  at: number;
}

/**
 * `burstsOf` computed in the store: the events are ordered, cut and summed up by one statement,
 * and only the bursts, their distinct values and one text of event ids per burst come back. Reading
 * the attacker's 740,000 events of a million-record case as rows took 12-15 s (DuckDB's reader
 * makes a native call per string); this takes about 4 s. The result is `burstsOf`'s, field by
 * field: the same order (time, then id; DuckDB compares code points where `burstsOf` compares
 * UTF-16 code units, which differ only for ids mixing characters beyond U+FFFF with ones from
 * U+E000), the same cuts (a gap longer than
 * `gapMinutes` between neighbours, a time that does not parse never cuts), values in the order
 * they first appear, the five most frequent calls with ties in first-seen order (named and ranked
 * in the store: a burst's every API as a row cost 0.6 s of reading on the Invictus 1M case), a
 * finding in a burst when one of its events is. Null when an event id holds a newline (a forged
 * record), which would not split back: the caller then reads the events and runs `burstsOf`.
 */
export async function burstsInStore(
  store: EventQuery,
  events: TimelineSelection,
  findings: Finding[],
  gapMinutes: number,
): Promise<Burst[] | null> {
  // DuckDB's try_cast and TIMESTAMPTZ: the local store's statement (Athena never cuts the timeline).
  // Events of one time are never cut apart (their gap is none), so the cuts are made between the
  // distinct times (a fraction of the events) and joined back; an event's place is its (time, id)
  // pair, which sorts as ORDER BY time, id does; the places become ranks at the end. The distinct
  // values and the calls are summed up from one grouping of the events by all of them (`v`: a
  // place's min and a count add up), not five over every event: a struct's min builds a sort key
  // per event. The Invictus 1M case with the key: 9.2 → 7.4 G instructions (cachegrind, one thread).
  const distinct = (kind: BurstRow['kind'], column: string): string =>
    `SELECT burst, '${kind}' AS kind, ${column} AS a, NULL AS b, CAST(sum(n) AS BIGINT) AS n, NULL AS failed, NULL AS ids,
            NULL AS named, min(first) AS first
     FROM v WHERE coalesce(${column}, '') <> '' GROUP BY burst, ${column}`;
  const values = 'principal, accesskey, awsregion, sourceipaddress, eventsource, eventname';
  // Events named by their rows when every finding knows its rows (see `rowsOf`): a row number
  // costs a fraction of an id's hashing to look up, and cannot be forged to split wrongly.
  const byRow = allHaveRows(findings);
  const idList = byRow
    ? `CASE WHEN max(rid) < ${2 ** 27} AND max(trank) < ${PACK} THEN array_join(array_agg(rid * ${PACK} + trank), ',') END AS ids,
            count(*) AS named`
    : `array_join(list_transform(list_sort(array_agg(pos)), x -> x.i), chr(10)) AS ids,
            count(eventid) AS named`;
  const rows = await store.query<BurstRow>(
    `WITH o AS MATERIALIZED (SELECT ${TIMELINE_COLUMNS}${byRow ? ', e.rowid AS rid' : ''} FROM ${FROM_EVENTS} WHERE ${events.sql}),
     c AS (SELECT eventtime, sum(brk) OVER (ORDER BY eventtime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS burst${byRow ? ', row_number() OVER (ORDER BY eventtime) AS trank' : ''}
           FROM (SELECT eventtime,
                        CASE WHEN date_diff('millisecond', lag(try_cast(eventtime AS TIMESTAMPTZ)) OVER (ORDER BY eventtime),
                                            try_cast(eventtime AS TIMESTAMPTZ)) > ? THEN 1 ELSE 0 END AS brk
                 FROM (SELECT DISTINCT eventtime FROM o))),
     b AS MATERIALIZED (
       SELECT o.*, c.burst${byRow ? ', c.trank' : ''}, {t: o.eventtime, i: o.eventid} AS pos FROM o JOIN c ON o.eventtime IS NOT DISTINCT FROM c.eventtime),
     v AS (SELECT burst, ${values}, count(*) AS n, min(pos) AS first FROM b GROUP BY burst, ${values})
     SELECT * EXCLUDE (first), dense_rank() OVER (ORDER BY first) AS at FROM (
     SELECT burst, 'burst' AS kind, min(pos).t AS a, max(eventtime) AS b, count(*) AS n,
            count_if(failed) AS failed, ${idList}, min(pos) AS first
     FROM b GROUP BY burst
     UNION ALL ${distinct('principal', 'principal')}
     UNION ALL ${distinct('key', 'accesskey')}
     UNION ALL ${distinct('region', 'awsregion')}
     UNION ALL ${distinct('ip', 'sourceipaddress')}
     UNION ALL SELECT burst, 'call' AS kind, api AS a, NULL AS b, n, NULL AS failed, NULL AS ids, NULL AS named, since AS first
     FROM (SELECT burst, api, n, since, row_number() OVER (PARTITION BY burst ORDER BY n DESC, since) AS r
           FROM (SELECT burst, api, CAST(sum(n) AS BIGINT) AS n, min(since) AS since
                 FROM (SELECT burst, ${CALL_NAME} AS api, n, since
                       FROM (SELECT burst, eventsource, eventname, CAST(sum(n) AS BIGINT) AS n, min(first) AS since
                             FROM v GROUP BY burst, eventsource, eventname))
                 GROUP BY burst, api))
     WHERE r <= ${TOP_CALLS})`,
    [...events.params, gapMinutes * 60_000],
  );
  const byBurst = new Map<number, BurstRow[]>();
  for (const r of rows) {
    const key = Number(r.burst);
    const of = byBurst.get(key);
    if (of) of.push(r);
    else byBurst.set(key, [r]);
  }
  const keys = [...byBurst.keys()].sort((x, y) => x - y);
  const heads = keys.map((key) => byBurst.get(key)!.find((r) => r.kind === 'burst')!);
  // Each event's place in the timeline (burst by burst, in order) and its burst: the findings are
  // then looked up by their ids, not the other way round (their ids can be ten times as many).
  let findingIds: string[][];
  if (byRow) {
    // Each row once, packed with its time's rank (see `PACK`); no order needed (`findingsByRank`).
    const packed: number[] = [];
    const burstOfEach: number[] = [];
    for (const [i, head] of heads.entries()) {
      const before = packed.length;
      rowList(head.ids, packed);
      if (packed.length - before !== Number(head.named)) return null;
      for (let k = before; k < packed.length; k++) burstOfEach.push(i);
    }
    const rowOf = (p: number): number => Math.floor(p / PACK);
    const rank = new Int32Array(rowOf(highestRow(packed)) + 1);
    const burstOf = new Int32Array(rank.length);
    for (const [k, p] of packed.entries()) {
      const row = rowOf(p);
      rank[row] = p - row * PACK;
      burstOf[row] = burstOfEach[k]!;
    }
    findingIds = findingsByRank(findings, rank, burstOf, keys.length);
  } else {
    const burstAt: number[] = [];
    const place = new Map<string, number | number[]>();
    for (const [i, head] of heads.entries()) {
      const ids = splitIds(head.ids, Number(head.named));
      if (!ids) return null;
      for (const id of ids) {
        // An id stored twice (the store keeps one, but a forged copy may differ) has every place.
        const had = place.get(id);
        place.set(
          id,
          had === undefined ? burstAt.length : [...(typeof had === 'number' ? [had] : had), burstAt.length],
        );
        burstAt.push(i);
      }
    }
    findingIds = findingsByBurst(findings, place, burstAt, keys.length);
  }
  const bursts: Burst[] = [];
  for (const [i, key] of keys.entries()) {
    const of = byBurst.get(key)!;
    const head = heads[i]!;
    const values = (kind: BurstRow['kind']): string[] =>
      of
        .filter((r) => r.kind === kind)
        .sort((x, y) => Number(x.at) - Number(y.at))
        .map((r) => r.a!);
    bursts.push({
      start: head.a!,
      end: head.b!,
      events: Number(head.n),
      failed: Number(head.failed),
      topCalls: of
        .filter((r) => r.kind === 'call')
        .sort((x, y) => Number(y.n) - Number(x.n) || Number(x.at) - Number(y.at))
        .map((r) => `${r.a} ×${Number(r.n)}`),
      principals: values('principal'),
      keys: values('key'),
      regions: values('region'),
      sourceIps: values('ip'),
      findingIds: findingIds[i]!,
    });
  }
  return bursts;
}
