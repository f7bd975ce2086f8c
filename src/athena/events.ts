import { ATHENA_COLUMNS, EVENTS_TABLE } from '../store/schema.js';
import type { EventQuery, QueryParam } from '../detect/events.js';
import type { RecordFilter } from '../trail/sql.js';
import { resultDigest, resultPages, startQuery, waitForQuery, type AthenaTarget } from './client.js';
import { queryEvidence, type QueryEvidence } from './load.js';
import { dayRange, trinoName, trinoString } from './sql.js';

/** Athena's longest query string (athena-duckdb.md §4: 262,144 bytes). */
export const ATHENA_MAX_QUERY_BYTES = 262_144;

/** A statement Athena did not run to the end, with its query id and Athena's reason. */
export class AthenaStatementFailed extends Error {
  constructor(
    readonly queryId: string | null,
    readonly state: string,
    readonly reason: string,
  ) {
    super(queryId ? `Athena query ${queryId} ${state}: ${reason}` : reason);
  }
}

/** Where the detection statements read: the bucket's tables and the window's days. */
export interface AthenaEventsOptions {
  target: AthenaTarget;
  tables: string[];
  /** The window: the days of its partitions are read (the rules' own time conditions cut it exactly). */
  window: RecordFilter;
  /** The estimate of one full read, kept with each query's evidence. */
  estimatedBytes: number;
  /** Called after each statement with its evidence (record it in the case). */
  onQuery?(evidence: QueryEvidence): Promise<void> | void;
}

/**
 * The event store the detection rules query, answered by Athena over the trail bucket in place:
 * `cloudtrail_events` is a WITH table over every Glue table of the bucket, kept to the window's
 * day partitions; `?` parameters are bound as Trino literals; results come back typed (numbers,
 * booleans, arrays). Each statement's id, statistics and result file sha256 are its evidence. A
 * statement Athena fails throws AthenaStatementFailed naming the query id and Athena's reason.
 *
 * Arrays come back as Athena's text (`[a, b]`) and are split on `, `: exact for what the rules
 * aggregate into arrays (event ids, key ids, regions, source addresses), which never hold it.
 */
export class AthenaEvents implements EventQuery {
  readonly queries: QueryEvidence[] = [];

  constructor(private readonly o: AthenaEventsOptions) {}

  async query<T = Record<string, unknown>>(sql: string, params: QueryParam[] = []): Promise<T[]> {
    const statement = withEventsTable(
      bindParams(sql, params),
      this.o.tables.map((t) => `${trinoName(this.o.target.database)}.${trinoName(t)}`),
      this.o.window,
    );
    const size = Buffer.byteLength(statement);
    if (size > ATHENA_MAX_QUERY_BYTES)
      throw new AthenaStatementFailed(
        null,
        'NOT_SENT',
        `the statement is ${size} bytes, above Athena's ${ATHENA_MAX_QUERY_BYTES}`,
      );
    const t = this.o.target;
    const queryId = await startQuery(t, statement);
    const done = await waitForQuery(t, queryId);
    const evidence = queryEvidence(done, {
      scope: 'detection rules',
      sql: statement,
      estimatedBytes: this.o.estimatedBytes,
      finishedAt: t.clock.now().toISOString(),
    });
    const rows: T[] = [];
    try {
      if (done.state !== 'SUCCEEDED')
        throw new AthenaStatementFailed(queryId, done.state, done.reason ?? done.state);
      for await (const page of resultPages(t, queryId)) {
        for (const row of page.rows) {
          const value: Record<string, unknown> = {};
          page.columns.forEach((c, i) => (value[c] = typed(row[i] ?? null, page.types[i]!)));
          rows.push(value as T);
        }
      }
      evidence.records = rows.length;
      if (done.resultLocation) {
        const digest = await resultDigest(t, done.resultLocation);
        evidence.resultSha256 = digest.sha256;
        evidence.resultBytes = digest.bytes;
      }
      return rows;
    } finally {
      this.queries.push(evidence);
      await this.o.onQuery?.(evidence);
    }
  }
}

/**
 * Bind `?` placeholders (outside quoted text and comments) to Trino literals, in order. Throws
 * when the counts differ: a silently shifted parameter would change what a rule matches.
 */
export function bindParams(sql: string, params: readonly QueryParam[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = closing(sql, i, c);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      if (next >= params.length)
        throw new Error(`the statement has more placeholders than its ${params.length} parameters`);
      out += literal(params[next++]!);
    } else {
      out += c;
    }
  }
  if (next !== params.length)
    throw new Error(`the statement has ${next} placeholders for ${params.length} parameters`);
  return out;
}

/** The index of the quote closing the one at `start` (a doubled quote is part of the text). */
function closing(sql: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const end = sql.indexOf(quote, i);
    if (end < 0) throw new Error(`unterminated ${quote === "'" ? 'string' : 'identifier'} in the statement`);
    if (sql[end + 1] !== quote) return end;
    i = end + 2;
  }
}

function literal(value: QueryParam): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`parameter ${value} is not a finite number`);
    return String(value);
  }
  return trinoString(value);
}

/**
 * The statement with `cloudtrail_events` defined in its WITH clause: every table's rows of the
 * window's days (the partition conditions projection prunes on), the columns of the store.
 */
export function withEventsTable(sql: string, tables: readonly string[], window: RecordFilter): string {
  // `tables` are quoted, qualified names.
  const days = dayRange(window);
  const where = [
    ...(days.from ? [`"timestamp" >= ${trinoString(days.from)}`] : []),
    ...(days.to ? [`"timestamp" <= ${trinoString(days.to)}`] : []),
  ];
  const reads = tables.map(
    (t) =>
      `SELECT ${ATHENA_COLUMNS.join(', ')} FROM ${t}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`,
  );
  const events = `${EVENTS_TABLE} AS (\n  ${reads.join('\n  UNION ALL ')}\n)`;
  const text = sql.trimStart();
  const m = /^WITH\s+/i.exec(text);
  return m ? `WITH ${events},\n${text.slice(m[0].length)}` : `WITH ${events}\n${text}`;
}

/** A value of Athena's text results in the type its column has (ColumnInfo.Type). */
export function typed(text: string | null, type: string): unknown {
  if (text === null) return null;
  const t = type.toLowerCase();
  if (t === 'boolean') return text === 'true';
  if (['tinyint', 'smallint', 'integer', 'bigint', 'real', 'double'].includes(t) || t.startsWith('decimal'))
    return Number(text);
  if (t === 'array') {
    const inner = text.replace(/^\[|\]$/g, '');
    return inner === '' ? [] : inner.split(', ').map((v) => (v === 'null' ? null : v));
  }
  return text;
}
