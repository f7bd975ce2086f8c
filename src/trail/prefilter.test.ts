import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRealisticTrail } from '../../bench/generate-realistic.js';
import { generateTrail } from '../../bench/generate.js';
import { EVENTS_TABLE } from '../store/schema.js';
import { openEventStore, type EventStore } from '../store/store.js';
import { rec, writeCorpus } from './bad-corpus.fixture.js';
import { ingestPaths, type IngestReport, type RecordFilter } from './ingest.js';

/**
 * A key or user hunt cuts candidate records out of the files in worker threads and hands only
 * those to DuckDB. Its result must be exactly what loading everything and querying gives: the
 * same event ids, for every corpus and every key and user in it.
 */
const DATASETS = join(process.cwd(), '..', 'shared', 'datasets');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tq-prefilter-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every record of `paths` in one store, loaded without a filter (DuckDB reads every record). */
async function fullLoad(paths: string[]): Promise<{ store: EventStore; report: IngestReport }> {
  const store = await openEventStore(':memory:');
  return { store, report: await ingestPaths(store, paths) };
}

/** The event ids the full load holds for a filter, by the stored columns. */
async function expected(store: EventStore, filter: RecordFilter): Promise<string[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.accessKeyId) {
    where.push('useridentity.accesskeyid = ?');
    params.push(filter.accessKeyId);
  }
  if (filter.userName) {
    where.push('(useridentity.username = ? OR useridentity.sessioncontext.sessionissuer.username = ?)');
    params.push(filter.userName, filter.userName);
  }
  const rows = await store.query<{ eventid: string }>(
    `SELECT eventid FROM ${EVENTS_TABLE} WHERE ${where.join(' AND ')} ORDER BY eventid`,
    params,
  );
  return rows.map((r) => r.eventid);
}

/**
 * Hunt with the prefilter into a fresh store: the ids stored and the report. `stageBytes` 0 reads
 * the candidates straight into the store (as reads above 64 MB are) instead of through a stage.
 */
async function hunt(
  paths: string[],
  filter: RecordFilter,
  stageBytes?: number,
): Promise<{ ids: string[]; report: IngestReport }> {
  const store = await openEventStore(':memory:');
  try {
    const report = await ingestPaths(store, paths, { filter, stageBytes });
    const rows = await store.query<{ eventid: string }>(`SELECT eventid FROM ${EVENTS_TABLE} ORDER BY 1`);
    return { ids: rows.map((r) => r.eventid), report };
  } finally {
    store.close();
  }
}

/**
 * Access keys and user names of a full load, each as a filter: the busiest and the rarest, and
 * others spread between (each hunt starts its worker threads; every subject would take minutes).
 */
async function subjects(store: EventStore): Promise<RecordFilter[]> {
  const pick = async (expr: string): Promise<string[]> => {
    const rows = await store.query<{ v: string }>(
      `SELECT ${expr} AS v FROM ${EVENTS_TABLE} WHERE v IS NOT NULL AND v <> '' GROUP BY 1 ORDER BY count(*) DESC, 1`,
    );
    const step = Math.max(1, Math.floor(rows.length / 4));
    return [...new Set([...rows.filter((_, i) => i % step === 0), rows.at(-1)!].map((r) => r.v))];
  };
  const keys = await pick('useridentity.accesskeyid');
  const users = await pick(
    'coalesce(useridentity.username, useridentity.sessioncontext.sessionissuer.username)',
  );
  return [...keys.map((v) => ({ accessKeyId: v })), ...users.map((v) => ({ userName: v }))];
}

