import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../store/store.js';
import { lineageOf } from './lineage.js';
import { fromNewNetworks, fromNewNetworksByRow, networkHistory } from './routine.js';
import { keyCall } from './test-support/scenario.js';
import { storeOf, type RecordStore } from './test-support/store.js';

const KEY = 'AKIAROUTINETEST00001';

/** A call of the subject key. */
const call = (id: string, time: string, ip: string): Record<string, unknown> => keyCall(KEY, id, time, ip);

let held: RecordStore;
let store: EventStore;

beforeAll(async () => {
  const records = [
    // The office, days before: established.
    call('office-1', '2026-11-01T09:00:00Z', '198.51.100.1'),
    call('office-2', '2026-11-02T09:00:00Z', '198.51.100.1'),
    call('office-3', '2026-11-05T09:00:00Z', '198.51.100.1'),
    // A new address: three calls in the same second (one id forged with a newline), one later.
    call('new-1', '2026-11-05T10:00:00Z', '203.0.113.9'),
    call('new-2', '2026-11-05T10:00:00Z', '203.0.113.9'),
    call('forged\nid', '2026-11-05T10:00:00Z', '203.0.113.9'),
    call('new-3', '2026-11-05T11:30:00Z', '203.0.113.9'),
  ];
  held = await storeOf(records, 'routine');
  store = held.store;
});

afterAll(() => held.remove());

describe('fromNewNetworks', () => {
  it('takes the calls from an address the key had not established, each with when that address began', async () => {
    const lineage = await lineageOf(store, [KEY]);
    const ids = ['office-3', 'new-1', 'new-2', 'forged\nid', 'new-3'];
    const fresh = await fromNewNetworks(store, lineage, ids);
    expect(Object.fromEntries([...fresh].sort())).toEqual({
      'forged\nid': '2026-11-05T10:00:00Z',
      'new-1': '2026-11-05T10:00:00Z',
      'new-2': '2026-11-05T10:00:00Z',
      'new-3': '2026-11-05T10:00:00Z',
    });
    // Asked of the ids that split cleanly, the same answer for them.
    const clean = await fromNewNetworks(store, lineage, ['new-1', 'new-2', 'new-3', 'office-1']);
    expect([...clean.keys()].sort()).toEqual(['new-1', 'new-2', 'new-3']);
  });

  it('gives the same answer for events named by their rows in the store, keyed by row', async () => {
    const lineage = await lineageOf(store, [KEY]);
    const rowOf = new Map(
      (
        await store.query<{ r: number | bigint; id: string }>(
          'SELECT rowid AS r, eventid AS id FROM cloudtrail_events',
        )
      ).map((x) => [x.id, Number(x.r)]),
    );
    const idOf = new Map([...rowOf].map(([id, row]) => [row, id]));
    for (const ids of [
      ['office-3', 'new-1', 'new-2', 'forged\nid', 'new-3', 'new-1'],
      ['office-1', 'new-3'],
    ]) {
      const byId = await fromNewNetworks(store, lineage, ids);
      const byRow = await fromNewNetworksByRow(
        store,
        lineage,
        ids.map((id) => rowOf.get(id)!),
      );
      expect(byRow.size).toBeGreaterThan(0);
      expect(new Map([...byRow].map(([row, at]) => [idOf.get(row), at]))).toEqual(byId);
    }
    expect((await fromNewNetworksByRow(store, lineage, [])).size).toBe(0);
  });

  it('judges against a history read once and passed in, as against its own', async () => {
    const lineage = await lineageOf(store, [KEY]);
    const ids = ['office-3', 'new-1', 'new-2', 'forged\nid', 'new-3'];
    const history = await networkHistory(store, lineage);
    expect(history.get(`${KEY} 203.0.113.9`)).toBe(Date.parse('2026-11-05T10:00:00Z'));
    expect(await fromNewNetworks(store, lineage, ids, history)).toEqual(
      await fromNewNetworks(store, lineage, ids),
    );
    // The history passed in is the one judged against: every address established, nothing is new.
    const settled = new Map([...history.keys()].map((k) => [k, -Infinity]));
    expect((await fromNewNetworks(store, lineage, ids, settled)).size).toBe(0);
  });
});
