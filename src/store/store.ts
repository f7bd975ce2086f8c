import { mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { DIALECT_MACROS, DIALECT_SETTINGS } from './dialect.js';
import { CREATE_EVENTS_TABLE, EVENTS_TABLE } from './schema.js';

/** The conventional file name of a case's event store (`case.duckdb` in the case folder). */
export const STORE_FILE = 'case.duckdb';

/**
 * DuckDB's memory budget for loads (it spills to disk beyond it). The process peaks about 0.5 GB
 * above it (Node and DuckDB's own allocations), so 768 MB keeps a 5M-record load under 1.5 GB.
 */
export const LOAD_MEMORY_LIMIT = '768MB';

/**
 * DuckDB's memory budget for everything else on a store file. Without one DuckDB takes up to 80%
 * of the machine's memory before spilling: the detection rules over a million records grew the
 * process to 20 GB on a 24 GB machine (`npm run bench:investigate`), with 2 GB they run as fast.
 */
export const QUERY_MEMORY_LIMIT = '2GB';

/**
 * The on-disk format of a store file made now (an existing file keeps its own). DuckDB writes
 * files readable by v0.10.2 unless told; from v1.3 its strings go in one dictionary-plus-FSST
 * segment: a million records load 11-14% faster into a file 18-34% smaller (both bench corpora),
 * and `investigate` reads it as fast or faster. DuckDB before 1.5 cannot open such a file.
 */
export const STORAGE_VERSION = 'v1.5.0';

/** A value bound to a `?` or `$name` placeholder. */
export type SqlParam = string | number | boolean | null | Date | bigint;

export interface OpenStoreOptions {
  /** Open without write access (several readers may share the file). */
  readOnly?: boolean;
  /** DuckDB `memory_limit`, e.g. `'1GB'` (spills to `temp_directory` beyond it; default QUERY_MEMORY_LIMIT). */
  memoryLimit?: string;
  /** DuckDB worker threads (default: one for a store under SMALL_STORE_BYTES, else all cores). */
  threads?: number;
}

/**
 * Below this size a store's queries read a few thousand rows, where DuckDB's worker threads cost
 * more CPU than they save (measured on `tourniquet demo`: one thread instead of two, 15% less CPU
 * for the whole response, the same wall time). Bigger stores, and big loads into any store
 * (`useAllCores`), get every core. (At 64 MB a million Invictus records in the v1.5 format, 62 MB,
 * ran on one thread: a demo's store is a few MB.)
 */
export const SMALL_STORE_BYTES = 16 * 1024 * 1024;

/** The DuckDB threads a store opens with when the caller does not say. */
function defaultThreads(file: string): number {
  if (file === ':memory:') return 1;
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // A new store: it starts small.
  }
  return size < SMALL_STORE_BYTES ? 1 : availableParallelism();
}

/**
 * The case's CloudTrail event store: one DuckDB file holding the table `cloudtrail_events`
 * (Athena's columns plus `eventts TIMESTAMPTZ`, `sourcekind`, `sourceref`, `ingestid`), with the
 * Trino-compatibility macros of `dialect.ts` loaded on every connection.
 */
export class EventStore {
  private closed = false;
  /** DuckDB worker threads now. */
  threads = 1;

  private constructor(
    /** The database file (or `:memory:`). */
    readonly file: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** A fork (see `fork()`) closes only its connection. */
    private readonly ownsInstance = true,
  ) {}

