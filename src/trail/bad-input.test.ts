import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../store/schema.js';
import { openEventStore, type EventStore } from '../store/store.js';
import { rec, writeCorpus } from './bad-corpus.fixture.js';
import { ingestPaths, type IngestReport } from './ingest.js';

let dir: string;
let store: EventStore;
let report: IngestReport;
let corpus: ReturnType<typeof writeCorpus>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tq-bad-'));
  corpus = writeCorpus(join(dir, 'corpus'));
  store = await openEventStore(join(dir, 'case.duckdb'));
  report = await ingestPaths(store, [join(dir, 'corpus')]);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bad input corpus', () => {
  it('stores every valid record and nothing else', async () => {
    const rows = await store.query<{ eventid: string }>(
      `SELECT eventid FROM ${EVENTS_TABLE} ORDER BY eventid`,
    );
    expect(rows.map((r) => r.eventid)).toEqual([...corpus.good].sort());
    expect(report.inserted).toBe(corpus.good.length);
    expect(report.records).toBe(corpus.good.length);
  });

  it('reports each bad record with its file and reason', () => {
    for (const [file, reasons] of Object.entries(corpus.bad)) {
      const mine = report.badRecordDetails.filter((b) => b.path.endsWith(`/${file}`));
      for (const [reason, count] of Object.entries(reasons)) {
        const hit = mine.filter((b) => b.reason.includes(reason));
        expect(
          hit.reduce((s, b) => s + b.count, 0),
          `${file}: ${reason} in ${JSON.stringify(mine)}`,
        ).toBe(count);
      }
      expect(
        mine.reduce((s, b) => s + b.count, 0),
        file,
      ).toBe(Object.values(reasons).reduce((s, n) => s + n, 0));
    }
    expect(report.badRecords).toBe(
      Object.values(corpus.bad).reduce((s, r) => s + Object.values(r).reduce((a, b) => a + b, 0), 0),
    );
  });

  it('names every wholly unreadable or damaged file with its reason', () => {
    const reasonOf = (name: string): string | undefined =>
      report.badFiles.find((b) => b.path.endsWith(`/${name}`))?.reason;
    expect(reasonOf('empty.json')).toMatch(/empty file/);
    expect(reasonOf('empty.json.gz')).toMatch(/empty file/);
    expect(reasonOf('binary.json')).toMatch(/not JSON/);
    expect(reasonOf('junk.json.gz')).toMatch(/gzip/);
    expect(reasonOf('truncated.json.gz')).toMatch(/damaged gzip.*records recovered/);
    expect(reasonOf('healthy.json.gz')).toBeUndefined();
    expect(reasonOf('typed.json')).toBeUndefined(); // its bad records are reported one by one
    expect(report.files).toBe(12);
  });

  it('keeps the files themselves untouched', () => {
    expect(readFileSync(join(dir, 'corpus', 'empty.json')).length).toBe(0);
  });
});

describe('bad input under a key filter (records read as text first, typed after)', () => {
  it('keeps the matching good records and counts a misshapen matching record', async () => {
    const keyed = join(dir, 'keyed');
    mkdirSync(keyed);
    const mine = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
      rec(id, { userIdentity: { type: 'IAMUser', accessKeyId: 'AKIAHUNTED' }, ...extra });
    writeFileSync(
      join(keyed, 'a.json.gz'),
      gzipSync(
        JSON.stringify({
          Records: [
            mine('k-1'),
            rec('other-1'),
            mine('k-2', { resources: { ARN: 'AKIAHUNTED' } }),
            mine('k-3', { eventID: undefined }),
            mine('k-4'),
            'a stray string naming AKIAHUNTED',
          ],
        }),
      ),
    );
    const keyedStore = await openEventStore(':memory:');
    try {
      const r = await ingestPaths(keyedStore, [keyed], { filter: { accessKeyId: 'AKIAHUNTED' } });
      expect(r.records).toBe(2);
      const ids = await keyedStore.query<{ eventid: string }>(
        `SELECT eventid FROM ${EVENTS_TABLE} ORDER BY 1`,
      );
      expect(ids.map((x) => x.eventid)).toEqual(['k-1', 'k-4']);
      // (A non-object record fails DuckDB's read and the file is salvaged record by record, whose
      // reasons also name what was found instead: "…, got an object".)
      expect(r.badRecordDetails.map((b) => [b.reason.replace(/, got .*$/, ''), b.count]).sort()).toEqual([
        ['missing eventID', 1],
        ['wrong type: record is a string, not a JSON object', 1],
        ['wrong type: resources: expected an array', 1],
      ]);
    } finally {
      keyedStore.close();
    }
  });
});
