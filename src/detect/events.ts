import { EVENTS_TABLE } from '../store/schema.js';
import { lit } from './sql.js';

/** A value bound to a `?` placeholder. */
export type QueryParam = string | number | boolean | null;

/**
 * What the investigation needs from the event store: run one read-only query in the portable
 * dialect. `EventStore` (src/store/store.ts) satisfies it; so could an Athena runner.
 */
export interface EventQuery {
  query<T = Record<string, unknown>>(sql: string, params?: QueryParam[]): Promise<T[]>;
  /**
   * A second connection whose statements run at the same time as this one's, or null when that
   * would not help (a big store's statements use every core already). Optional.
   */
  spareConnection?(): Promise<(EventQuery & { close(): void }) | null>;
  /**
   * A second connection to the same events, whatever the store's size: for independent work that
   * runs beside this connection's (it shares the store's threads). Optional.
   */
  fork?(): Promise<EventQuery & { close(): void }>;
}

/**
 * The connections statements may run on at once: the store, and a spare one when it has one (a
 * small store; see `spareConnection`). Callers split work by `count`; `close()` the spare after.
 */
export interface Lanes {
  count: number;
  /** Run the tasks, one per lane at a time, in order; the results in the tasks' order. */
  run<T>(tasks: ((on: EventQuery) => Promise<T>)[]): Promise<T[]>;
  close(): void;
}

/** Open the lanes of `store` (see `Lanes`). */
export async function lanesOf(store: EventQuery): Promise<Lanes> {
  const spare = (await store.spareConnection?.()) ?? null;
  const all = spare ? [store, spare] : [store];
  return {
    count: all.length,
    run: (tasks) => inLanes(all, tasks),
    close: () => spare?.close(),
  };
}

/** Each lane takes the next task when its last one ends; a failure is thrown once all have ended. */
async function inLanes<T>(lanes: EventQuery[], tasks: ((on: EventQuery) => Promise<T>)[]): Promise<T[]> {
  const results: ({ ok: true; value: T } | { ok: false; error: unknown })[] = [];
  let next = 0;
  const lane = async (on: EventQuery): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await tasks[i]!(on) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(lanes.map(lane));
  return results.map((r) => {
    if (!r.ok) throw r.error;
    return r.value;
  });
}

/** The events table, aliased `e` in every detection query (rules refer to `e.` in sub-queries). */
export const FROM_EVENTS = `${EVENTS_TABLE} e`;

/** The responder's own calls carry `tourniquet/<version>` in the user agent (src/aws/pool.ts). */
export const NOT_RESPONDER = `strpos(coalesce(e.useragent, ''), 'tourniquet/') = 0`;

/** Who made the call, in the order of precision CloudTrail gives (sign-in failures lack an ARN). */
export const PRINCIPAL = `coalesce(e.useridentity.arn, e.useridentity.username, e.useridentity.principalid, e.useridentity.invokedby)`;

/** A time range over eventtime (ISO strings compare correctly: CloudTrail writes `…Z`). */
export interface TimeRange {
  since?: string;
  until?: string;
}

/** SQL conditions and parameters for a time range. */
export function timeConditions(range: TimeRange | undefined): { sql: string[]; params: QueryParam[] } {
  const sql: string[] = [];
  const params: QueryParam[] = [];
  if (range?.since) {
    sql.push('e.eventtime >= ?');
    params.push(range.since);
  }
  if (range?.until) {
    sql.push('e.eventtime <= ?');
    params.push(range.until);
  }
  return { sql, params };
}

/**
 * The row's event id is one of `ids`, as one parameter however many there are: the ids joined by
 * a newline and split back in SQL (portable: `split` and `UNNEST` run in DuckDB and Trino), a
 * semi-join instead of thousands of placeholders. Null when an id holds a newline itself (a forged
 * record): the caller then selects some other way.
 */
export function eventIdIn(ids: readonly string[]): { sql: string; params: QueryParam[] } | null {
  if (ids.some((id) => id.includes('\n'))) return null;
  return valueIn('e.eventid', ids);
}

/**
 * `column` is one of `values`: a semi-join on the values joined by a newline (as `eventIdIn`), or a
 * `?` for each value when one holds a newline itself. DuckDB tests a list of `?`s value by value
 * on every row it scans; the semi-join's few values become a filter it applies to the column's
 * dictionary: the subject's 13 keys over the Invictus 1M store, 0.13 s of CPU against 0.02.
 * Within an OR the two forms cost the same (the join is then a mark per row).
 */
export function valueIn(column: string, values: readonly string[]): { sql: string; params: QueryParam[] } {
  if (values.length === 0) return { sql: 'false', params: [] };
  if (values.some((v) => v.includes('\n')))
    return { sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: [...values] };
  return { sql: splitIn(column, '?', '?'), params: [values.join('\n'), '\n'] };
}

/**
 * `valueIn` written out for SQL that carries no parameters (a scan's `only`): the values in one
 * literal; null when a value holds a newline.
 */
export function valueInSql(column: string, values: readonly string[]): string | null {
  if (values.length === 0) return 'false';
  if (values.some((v) => v.includes('\n'))) return null;
  return splitIn(column, lit(values.join('\n')), 'chr(10)');
}

