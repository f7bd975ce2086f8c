import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../sim/index.js';
import type { AthenaState } from '../sim/services/athena/index.js';
import { sdkConfig } from '../sim/test-support/aws.js';
import { callsThenDelivery, downloadBucket } from '../sim/test-support/buckets.js';
import { CaseFolder } from '../case/case.js';
import { systemClock } from '../clock.js';
import { openEventStore } from '../store/store.js';
import { runCli } from '../test-support/cli.js';
import { huntJson, quickPolls } from './test-support/cli.js';
import { parseAthenaSql } from './test-support/trino.js';

let sim: RunningSim;
let root: string;
let admin: { accessKeyId: string; secretAccessKey: string };
let intruder: { accessKeyId: string; secretAccessKey: string };
let s3: S3Client;

const TRAIL = 'trail-logs';
const SOURCE = `s3://${TRAIL}/ct`;
const ATHENA = ['--engine', 'athena', '--athena-output', 's3://athena-results/tq/'];
const BULK_KEY = 'AKIAEXAMPLEBULK00001';

/** A 1.3 MB trail file of data events by another key (the scan limit test needs more than 1 MB). */
function bulkFile(): string {
  const records = Array.from({ length: 2200 }, (_, i) => ({
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEBULK00001',
      arn: `arn:aws:iam::${VICTIM_ACCOUNT}:user/bulk`,
      accountId: VICTIM_ACCOUNT,
      accessKeyId: BULK_KEY,
      userName: 'bulk',
    },
    eventTime: `2026-02-02T07:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-west-2',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2.15.0 Python/3.11 Linux/6.1 exe/x86_64',
    requestParameters: { bucketName: 'data-lake', key: `exports/part-${String(i).padStart(5, '0')}.parquet` },
    responseElements: null,
    requestID: `BULK${String(i).padStart(12, '0')}`,
    eventID: `0000bulk-0000-4000-8000-${String(i).padStart(12, '0')}`,
    readOnly: true,
    resources: [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::data-lake/exports/part-${i}.parquet` }],
    eventType: 'AwsApiCall',
    managementEvent: false,
    recipientAccountId: VICTIM_ACCOUNT,
    eventCategory: 'Data',
  }));
  return JSON.stringify({ Records: records });
}

beforeAll(async () => {
  sim = await startSim({
    port: 0,
    seed: 'athena-hunt',
    clock: new SimClock({ start: '2026-02-02T08:00:00Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  intruder = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'intruder', {
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  }).key;
  s3 = new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true });
  for (const b of [TRAIL, 'athena-results']) await s3.send(new CreateBucketCommand({ Bucket: b }));
  const ct = new CloudTrailClient(sdkConfig(sim, admin));
  await ct.send(
    new CreateTrailCommand({
      Name: 'main',
      S3BucketName: TRAIL,
      S3KeyPrefix: 'ct',
      IsMultiRegionTrail: true,
    }),
  );
  await ct.send(new StartLoggingCommand({ Name: 'main' }));
  await callsThenDelivery(sim, [
    [intruder, 'us-east-1', 3],
    [intruder, 'eu-west-1', 2],
    [admin, 'eu-west-1', 2],
    [admin, 'ap-south-1', 2],
  ]);
  ct.destroy();
  await s3.send(
    new PutObjectCommand({
      Bucket: TRAIL,
      Key: `ct/AWSLogs/${VICTIM_ACCOUNT}/CloudTrail/us-west-2/2026/02/02/${VICTIM_ACCOUNT}_CloudTrail_us-west-2_20260202T0800Z_bulk.json`,
      Body: bulkFile(),
    }),
  );
  // The local hunt reads the same bucket, downloaded.
  root = mkdtempSync(join(tmpdir(), 'tq-athena-hunt-'));
  await downloadBucket(s3, TRAIL, join(root, 'bucket'));
}, 60_000);

afterAll(async () => {
  s3.destroy();
  await sim.stop();
  rmSync(root, { recursive: true, force: true });
});

async function eventIds(file: string): Promise<string[]> {
  const store = await openEventStore(join(root, file), { readOnly: true });
  try {
    return (
      await store.query<{ eventid: string }>('SELECT eventid FROM cloudtrail_events ORDER BY eventid')
    ).map((r) => r.eventid);
  } finally {
    store.close();
  }
}

function hunt(args: string[]) {
  return huntJson(sim, admin, root, args);
}

interface AthenaDoc {
  records: number;
  engine: string;
  coverage: { region: string; status: string; reason: string | null; records: number; source: string }[];
  athena: {
    estimatedBytes: number;
    scannedBytes: number;
    queries: {
      queryId: string;
      state: string;
      scannedBytes: number;
      estimatedBytes: number;
      resultSha256: string | null;
      records: number;
    }[];
  };
}

function sentQueries(): string[] {
  const state = sim.state.serviceState<AthenaState>(VICTIM_ACCOUNT, 'athena', () => ({
    queries: {},
    workgroups: {},
  }));
  return Object.values(state.queries).map((q) => q.query);
}