describe('hunt results equal the full load, for every key and user', () => {
  it.each(['stratus-detonation-logs', 'invictus-sigma-aws'])(
    '%s',
    async (dataset) => {
      const path = join(DATASETS, dataset);
      const full = await fullLoad([path]);
      try {
        const filters = await subjects(full.store);
        expect(filters.length).toBeGreaterThanOrEqual(8);
        for (const filter of filters) {
          const want = await expected(full.store, filter);
          const got = await hunt([path], filter);
          expect(got.ids, JSON.stringify(filter)).toEqual(want);
          expect(got.report.records).toBe(want.length);
          expect(got.report.slowFiles).toEqual([]);
        }
      } finally {
        full.store.close();
      }
    },
    240_000,
  );

  it('on the bad-input corpus: same ids, damaged files still named with their reasons', async () => {
    const corpus = join(dir, 'bad');
    writeCorpus(corpus);
    const full = await fullLoad([corpus]);
    try {
      for (const filter of [{ accessKeyId: 'AKIAGOOD' }, { userName: 'alice' }]) {
        const got = await hunt([corpus], filter);
        expect(got.ids).toEqual(await expected(full.store, filter));
        expect(got.ids.length).toBeGreaterThan(20);
        const unstaged = await hunt([corpus], filter, 0);
        expect({ ...unstaged.report, ingestId: '' }).toEqual({ ...got.report, ingestId: '' });
        const reasons: Record<string, string> = Object.fromEntries(
          got.report.badFiles.map((b) => [b.path.split('/').pop() ?? b.path, b.reason]),
        );
        expect(reasons).toMatchObject({
          'empty.json': expect.stringMatching(/empty file/) as string,
          'binary.json': expect.stringMatching(/not JSON/) as string,
          'junk.json.gz': expect.stringMatching(/gzip/) as string,
          'truncated.json.gz': expect.stringMatching(/damaged gzip/) as string,
        });
        // The damaged files were read the slow way, which names each bad record.
        const slow = got.report.slowFiles.map((f) => f.path.split('/').pop()).sort();
        expect(slow).toEqual(['garbage.ndjson', 'latin.jsonl', 'truncated.json.gz']);
        expect(got.report.badRecordDetails.map((b) => b.reason)).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/invalid UTF-8/),
            expect.stringMatching(/truncated/),
            expect.stringMatching(/invalid JSON/),
          ]),
        );
      }
    } finally {
      full.store.close();
    }
  }, 60_000);

  it.each([
    ['first', generateTrail, 'deploy-bot'],
    ['realistic', generateRealisticTrail, 'build-agent'],
  ] as const)(
    'on the %s generator',
    async (name, generate, userName) => {
      const trail = await generate({ dir: join(dir, name), records: 20_000 });
      const full = await fullLoad([trail.dir]);
      try {
        const filter = { accessKeyId: trail.targetKey };
        const got = await hunt([trail.dir], filter);
        expect(got.ids).toEqual(await expected(full.store, filter));
        expect(got.ids).toHaveLength(trail.targetRecords);
        expect((await hunt([trail.dir], { userName })).ids).toEqual(await expected(full.store, { userName }));
        if (name === 'realistic') {
          // Its creation and listings name the key: mentions, each an event of another principal.
          expect(got.report.mentions.map((m) => m.eventName)).toContain('CreateAccessKey');
          expect(got.report.mentions.every((m) => m.accessKeyId !== trail.targetKey)).toBe(true);
          // The same when the candidates go straight into the store.
          const unstaged = await hunt([trail.dir], filter, 0);
          expect(unstaged.ids).toEqual(got.ids);
          expect(unstaged.report.mentions).toEqual(got.report.mentions);
        }
      } finally {
        full.store.close();
      }
    },
    120_000,
  );
});

