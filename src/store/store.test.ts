import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATHENA_COLUMNS, CREATE_EVENTS_TABLE, EVENTS_TABLE, EXTRA_COLUMNS } from './schema.js';
import { LOAD_MEMORY_LIMIT, STORE_FILE, openEventStore, type EventStore } from './store.js';

let dir: string;
let store: EventStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tq-store-'));
  store = await openEventStore(join(dir, STORE_FILE));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('event store', () => {
  it('creates the table with the Athena columns in DDL order, then eventts and provenance', async () => {
    const cols = await store.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position`,
      [EVENTS_TABLE],
    );
    expect(cols.map((c) => c.column_name)).toEqual([...ATHENA_COLUMNS, ...EXTRA_COLUMNS]);
    expect(cols.find((c) => c.column_name === 'eventts')!.data_type).toBe('TIMESTAMP WITH TIME ZONE');
    expect(cols.find((c) => c.column_name === 'requestparameters')!.data_type).toBe('VARCHAR');
    expect(cols.find((c) => c.column_name === 'useridentity')!.data_type).toMatch(
      /^STRUCT\("type" VARCHAR, principalid/,
    );
  });

  it('runs the Trino spellings through the dialect shims, with Trino results', async () => {
    const [row] = await store.query<Record<string, unknown>>(`SELECT
      json_extract_scalar('{"a":{"b":"x"},"t":{"aws:ebs:id":"v"}}', '$.a.b') AS scalar,
      json_extract_scalar('{"a":{"b":"x"}}', '$.a') AS object_is_null,
      json_extract_scalar('not json', '$.a') AS invalid_is_null,
      json_extract_scalar('{"d":[1]}', '$.d') AS array_is_null,
      json_extract_scalar('{"e":null}', '$.e') AS json_null_is_null,
      json_extract_scalar('{"n":2.5,"b":true}', '$.n') AS number_as_text,
      json_extract_scalar('{"n":2.5,"b":true}', '$.b') AS boolean_as_text,
      json_extract_scalar('{"a":1}', '$.missing') AS missing_is_null,
      json_extract_scalar('{"t":{"aws:ebs:id":"v"}}', '$.t["aws:ebs:id"]') AS bracket_path,
      json_extract_scalar('{"s":"a\\"b\\u00e9"}', '$.s') AS escapes_undone,
      json_extract_scalar('{"s":"{\\"x\\":1}"}', '$.s') AS json_in_a_string,
      json_extract_scalar('{"i":[{"p":22},{"p":3389}]}', '$.i[1].p') AS array_index,
      json_extract_scalar('{"i":[{"p":22}]}', '$.i[0]') AS element_object_is_null,
      json_extract_scalar('{"i":[1,2]}', '$.i[*]') AS wildcard_is_null,
      date_diff('day', from_iso8601_timestamp('2024-05-01T23:00:00Z'), from_iso8601_timestamp('2024-05-02T01:00:00Z')) AS whole_days,
      date_diff('hour', from_iso8601_timestamp('2024-05-01T23:00:00Z'), from_iso8601_timestamp('2024-05-02T01:00:00Z')) AS hours,
      regexp_like('aws-cli/2.15', '^aws-cli') AS like_ok,
      regexp_extract('abc', 'z') AS no_match_is_null,
      cardinality([1, 2, 3]) AS three,
      element_at([10, 20], 2) AS twenty,
      replace('arn:aws:s3:::bucket', 'arn:aws:s3:::') AS two_arg_replace,
      7 / 2 AS integer_division,
      date_format(from_iso8601_timestamp('2024-05-01T10:11:12Z'), '%Y-%m-%d %H:%i:%s') AS formatted`);
    expect(row).toEqual({
      scalar: 'x',
      object_is_null: null,
      invalid_is_null: null,
      array_is_null: null,
      json_null_is_null: null,
      number_as_text: '2.5',
      boolean_as_text: 'true',
      missing_is_null: null,
      bracket_path: 'v',
      escapes_undone: 'a"bé',
      json_in_a_string: '{"x":1}',
      array_index: '3389',
      element_object_is_null: null,
      wildcard_is_null: null,
      whole_days: 0,
      hours: 2,
      like_ok: true,
      no_match_is_null: null,
      three: 3,
      twenty: 20,
      two_arg_replace: 'bucket',
      integer_division: 3,
      formatted: '2024-05-01 10:11:12',
    });
  });

  it('binds parameters, returns timestamps as ISO strings and counts as numbers, and persists to the file', async () => {
    await store.run(
      `INSERT INTO ${EVENTS_TABLE} (eventid, eventtime, eventts, sourcekind, ingestid)
                     VALUES (?, ?, CAST(? AS TIMESTAMPTZ), 'file', 'i1')`,
      ['e1', '2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z'],
    );
    const rows = await store.query<{ eventid: string; eventts: string; n: number }>(
      `SELECT eventid, eventts, count(*) OVER () AS n FROM ${EVENTS_TABLE} WHERE eventid = $id`,
      { id: 'e1' },
    );
    expect(rows).toEqual([{ eventid: 'e1', eventts: '2024-05-01T10:00:00.000Z', n: 1 }]);
    store.close();
    store = await openEventStore(join(dir, STORE_FILE), { readOnly: true });
    expect(await store.count()).toBe(1);
    // The shims are per connection (TEMP), so a read-only reopen has them too.
    const [r] = await store.query<{ v: string }>(`SELECT json_extract_scalar('{"k":"v"}', '$.k') AS v`);
    expect(r!.v).toBe('v');
  });

  it('gives a small store one DuckDB thread and a big load every core', async () => {
    const threads = async (s: EventStore) =>
      (await s.query<{ t: number }>(`SELECT current_setting('threads') AS t`))[0]!.t;
    expect(await threads(store)).toBe(1);
    await store.useAllCores();
    expect(await threads(store)).toBe(availableParallelism());
    const told = await openEventStore(join(dir, 'other.duckdb'), { threads: 2 });
    try {
      expect(await threads(told)).toBe(2);
    } finally {
      told.close();
    }
  });

  it('bounds DuckDB memory on a store file (DuckDB would take 80% of the machine) unless told otherwise', async () => {
    const limit = async (s: EventStore) =>
      (await s.query<{ m: string }>(`SELECT current_setting('memory_limit') AS m`))[0]!.m;
    expect(await limit(store)).toMatch(/^1\.[89]\d* GiB$/);
    const told = await openEventStore(join(dir, 'other.duckdb'), { memoryLimit: LOAD_MEMORY_LIMIT });
    try {
      expect(await limit(told)).toMatch(/^7\d\d\.\d MiB$/);
    } finally {
      told.close();
    }
  });

  it('writes a new store in the v1.5 format and keeps an older store in its own, readable and writable', async () => {
    const version = async (s: EventStore) =>
      (
        await s.query<{ v: string }>(
          `SELECT tags['storage_version'] AS v FROM duckdb_databases() WHERE NOT internal`,
        )
      )[0]!.v;
    expect(await version(store)).toBe('v1.5.0+');
    // A store made before: DuckDB's default format, which DuckDB from v0.10.2 reads.
    const older = join(dir, 'older.duckdb');
    const instance = await DuckDBInstance.create(older);
    const connection = await instance.connect();
    await connection.run(CREATE_EVENTS_TABLE);
    await connection.run(
      `INSERT INTO ${EVENTS_TABLE} (eventid, eventtime, eventts, sourcekind, ingestid)
       VALUES ('e1', '2026-12-01T00:00:00Z', TIMESTAMPTZ '2026-12-01 00:00:00+00', 'file', 'i1')`,
    );
    connection.closeSync();
    instance.closeSync();
    for (const id of ['e2', 'e3']) {
      const reopened = await openEventStore(older);
      try {
        expect(await version(reopened)).toBe('v1.0.0+');
        await reopened.run(
          `INSERT INTO ${EVENTS_TABLE} (eventid, eventtime, eventts, sourcekind, ingestid)
           VALUES (?, '2026-12-01T00:00:01Z', TIMESTAMPTZ '2026-12-01 00:00:01+00', 'file', 'i2')`,
          [id],
        );
        await reopened.run('CHECKPOINT');
      } finally {
        reopened.close();
      }
    }
    const last = await openEventStore(older, { readOnly: true });
    try {
      const ids = await last.query<{ eventid: string }>(
        `SELECT eventid FROM ${EVENTS_TABLE} ORDER BY eventid`,
      );
      expect(ids.map((r) => r.eventid)).toEqual(['e1', 'e2', 'e3']);
    } finally {
      last.close();
    }
  });

  it('refuses queries after close', async () => {
    store.close();
    await expect(store.query('SELECT 1')).rejects.toThrow(/closed/);
  });

  it('forks a second connection: same data and dialect, its own transactions', async () => {
    await store.run(
      `INSERT INTO ${EVENTS_TABLE} (eventid, eventts, sourcekind, ingestid) VALUES ('e1', now(), 'file', 'i')`,
    );
    const fork = await store.fork();
    expect(await fork.query(`SELECT eventid FROM ${EVENTS_TABLE}`)).toEqual([{ eventid: 'e1' }]);
    // The dialect's macros and settings hold on the fork too.
    expect(await fork.query(`SELECT json_extract_scalar('{"a":{"b":1}}', '$.a') AS v, 7 / 2 AS d`)).toEqual([
      { v: null, d: 3 },
    ]);
    // A connection of its own: the store's uncommitted rows are not the fork's.
    await store.run('BEGIN TRANSACTION');
    await store.run(
      `INSERT INTO ${EVENTS_TABLE} (eventid, eventts, sourcekind, ingestid) VALUES ('e2', now(), 'file', 'i')`,
    );
    expect(await fork.count()).toBe(1);
    await store.run('COMMIT');
    expect(await fork.count()).toBe(2);
    fork.close();
    // Closing the fork leaves the store open.
    expect(await store.count()).toBe(2);
  });
});
