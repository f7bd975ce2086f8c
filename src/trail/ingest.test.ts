import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../store/schema.js';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from './ingest.js';

const DATASETS = join(process.cwd(), '..', 'shared', 'datasets');

interface RawRecord {
  eventID: string;
  eventTime: string;
  eventName: string;
  userIdentity?: { accessKeyId?: string };
}

/** The datasets' records, read independently of DuckDB (plain JSON.parse). */
function rawRecords(dataset: string): RawRecord[] {
  const dir = join(DATASETS, dataset);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as RawRecord[] | { Records: RawRecord[] };
      return Array.isArray(doc) ? doc : doc.Records;
    });
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

let dir: string;
let store: EventStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tq-ingest-'));
  store = await openEventStore(join(dir, 'case.duckdb'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function keyCounts(): Promise<Record<string, number>> {
  const rows = await store.query<{ k: string | null; n: number }>(
    `SELECT useridentity.accesskeyid AS k, count(*) AS n FROM ${EVENTS_TABLE} GROUP BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.k ?? '(none)', r.n]));
}

describe('ingestPaths on the public datasets', () => {
  it.each([
    ['stratus-detonation-logs', 310, 35],
    ['invictus-sigma-aws', 2900, 55],
  ])(
    '%s: %i records in %i files, per-key counts equal a plain JSON.parse count',
    async (dataset, records, files) => {
      const report = await ingestPaths(store, [join(DATASETS, dataset)]);
      expect(report).toMatchObject({
        files,
        records,
        inserted: records,
        duplicates: 0,
        badRecords: 0,
        badFiles: [],
      });
      const raw = rawRecords(dataset);
      expect(raw).toHaveLength(records);
      expect(await keyCounts()).toEqual(countBy(raw, (r) => r.userIdentity?.accessKeyId ?? '(none)'));
      const [times] = await store.query<{ lo: string; hi: string; ids: number }>(
        `SELECT min(eventtime) AS lo, max(eventtime) AS hi, count(DISTINCT eventid) AS ids FROM ${EVENTS_TABLE}`,
      );
      const sorted = raw.map((r) => r.eventTime).sort();
      expect(times).toEqual({ lo: sorted[0], hi: sorted.at(-1), ids: records });
    },
  );

  it('stores provenance and does not store an event twice when it is loaded again', async () => {
    const path = join(DATASETS, 'invictus-sigma-aws');
    const first = await ingestPaths(store, [path], { ingestId: 'first' });
    const second = await ingestPaths(store, [path], { ingestId: 'second' });
    expect(first.inserted).toBe(2900);
    expect(second).toMatchObject({ records: 2900, inserted: 0, duplicates: 2900 });
    const rows = await store.query<{ sourcekind: string; ingestid: string; n: number }>(
      `SELECT sourcekind, ingestid, count(*) AS n FROM ${EVENTS_TABLE} GROUP BY ALL`,
    );
    expect(rows).toEqual([{ sourcekind: 'file', ingestid: 'first', n: 2900 }]);
    const [one] = await store.query<{ sourceref: string }>(`SELECT sourceref FROM ${EVENTS_TABLE} LIMIT 1`);
    expect(one!.sourceref).toMatch(/invictus-sigma-aws\/218007301253_CloudTrail_us-east-1_.*\.json$/);
  });
});

describe('ingestPaths on every layout', () => {
  const records = rawRecords('stratus-detonation-logs').slice(0, 36);
  const [a, b, c, d, e] = [
    records.slice(0, 8),
    records.slice(8, 16),
    records.slice(16, 24),
    records.slice(24, 30),
    records.slice(30, 36),
  ];

  it('reads Records .json.gz in an AWSLogs tree, bare arrays, NDJSON and lookup-events output; skips digests', async () => {
    const trail = join(dir, 'in', 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2024', '07', '30');
    const digest = join(
      dir,
      'in',
      'AWSLogs',
      '111122223333',
      'CloudTrail-Digest',
      'us-east-1',
      '2024',
      '07',
      '30',
    );
    mkdirSync(trail, { recursive: true });
    mkdirSync(digest, { recursive: true });
    writeFileSync(
      join(trail, '111122223333_CloudTrail_us-east-1_20240730T2130Z_abc.json.gz'),
      gzipSync(JSON.stringify({ Records: a })),
    );
    writeFileSync(
      join(digest, '111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240730T2130Z.json.gz'),
      gzipSync(
        JSON.stringify({ awsAccountId: '111122223333', digestPublicKeyFingerprint: 'x', logFiles: [] }),
      ),
    );
    writeFileSync(join(dir, 'in', 'stratus.json'), JSON.stringify(b, null, 3));
    writeFileSync(join(dir, 'in', 'lines.jsonl'), c.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const lookup = {
      Events: d.map((r) => ({
        EventId: r.eventID,
        EventName: r.eventName,
        // Keys missing from nested structs (no resources[].type) must read as NULL, not fail.
        CloudTrailEvent: JSON.stringify({ ...r, resources: [{ ARN: `arn:aws:s3:::bucket-${r.eventID}` }] }),
      })),
    };
    writeFileSync(join(dir, 'in', 'lookup-events.json'), JSON.stringify(lookup, null, 4));
    writeFileSync(join(dir, 'in', 'notes.txt'), 'not read: not a .json name');
    // A delivery file pretty-printed by hand: not one line, so read again with format detection.
    writeFileSync(join(dir, 'in', 'pretty.json'), JSON.stringify({ Records: e }, null, 2));

    const report = await ingestPaths(store, [join(dir, 'in')]);
    expect(report).toMatchObject({ files: 5, records: 36, inserted: 36, badRecords: 0, badFiles: [] });
    expect(report.skipped).toEqual([
      {
        path: expect.stringContaining('CloudTrail-Digest') as string,
        reason: expect.stringMatching(/digest/) as string,
      },
    ]);
    const ids = await store.query<{ eventid: string }>(
      `SELECT eventid FROM ${EVENTS_TABLE} ORDER BY eventid`,
    );
    expect(ids.map((r) => r.eventid)).toEqual(records.map((r) => r.eventID).sort());
    const [res] = await store.query<{ arn: string; type: string | null }>(
      `SELECT resources[1].arn AS arn, resources[1].type AS type FROM ${EVENTS_TABLE} WHERE eventid = ?`,
      [d[0]!.eventID],
    );
    expect(res).toEqual({ arn: `arn:aws:s3:::bucket-${d[0]!.eventID}`, type: null });
  });

  it('stores an event once when files of one load repeat it, in the same batch or another', async () => {
    const some = rawRecords('stratus-detonation-logs').slice(0, 15);
    const folder = join(dir, 'repeats');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'a.json.gz'), gzipSync(JSON.stringify({ Records: some.slice(0, 10) })));
    writeFileSync(join(folder, 'b.json.gz'), gzipSync(JSON.stringify({ Records: some })));
    writeFileSync(
      join(folder, 'c.jsonl'),
      some
        .slice(12)
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const report = await ingestPaths(store, [folder]);
    expect(report).toMatchObject({ records: 28, inserted: 15, duplicates: 13, badRecords: 0 });
    const rows = await store.query<{ eventid: string; file: string }>(
      `SELECT eventid, regexp_extract(sourceref, '[^/]+$') AS file FROM ${EVENTS_TABLE}`,
    );
    expect(rows.map((r) => r.eventid).sort()).toEqual(some.map((r) => r.eventID).sort());
    // Within a batch the first file by name keeps the event; a later batch adds nothing stored.
    const fileOf = new Map(rows.map((r) => [r.eventid, r.file]));
    expect(some.map((r) => fileOf.get(r.eventID))).toEqual([
      ...Array<string>(10).fill('a.json.gz'),
      ...Array<string>(5).fill('b.json.gz'),
    ]);
  });

  it('reports progress in files, ending at the total', async () => {
    const ticks: number[] = [];
    let summary: string | undefined;
    const progress = {
      start: (_label: string, total?: number) => {
        ticks.push(-(total ?? 0));
        return { tick: (n = 1) => void ticks.push(n), done: (s?: string) => void (summary = s) };
      },
    };
    await ingestPaths(store, [join(DATASETS, 'stratus-detonation-logs')], { progress });
    expect(ticks[0]).toBe(-35);
    expect(ticks.slice(1).reduce((a, b) => a + b, 0)).toBe(35);
    expect(ticks.slice(1).every((n) => n >= 0)).toBe(true);
    expect(summary).toBe('310 records from 35 files');
  });

  it('applies a key and time filter during the scan', async () => {
    const raw = rawRecords('invictus-sigma-aws');
    const key = 'ASIATFQR7NSCS5BLNV76';
    const since = '2023-07-10T12:00:00Z';
    const expected = raw.filter((r) => r.userIdentity?.accessKeyId === key && r.eventTime >= since);
    expect(expected.length).toBeGreaterThan(0);
    const report = await ingestPaths(store, [join(DATASETS, 'invictus-sigma-aws')], {
      filter: { accessKeyId: key, since },
    });
    expect(report.records).toBe(expected.length);
    expect(await keyCounts()).toEqual({ [key]: expected.length });
  });

  it('names a missing path as a usage error', async () => {
    await expect(ingestPaths(store, [join(dir, 'nope')])).rejects.toThrow(/nope: no such file or folder/);
  });
});