describe('hunt --engine athena over the simulated trail bucket', () => {
  it('finds the same event ids as a local hunt of the same files, key hunt and whole bucket', async () => {
    for (const [name, filter] of [
      ['key', ['--key', intruder.accessKeyId]],
      ['all', ['--since', '2026-02-01', '--until', '2026-02-03']],
    ] as const) {
      const local = await hunt([join(root, 'bucket'), ...filter, '--store', `local-${name}.duckdb`]);
      expect(local.code, local.err).toBe(0);
      const athena = await hunt([SOURCE, ...ATHENA, ...filter, '--store', `athena-${name}.duckdb`]);
      expect(athena.code, athena.err).toBe(0);
      expect(athena.err).toMatch(
        /^Athena scan estimate: .* in \d+ objects, 4 queries \(limit 50\.0 GB\)\.$/m,
      );
      const doc = JSON.parse(athena.out) as AthenaDoc;
      expect(doc.engine).toBe('athena');
      expect(doc.coverage.map((c) => [c.region, c.status])).toEqual([
        ['ap-south-1', 'complete'],
        ['eu-west-1', 'complete'],
        ['us-east-1', 'complete'],
        ['us-west-2', 'complete'],
      ]);
      // Partition projection reads exactly the objects the estimate listed.
      for (const q of doc.athena.queries) {
        expect(q.scannedBytes).toBe(q.estimatedBytes);
        expect(q.resultSha256).toMatch(/^[0-9a-f]{64}$/);
      }
      const ids = await eventIds(`athena-${name}.duckdb`);
      expect(ids).toEqual(await eventIds(`local-${name}.duckdb`));
      expect(ids.length).toBe(name === 'key' ? 5 : doc.records);
      expect(doc.records).toBe((JSON.parse(local.out) as { records: number }).records);
    }
    const store = await openEventStore(join(root, 'athena-key.duckdb'), { readOnly: true });
    try {
      const evidence = await store.query<{ queryid: string; resultsha256: string; records: number }>(
        'SELECT queryid, resultsha256, records FROM athena_queries ORDER BY scope',
      );
      expect(evidence).toHaveLength(4);
      expect(evidence.reduce((s, e) => s + e.records, 0)).toBe(5);
    } finally {
      store.close();
    }
  }, 120_000);

  it('refuses a scan above --max-scan with one line and exit 2, before any query', async () => {
    const before = sentQueries().length;
    const refused = await hunt([SOURCE, ...ATHENA, '--max-scan', '1MB']);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    const errorLines = refused.err.split('\n').filter((l) => l.startsWith('error:'));
    expect(errorLines).toEqual([
      expect.stringMatching(
        /^error: The Athena queries would scan 1\.\d MB in \d+ objects, 4 queries, above --max-scan 1\.0 MB: narrow --since\/--until, raise --max-scan, or pass --yes\.$/,
      ) as unknown,
    ]);
    expect(sentQueries().length).toBe(before);
    const forced = await hunt([SOURCE, ...ATHENA, '--max-scan', '1MB', '--yes', '--key', BULK_KEY]);
    expect(forced.code, forced.err).toBe(0);
    expect((JSON.parse(forced.out) as AthenaDoc).records).toBe(2200);
  }, 60_000);

  it('reports a query Athena fails with its id and reason, goes on with the others, coverage partial (exit 3)', async () => {
    const key = `ct/AWSLogs/${VICTIM_ACCOUNT}/CloudTrail/eu-west-1/2026/02/02/${VICTIM_ACCOUNT}_CloudTrail_eu-west-1_20260202T0810Z_damaged.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: TRAIL, Key: key, Body: '{"Records": [{"eventID": ' }));
    const run = await hunt([SOURCE, ...ATHENA, '--key', intruder.accessKeyId]);
    expect(run.code, run.err).toBe(3);
    const doc = JSON.parse(run.out) as AthenaDoc;
    const failed = doc.coverage.filter((c) => c.status === 'failed');
    expect(failed.map((c) => c.region)).toEqual(['eu-west-1']);
    const query = doc.athena.queries.find((q) => q.state === 'FAILED')!;
    expect(failed[0]!.source).toContain(query.queryId);
    expect(failed[0]!.reason).toBe(
      `Athena query ${query.queryId} FAILED: HIVE_CURSOR_ERROR: Row is not a valid JSON Object - s3://${TRAIL}/${key}`,
    );
    // us-east-1's three calls by the key are still found.
    expect(doc.records).toBe(3);
  }, 60_000);

  it('collect --engine athena loads the window into a case, with coverage in the ledger and the queries in evidence', async () => {
    const caseDir = join(root, 'case');
    CaseFolder.create(caseDir, {
      clock: systemClock,
      subject: { input: intruder.accessKeyId, kind: 'access-key' },
    }).close();
    const run = await runCli(
      [
        'collect',
        '--case',
        caseDir,
        '--source',
        SOURCE,
        ...ATHENA,
        '--since',
        '2026-02-01',
        '--until',
        '2026-02-03',
        '--json',
      ],
      { endpoint: sim.endpoint, creds: admin, root, clock: quickPolls },
    );
    // eu-west-1 holds the damaged object of the test above: its line is failed, the case says so.
    expect(run.code, run.err).toBe(3);
    const doc = JSON.parse(run.out) as {
      storedEvents: number;
      coverage: { region: string; status: string }[];
    };
    expect(doc.coverage.map((c) => [c.region, c.status])).toEqual([
      ['ap-south-1', 'complete'],
      ['eu-west-1', 'failed'],
      ['us-east-1', 'complete'],
      ['us-west-2', 'complete'],
    ]);
    expect(doc.storedEvents).toBeGreaterThan(2200);
    const ledger = JSON.parse(readFileSync(join(caseDir, 'coverage.json'), 'utf8')) as { entries: unknown[] };
    expect(ledger.entries).toHaveLength(4);
    const kept = readdirSync(join(caseDir, 'evidence', 'athena'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(caseDir, 'evidence', 'athena', kept[0]!), 'utf8')).toMatch(
      /"resultSha256": "[0-9a-f]{64}"/,
    );
  }, 60_000);

  it('sent only valid Athena (Trino) SQL', () => {
    const sent = sentQueries();
    expect(sent.length).toBeGreaterThanOrEqual(20);
    for (const sql of sent) expect(() => parseAthenaSql(sql), sql).not.toThrow();
  });
});