describe('candidates the byte search could miss or mistake', () => {
  const KEY = 'AKIAHIDDEN0000000001';
  const mine = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    rec(id, { userIdentity: { type: 'IAMUser', accessKeyId: KEY, userName: 'mallory/x' }, ...extra });

  it('finds records whose value is written with escapes, and is not fooled by JSON inside strings', async () => {
    const folder = join(dir, 'escapes');
    mkdirSync(folder);
    const escaped = JSON.stringify(mine('escaped-key')).replace(KEY, '\\u0041KIA\\u0048IDDEN0000000001');
    const slashed = JSON.stringify(
      rec('escaped-user', { userIdentity: { type: 'IAMUser', userName: 'mallory/x' } }),
    ).replace('mallory/x', 'mallory\\/x');
    // A user agent holding what looks like the end of a record and a new one naming the key.
    const fake = `"},{"eventVersion":"1.08","userIdentity":{"accessKeyId":"${KEY}"},"eventID":"fake"`;
    const tricky = JSON.stringify(rec('tricky', { userAgent: fake, requestParameters: { k: '{[' } }));
    const after = JSON.stringify(mine('after-tricky'));
    const records = [escaped, slashed, tricky, after, JSON.stringify(rec('plain'))];
    writeFileSync(join(folder, 'a.json.gz'), gzipSync(`{"Records":[${records.join(',')}]}`));
    writeFileSync(join(folder, 'b.json'), `[\n${records.map((r) => `  ${r}`).join(',\n')}\n]\n`);

    const full = await fullLoad([folder]);
    try {
      for (const filter of [{ accessKeyId: KEY }, { userName: 'mallory/x' }]) {
        const got = await hunt([folder], filter);
        expect(got.ids).toEqual(await expected(full.store, filter));
        expect(got.report.slowFiles).toEqual([]);
      }
      const byKey = await hunt([folder], { accessKeyId: KEY });
      expect(byKey.ids).toEqual(['after-tricky', 'escaped-key']);
      // The record that only names the key in its user agent is a mention, not the key's.
      expect(byKey.report.mentions.map((m) => m.eventId)).toEqual(['tricky']);
    } finally {
      full.store.close();
    }
  });

  it('reads a file whose only fault is its gzip CRC as the full load does, and still names a cut one', async () => {
    const folder = join(dir, 'crc');
    mkdirSync(folder);
    const file = (...records: Record<string, unknown>[]): Buffer =>
      gzipSync(`{"Records":[${records.map((r) => JSON.stringify(r)).join(',')}]}`);
    // Big enough that listing the files (which inflates 4 KB of each) does not reach the trailer.
    const noise = Array.from({ length: 300 }, (_, i) =>
      rec(`other-${i}`, { requestID: randomBytes(24).toString('hex') }),
    );
    const gz = file(mine('k-1'), ...noise, mine('k-2'));
    expect(gz.length).toBeGreaterThan(8 * 1024);
    // The CRC-32 is the trailer's first four bytes: the deflate data still decodes.
    writeFileSync(
      join(folder, 'crc.json.gz'),
      Buffer.from(gz.map((b, i) => (i === gz.length - 8 ? b ^ 1 : b))),
    );
    const cut = file(mine('k-3'));
    writeFileSync(join(folder, 'cut.json.gz'), cut.subarray(0, cut.length - 4));
    const full = await fullLoad([folder]);
    try {
      const got = await hunt([folder], { accessKeyId: KEY });
      expect(got.ids).toEqual(await expected(full.store, { accessKeyId: KEY }));
      expect(got.ids).toEqual(expect.arrayContaining(['k-1', 'k-2']));
      expect(full.report.badFiles).toEqual([]);
      // DuckDB never checks the CRC either; the cut file's trailer is short: read the slow way.
      expect(got.report.slowFiles.map((f) => [f.path.split('/').pop(), f.reason])).toEqual([
        ['cut.json.gz', 'unreadable: unexpected end of file'],
      ]);
    } finally {
      full.store.close();
    }
  });

  it("reports a record naming the key (CreateAccessKey's response) as a mention", async () => {
    const folder = join(dir, 'mentions');
    mkdirSync(folder);
    const created = rec('create-key', {
      eventName: 'CreateAccessKey',
      responseElements: { accessKey: { accessKeyId: KEY, userName: 'mallory/x', status: 'Active' } },
    });
    writeFileSync(
      join(folder, 'trail.jsonl'),
      [created, mine('used-1'), mine('used-2')].map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    for (const stageBytes of [undefined, 0]) {
      const got = await hunt([folder], { accessKeyId: KEY }, stageBytes);
      expect(got.ids).toEqual(['used-1', 'used-2']);
      expect(got.report.mentions).toEqual([
        expect.objectContaining({
          eventId: 'create-key',
          eventName: 'CreateAccessKey',
          accessKeyId: 'AKIAGOOD',
          principal: 'arn:aws:iam::111122223333:user/alice',
        }),
      ]);
    }
  });
});
