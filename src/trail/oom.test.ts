import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrail, type GeneratedTrail } from '../../bench/generate.js';
import { openEventStore } from '../store/store.js';
import { ingestPaths } from './ingest.js';
import { discoverTrailFiles } from './discover.js';

// A key hunt reads records as text first, and DuckDB's memory grows with the files of one read.
// Under a budget too small for the whole folder in one read, the loader reads it in halves.
const BUDGET = '96MB';
let dir: string;
let trail: GeneratedTrail;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tq-oom-'));
  trail = await generateTrail({ dir: join(dir, 'trail'), records: 20_000 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a batch larger than the memory budget', () => {
  it('is read in parts: every record of the key, no error', async () => {
    const files = discoverTrailFiles([join(dir, 'trail')]).files;
    expect(files.length).toBeGreaterThan(20);
    const filter = { accessKeyId: trail.targetKey };
    const store = await openEventStore(join(dir, 'parts.duckdb'), { memoryLimit: BUDGET, threads: 2 });
    try {
      const report = await ingestPaths(store, [join(dir, 'trail')], { filter });
      expect(report.memorySplits).toBeGreaterThan(0);
      expect(report.records).toBe(trail.targetRecords);
      expect(report.badFiles).toEqual([]);
      expect(await store.count()).toBe(trail.targetRecords);
    } finally {
      store.close();
    }
  }, 120_000);
});
