import { randomBytes } from 'node:crypto';
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

describe('a cut-off download whose trailer announces a length deflate could produce', () => {
  it('is read record by record when DuckDB cannot hold a file of that length', async () => {
    // Records of random text (little to compress), gzip cut in half, the trailer's length set to
    // 4 GB: believable up to 1,032 times the file's size (deflate's most), over 512 MB, so the
    // reader sizes its buffers for a gigabyte-long object, beyond the store's 1 GB, and runs out of
    // memory; the records before the cut are still kept and the file named.
    const folder = join(dir, 'claims-big');
    mkdirSync(folder);
    const records = Array.from({ length: 800 }, (_, i) =>
      rec(`long-${i}`, { requestParameters: { blob: randomBytes(1500).toString('base64') } }),
    );
    const gz = gzipSync(JSON.stringify({ Records: records }));
    const cut = Buffer.from(gz.subarray(0, Math.floor(gz.length / 2)));
    cut.writeUInt32LE(0xffffffff, cut.length - 4);
    expect(cut.length * 1032).toBeGreaterThan(2 ** 29);
    writeFileSync(join(folder, 'claims-big.json.gz'), cut);
    const one = await openEventStore(':memory:', { memoryLimit: '1GB' });
    try {
      const r = await ingestPaths(one, [folder]);
      expect(r.records).toBeGreaterThan(100);
      expect(r.records).toBeLessThan(800);
      expect(r.badFiles.map((b) => b.reason)).toEqual([
        expect.stringMatching(/damaged gzip.*records recovered/),
      ]);
    } finally {
      one.close();
    }
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
