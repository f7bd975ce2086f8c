import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrail, type GeneratedTrail } from '../../bench/generate.js';
import { openEventStore } from '../store/store.js';
import { ingestPaths } from './ingest.js';

// A hunt types its candidate records from text, and DuckDB's memory grows with the candidates of
// one read. Under a budget too small for them all in one read, the loader reads them in halves.
const BUDGET = '128MB';
let dir: string;
let trail: GeneratedTrail;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tq-oom-'));
  trail = await generateTrail({ dir: join(dir, 'trail'), records: 20_000 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('candidates larger than the memory budget', () => {
  it('are read in parts: every record of the key, no error', async () => {
    const store = await openEventStore(join(dir, 'parts.duckdb'), { memoryLimit: BUDGET, threads: 2 });
    try {
      // Every record holds the day in its event time: every record is a candidate, and a mention.
      const day = await ingestPaths(store, [join(dir, 'trail')], { filter: { userName: '2026-11-20T' } });
      expect(day.memorySplits).toBeGreaterThan(0);
      expect(day.records).toBe(0);
      expect(day.mentions).toHaveLength(trail.records);
      expect(day.badFiles).toEqual([]);
      const key = await ingestPaths(store, [join(dir, 'trail')], {
        filter: { accessKeyId: trail.targetKey },
      });
      expect(key.records).toBe(trail.targetRecords);
      expect(await store.count()).toBe(trail.targetRecords);
    } finally {
      store.close();
    }
  }, 120_000);
});