  /** @internal use `openEventStore`. */
  static async open(file: string, options: OpenStoreOptions = {}): Promise<EventStore> {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    else config.storage_compatibility_version = STORAGE_VERSION;
    const memoryLimit = options.memoryLimit ?? (file === ':memory:' ? undefined : QUERY_MEMORY_LIMIT);
    if (memoryLimit) config.memory_limit = memoryLimit;
    const threads = options.threads ?? defaultThreads(file);
    config.threads = String(threads);
    const instance = await DuckDBInstance.create(file, config);
    const connection = await instance.connect();
    const store = new EventStore(file, instance, connection);
    store.threads = threads;
    try {
      for (const sql of DIALECT_SETTINGS) await connection.run(sql);
      if (!options.readOnly) await connection.run(CREATE_EVENTS_TABLE);
      for (const sql of DIALECT_MACROS) await connection.run(sql);
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  }

  /**
   * Run a query and return its rows as plain objects. Values come back JSON-friendly: integers
   * as `number` (as decimal text beyond 2^53), timestamps as ISO-8601 strings, structs as
   * objects, lists as arrays, NULL as `null`. Bind values with `?` (array) or `$name` (object).
   *
   * ```ts
   * const rows = await store.query<{ eventname: string; n: number }>(
   *   `SELECT eventname, count(*) AS n FROM cloudtrail_events
   *     WHERE useridentity.accesskeyid = ? GROUP BY eventname ORDER BY n DESC`, ['AKIA…']);
   * ```
   */
  async query<T = Record<string, unknown>>(
    sql: string,
    params?: SqlParam[] | Record<string, SqlParam>,
  ): Promise<T[]> {
    this.assertOpen();
    const reader = await this.connection.runAndReadAll(sql, toDuckValues(params));
    return reader.getRowObjectsJS().map((row) => plainRow(row) as T);
  }

  /** Run a statement that returns nothing of interest (DDL, INSERT, SET). */
  async run(sql: string, params?: SqlParam[] | Record<string, SqlParam>): Promise<void> {
    this.assertOpen();
    await this.connection.run(sql, toDuckValues(params));
  }

  /**
   * Run `body` in one transaction: committed when it resolves, rolled back when it throws (the
   * loader inserts a batch, then removes its refused and repeated rows, before anyone sees them).
   */
  async transaction<T>(body: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    let result: T;
    try {
      result = await body();
    } catch (error) {
      await this.run('ROLLBACK');
      throw error;
    }
    await this.run('COMMIT');
    return result;
  }

  /**
   * How far the statement running now has got, 0–100 (DuckDB's own estimate, from the bytes its
   * readers have consumed), or null when it cannot tell. For progress bars on long loads.
   */
  runningProgress(): number | null {
    if (this.closed) return null;
    // (Typed in @duckdb/node-bindings, which the linter's type service does not resolve.)
    const pct = (this.connection.progress as { percentage: number }).percentage;
    return pct >= 0 ? Math.min(100, pct) : null;
  }

  /** Give DuckDB every core from now on (a big load; the store it leaves behind is big too). */
  async useAllCores(): Promise<void> {
    const cores = availableParallelism();
    if (this.threads >= cores) return;
    await this.run(`SET threads = ${cores}`);
    this.threads = cores;
  }

  /** Number of events stored. */
  async count(): Promise<number> {
    const [row] = await this.query<{ n: number }>(`SELECT count(*) AS n FROM ${EVENTS_TABLE}`);
    return row?.n ?? 0;
  }

  /**
   * A second connection to the same database, with the same dialect: its statements run beside
   * this one's (DuckDB runs the statements of different connections at once, even on one thread
   * each; one connection runs one at a time). Close it before this store.
   */
  async fork(): Promise<EventStore> {
    this.assertOpen();
    const connection = await this.instance.connect();
    const fork = new EventStore(this.file, this.instance, connection, false);
    fork.threads = this.threads;
    try {
      for (const sql of [...DIALECT_SETTINGS, ...DIALECT_MACROS]) await connection.run(sql);
    } catch (error) {
      fork.close();
      throw error;
    }
    return fork;
  }

  /**
   * A fork for statements beside this connection's, while the store runs each statement on one
   * thread (a small store); null when it has every core (see `EventQuery.spareConnection`).
   */
  async spareConnection(): Promise<EventStore | null> {
    return this.threads === 1 ? this.fork() : null;
  }

  /** Close the connection and (unless a fork) the database file (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`event store ${this.file} is closed`);
  }
}

/**
 * Open (creating if needed) the event store in `file` — usually `caseFolder.path('case.duckdb')`,
 * or `':memory:'` for a throw-away store. Close it with `store.close()`.
 *
 * ```ts
 * const store = await openEventStore(join(caseDir, STORE_FILE));
 * try { await ingestPaths(store, ['logs/'], { sourceKind: 'file' }); ... } finally { store.close(); }
 * ```
 */
export function openEventStore(file: string, options: OpenStoreOptions = {}): Promise<EventStore> {
  return EventStore.open(file, options);
}

function toDuckValues(
  params: SqlParam[] | Record<string, SqlParam> | undefined,
): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  if (params === undefined) return undefined;
  const convert = (v: SqlParam): DuckDBValue => (v instanceof Date ? v.toISOString() : v);
  if (Array.isArray(params)) return params.map(convert);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, convert(v)]));
}

function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = plainValue(value);
  return out;
}

function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value === 'object') return plainRow(value as Record<string, unknown>);
  return value;
}
