import { describe, expect, it } from 'vitest';
import { openEventStore } from '../store/store.js';
import { lanesOf, type EventQuery } from './events.js';

/** Run the tasks in the store's lanes, then close them. */
async function inLanes<T>(store: EventQuery, tasks: ((on: EventQuery) => Promise<T>)[]): Promise<T[]> {
  const lanes = await lanesOf(store);
  try {
    return await lanes.run(tasks);
  } finally {
    lanes.close();
  }
}

describe('lanesOf', () => {
  it('runs the tasks on the store and a spare connection, results in the tasks’ order', async () => {
    const store = await openEventStore(':memory:');
    try {
      const used = new Set<EventQuery>();
      const results = await inLanes(
        store,
        [30, 1, 20, 2, 10].map((n) => async (on: EventQuery) => {
          used.add(on);
          const [row] = await on.query<{ s: number }>(`SELECT count(*) AS s FROM range(${n * 100000})`);
          return row!.s;
        }),
      );
      expect(results).toEqual([3000000, 100000, 2000000, 200000, 1000000]);
      expect(used.size).toBe(2);
      expect(used.has(store)).toBe(true);
    } finally {
      store.close();
    }
  });

  it('ends every task before it throws the first failure, and leaves the store open', async () => {
    const store = await openEventStore(':memory:');
    try {
      const ran: number[] = [];
      const tasks = [0, 1, 2, 3].map((i) => async (on: EventQuery) => {
        await on.query(i === 1 ? 'SELECT no_such_column' : 'SELECT 1');
        ran.push(i);
        return i;
      });
      await expect(inLanes(store, tasks)).rejects.toThrow(/no_such_column/);
      expect(ran.sort()).toEqual([0, 2, 3]);
      expect(await store.query('SELECT 42 AS v')).toEqual([{ v: 42 }]);
    } finally {
      store.close();
    }
  });

  it('is one lane, one task after the other, on a store without a spare connection', async () => {
    const store = await openEventStore(':memory:');
    try {
      const plain: EventQuery = { query: (sql, params) => store.query(sql, params) };
      let running = 0;
      let most = 0;
      await inLanes(
        plain,
        [1, 2, 3].map(() => async (on: EventQuery) => {
          most = Math.max(most, ++running);
          await on.query('SELECT count(*) FROM range(100000)');
          running--;
        }),
      );
      expect(most).toBe(1);
    } finally {
      store.close();
    }
  });
});