/** `column` is one of the parts of `text` split at `separator` (SQL expressions, portable). */
function splitIn(column: string, text: string, separator: string): string {
  return `${column} IN (SELECT u.v FROM UNNEST(split(${text}, ${separator})) AS u(v))`;
}

/** The row is one of the store's `rows` (DuckDB's `rowid`), as one parameter like `eventIdIn`. */
export function rowIn(rows: readonly number[]): { sql: string; params: QueryParam[] } {
  if (rows.length === 0) return { sql: 'false', params: [] };
  return {
    sql: `e.rowid IN (SELECT CAST(u.r AS BIGINT) FROM UNNEST(split(?, ',')) AS u(r))`,
    params: [rows.join(',')],
  };
}

/** `eventIdIn`, or a placeholder per id when an id cannot travel joined (slower, always right). */
export function eventIdAmong(ids: readonly string[]): { sql: string; params: QueryParam[] } {
  return eventIdIn(ids) ?? { sql: `e.eventid IN (${ids.map(() => '?').join(', ')})`, params: [...ids] };
}

/**
 * The ids of the events a condition over `cloudtrail_events e` selects. They come back as one
 * text per first character of the id (`array_join`), not one row each: DuckDB's reader makes a
 * native call per string, and 600,000 ids as rows took 1.3 s more than as 16 texts split here.
 * A group whose text does not split back into its count (an id holding a newline: a forged
 * record) is read again row by row.
 */
export async function eventIdsWhere(
  store: EventQuery,
  where: string,
  params: QueryParam[],
): Promise<Set<string>> {
  const groups = await store.query<{ head: string; n: number; ids: string | null }>(
    `SELECT substr(e.eventid, 1, 1) AS head, count(*) AS n, array_join(array_agg(e.eventid), chr(10)) AS ids
     FROM ${FROM_EVENTS} WHERE ${where} AND e.eventid IS NOT NULL GROUP BY substr(e.eventid, 1, 1)`,
    params,
  );
  const ids = new Set<string>();
  for (const g of groups) {
    const parts = splitIds(g.ids, Number(g.n));
    if (parts) for (const id of parts) ids.add(id);
    else
      for (const r of await store.query<{ eventid: string }>(
        `SELECT e.eventid FROM ${FROM_EVENTS} WHERE ${where} AND substr(e.eventid, 1, 1) = ?`,
        [...params, g.head],
      ))
        ids.add(r.eventid);
  }
  return ids;
}

/**
 * `eventIdsWhere` by the events' rows in the store (DuckDB's `rowid`; see `rowsOf` in engine.ts),
 * events without an id left out as there. Row numbers split back whatever the ids hold, and a
 * set of them is one byte per row: the Invictus 1M case's 740,000 attributed events were read
 * and looked up in a fraction of the time their ids took (those must be hashed, a character at a time).
 */
export async function eventRowsWhere(
  store: EventQuery,
  where: string,
  params: QueryParam[],
): Promise<RowSet> {
  return RowSet.of(await eventRowsList(store, where, params));
}

/** `eventRowsWhere`'s rows as a list. */
export async function eventRowsList(
  store: EventQuery,
  where: string,
  params: QueryParam[],
): Promise<number[]> {
  const groups = await store.query<{ rows: string | null }>(
    `SELECT array_join(array_agg(e.rowid), ',') AS rows
     FROM ${FROM_EVENTS} WHERE ${where} AND e.eventid IS NOT NULL GROUP BY e.rowid % 16`,
    params,
  );
  const rows: number[] = [];
  for (const g of groups) rowList(g.rows, rows);
  return rows;
}

/** Row numbers the store joined by commas (`array_join`), appended to `into`. */
export function rowList(text: string | null, into: number[] = []): number[] {
  if (!text) return into;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      into.push(n);
      n = 0;
    } else n = n * 10 + (c - 48);
  }
  into.push(n);
  return into;
}

/** The highest of some rows (or any numbers; -1 for none), without spreading them into arguments. */
export function highestRow(rows: readonly number[]): number {
  let max = -1;
  for (const r of rows) if (r > max) max = r;
  return max;
}

/** A set of store rows: a byte per row up to the highest (rows are numbered from 0). */
export class RowSet {
  private constructor(private readonly bits: Uint8Array) {}

  static of(rows: readonly number[]): RowSet {
    const bits = new Uint8Array(highestRow(rows) + 1);
    for (const r of rows) bits[r] = 1;
    return new RowSet(bits);
  }

  has(row: number): boolean {
    return this.bits[row] === 1;
  }

  delete(row: number): void {
    if (row < this.bits.length) this.bits[row] = 0;
  }
}

/**
 * Ids the store joined by newlines (`array_join(…, chr(10))`), split back: null when they do not
 * make `count` ids (one of them held a newline: a forged record), so the caller reads them another way.
 */
export function splitIds(text: string | null, count: number): string[] | null {
  const ids = count === 0 ? [] : (text ?? '').split('\n');
  return ids.length === count ? ids : null;
}
