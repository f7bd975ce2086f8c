import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../store/schema.js';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths, type IngestReport } from './ingest.js';

/** A well-formed record with a recognisable id. */
function rec(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      accessKeyId: 'AKIAGOOD',
      userName: 'alice',
      arn: 'arn:aws:iam::111122223333:user/alice',
    },
    eventTime: '2024-07-30T21:31:21Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${id}`,
    eventID: id,
    readOnly: true,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  };
}

const records = (n: number, prefix: string): Record<string, unknown>[] =>
  Array.from({ length: n }, (_, i) => rec(`${prefix}-${i}`));

/**
 * The corpus: every kind of damage from issue §3, each next to good records that must survive.
 * `good` lists every event id that must be stored; `bad` the refusals expected per file.
 */
function writeCorpus(root: string): { good: string[]; bad: Record<string, Record<string, number>> } {
  mkdirSync(root, { recursive: true });
  const good: string[] = [];
  const bad: Record<string, Record<string, number>> = {};
  const put = (name: string, content: string | Buffer): string => {
    writeFileSync(join(root, name), content);
    return name;
  };

  // A healthy delivery file, so a healthy batch neighbours the damaged ones.
  const healthy = records(20, 'healthy');
  put('healthy.json.gz', gzipSync(JSON.stringify({ Records: healthy })));
  good.push(...healthy.map((r) => r.eventID as string));

  // Truncated gzip: the download stopped half way. Records wholly before the cut survive.
  const cut = records(400, 'cut');
  const gz = gzipSync(JSON.stringify({ Records: cut }));
  const truncated = gz.subarray(0, Math.floor(gz.length / 2));
  put('truncated.json.gz', truncated);
  // What survives is what a streaming gunzip yields before the cut, parsed record by record.
  const partial = gunzipSync(truncated, { finishFlush: constants.Z_SYNC_FLUSH }).toString();
  const whole = cut.filter((r) => partial.includes(JSON.stringify(r)));
  expect(whole.length).toBeGreaterThan(10);
  good.push(...whole.map((r) => r.eventID as string));
  bad['truncated.json.gz'] = { 'file ends inside a record': 1 };

  // Invalid JSON inside one record of a Records file.
  const inv = records(5, 'invalid');
  const invText = JSON.stringify({ Records: inv }).replace(
    '"eventID":"invalid-2"',
    '"eventID":"invalid-2",,"x":tru',
  );
  put('invalid-json.json', invText);
  good.push(...inv.filter((r) => r.eventID !== 'invalid-2').map((r) => r.eventID as string));
  bad['invalid-json.json'] = { 'invalid JSON': 1 };

  // Missing and wrongly-typed fields.
  const typed = [
    rec('typed-ok'),
    rec('typed-ui', { userIdentity: 'root' }),
    rec('typed-res', { resources: { ARN: 'arn:aws:s3:::b' } }),
    rec('typed-ok2', { requestParameters: { deep: { list: [1, 2, { x: null }] } } }),
  ];
  const missing = [
    { ...rec('x'), eventID: undefined },
    { ...rec('no-time'), eventTime: undefined },
    rec('bad-time', { eventTime: 'yesterday' }),
    rec('fields-ok'),
  ];
  put('typed.json', JSON.stringify({ Records: typed }));
  put('missing.json', JSON.stringify({ Records: missing }));
  good.push('typed-ok', 'typed-ok2', 'fields-ok');
  bad['typed.json'] = { 'wrong type: userIdentity': 1, 'wrong type: resources': 1 };
  bad['missing.json'] = { 'missing eventID': 1, 'missing eventTime': 1, 'not an ISO-8601 time': 1 };

  // A record over 1 MB (CloudTrail's own limit is far below).
  const big = [rec('big-ok'), rec('big', { requestParameters: { blob: 'A'.repeat(1_200_000) } })];
  put('big.json', JSON.stringify(big));
  good.push('big-ok');
  bad['big.json'] = { 'larger than 1 MB': 1 };

  // Non-UTF-8 bytes in one record of an NDJSON file.
  const lines = [rec('utf-ok-1'), rec('utf-bad'), rec('utf-ok-2')].map((r) => Buffer.from(JSON.stringify(r)));
  lines[1] = Buffer.from(lines[1]!.toString().replace('aws-cli/2.15.0', 'aws-cli/\u0001MARK'));
  const markAt = lines[1].indexOf('\u0001MARK');
  lines[1][markAt] = 0xff; // a lone 0xFF byte can never appear in UTF-8
  put(
    'latin.jsonl',
    Buffer.concat([lines[0]!, Buffer.from('\n'), lines[1], Buffer.from('\n'), lines[2]!, Buffer.from('\n')]),
  );
  good.push('utf-ok-1', 'utf-ok-2');
  bad['latin.jsonl'] = { 'invalid UTF-8': 1 };

  // NDJSON with a garbage line between good ones.
  put(
    'garbage.ndjson',
    [JSON.stringify(rec('nd-1')), '{"eventID": "nd-broken", ', JSON.stringify(rec('nd-2'))].join('\n'),
  );
  good.push('nd-1', 'nd-2');
  bad['garbage.ndjson'] = { 'invalid JSON': 1 };

  // Wholly unreadable: empty, gzip of nothing, not JSON at all, gzip magic then junk.
  put('empty.json', '');
  put('empty.json.gz', gzipSync(Buffer.alloc(0)));
  put('binary.json', Buffer.from([0x00, 0x01, 0x02, 0xfe, 0x7f, 0x45]));
  put('junk.json.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x99, 0x98, 0x97]));
  return { good, bad };
}

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
