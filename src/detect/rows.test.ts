import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../store/store.js';
import { rowsOf, runRules } from './engine.js';
import { RowSet, rowIn, rowList, type EventQuery, type QueryParam } from './events.js';
import { investigate } from './investigate.js';
import { BUILTIN_RULES } from './rules/index.js';
import { bundledSigma } from './sigma/bundled.js';
import { ALICE_KEY, keyCall, scenarioRecords } from './test-support/scenario.js';
import { storeOf, type RecordStore } from './test-support/store.js';

let held: RecordStore;
let store: EventStore;

beforeAll(async () => {
  held = await storeOf(scenarioRecords(), 'rows');
  store = held.store;
});

afterAll(() => held.remove());

/** The store, its grouping statement's groups stripped of their rows: everything keyed by event id. */
function withoutRows(on: EventStore): EventQuery & { stripped: number } {
  const wrapper = {
    stripped: 0,
    query: async <T>(sql: string, params?: QueryParam[]): Promise<T[]> => {
      const rows = await on.query<T>(sql, params);
      if (!sql.startsWith('WITH m AS')) return rows;
      return rows.map((row) => {
        const { rows: dropped, ...group } = JSON.parse((row as { j: string }).j) as { rows?: number[] };
        if (dropped) wrapper.stripped++;
        return { j: JSON.stringify(group) } as T;
      });
    },
  };
  return wrapper;
}

describe('events named by their rows in the store', () => {
  it('are known for the findings of the local grouping, in the order of their ids', async () => {
    const run = await runRules(store, [...BUILTIN_RULES, ...bundledSigma().rules]);
    const idOf = new Map(
      (
        await store.query<{ r: number | bigint; id: string }>(
          'SELECT rowid AS r, eventid AS id FROM cloudtrail_events',
        )
      ).map((x) => [Number(x.r), x.id]),
    );
    expect(run.findings.length).toBeGreaterThan(5);
    for (const f of run.findings) {
      const rows = rowsOf(f);
      expect(rows, f.ruleId).toBeDefined();
      expect(rows!.map((r) => idOf.get(r))).toEqual(f.eventIds);
    }
    // Another engine's statements (and a copy of a finding) name no rows: the ids are used.
    const portable = await runRules(store, BUILTIN_RULES, { localSql: false });
    expect(portable.findings.length).toBeGreaterThan(5);
    expect(portable.findings.every((f) => rowsOf(f) === undefined)).toBe(true);
    expect(rowsOf({ ...run.findings[0]! })).toBeUndefined();
  });

  it('give the investigation the ids give: the Sigma merge, the attribution, the timeline', async () => {
    for (const subjectKeys of [[ALICE_KEY], []]) {
      const byRows = await investigate(store, { subjectKeys });
      const ids = withoutRows(store);
      const byIds = await investigate(ids, { subjectKeys });
      expect(ids.stripped).toBeGreaterThan(5);
      expect(byRows.findings.every((f) => rowsOf(f) !== undefined)).toBe(true);
      expect(byIds.findings.some((f) => rowsOf(f) !== undefined)).toBe(false);
      expect(byRows.timeline.length).toBeGreaterThan(0);
      expect(byRows).toEqual(byIds);
      if (subjectKeys.length) {
        expect(byRows.findings.some((f) => f.attributed === true)).toBe(true);
        expect(byRows.findings.some((f) => f.attributed === false)).toBe(true);
      }
      expect(byRows.findings.some((f) => (f.alsoMatched ?? []).length > 0)).toBe(true);
    }
  });

  it('are not taken from another store: the bucket’s findings, in investigate beside the case store’s', async () => {
    // The same records loaded in the reverse order: the same events on other rows.
    const bucket = await storeOf(scenarioRecords().reverse(), 'rows-bucket');
    const other = bucket.store;
    try {
      const byRows = await investigate(store, {
        subjectKeys: [ALICE_KEY],
        rulesOn: { events: other, options: {} },
      });
      const byIds = await investigate(store, {
        subjectKeys: [ALICE_KEY],
        rulesOn: { events: withoutRows(other), options: {} },
      });
      expect(byRows.findings.length).toBeGreaterThan(5);
      expect(byRows).toEqual(byIds);
    } finally {
      bucket.remove();
    }
  });

  it('start the window where the ids start it: the first act from a network the key had not used', async () => {
    // The owner's office for days, then a new address stopping the trail twice, the owner's calls
    // loaded between (their rows next to the intruder's): no derived credential, so the window's
    // start comes from the finding's events looked up among those from new networks.
    const key = 'AKIAROWSWINDOWTEST01';
    const call = (id: string, time: string, ip: string, api?: string): Record<string, unknown> =>
      keyCall(key, id, time, ip, api);
    const office = '198.51.100.1';
    const intruder = '203.0.113.9';
    const keyStore = await storeOf(
      [
        call('office-1', '2026-11-01T09:00:00Z', office),
        call('office-2', '2026-11-02T09:00:00Z', office),
        call('office-3', '2026-11-05T09:00:00Z', office),
        call('stop-1', '2026-11-05T10:00:00Z', intruder, 'cloudtrail:StopLogging'),
        call('office-4', '2026-11-05T10:01:00Z', office),
        call('stop-2', '2026-11-05T10:05:00Z', intruder, 'cloudtrail:StopLogging'),
        call('office-5', '2026-11-05T10:06:00Z', office),
      ],
      'rows-window',
    );
    try {
      const byRows = await investigate(keyStore.store, { subjectKeys: [key] });
      const byIds = await investigate(withoutRows(keyStore.store), { subjectKeys: [key] });
      expect(byRows.window?.since).toBe('2026-11-05T10:00:00Z');
      expect(byRows.findings.find((f) => f.ruleId === 'cloudtrail-stopped')?.attributed).toBe(true);
      expect(byRows).toEqual(byIds);
    } finally {
      keyStore.remove();
    }
  });

  it('travel as one parameter and split back, a set of them a byte per row', async () => {
    expect(rowList('3,0,12')).toEqual([3, 0, 12]);
    expect(rowList(null)).toEqual([]);
    const set = RowSet.of([3, 0, 12]);
    expect([0, 1, 3, 12, 13, -1].map((r) => set.has(r))).toEqual([true, false, true, true, false, false]);
    set.delete(3);
    set.delete(99);
    expect(set.has(3)).toBe(false);
    const picked = async (c: { sql: string; params: QueryParam[] }): Promise<number[]> =>
      (
        await store.query<{ r: number | bigint }>(
          `SELECT e.rowid AS r FROM cloudtrail_events e WHERE ${c.sql}`,
          c.params,
        )
      )
        .map((x) => Number(x.r))
        .sort((a, b) => a - b);
    expect(await picked(rowIn([5, 1, 2]))).toEqual([1, 2, 5]);
    expect(await picked(rowIn([]))).toEqual([]);
  });
});
