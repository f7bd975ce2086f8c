import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simWithAdminAndIntruder } from '../sim/test-support/admin-and-intruder.js';
import { huntJson, quickPolls } from '../athena/test-support/cli.js';
import { parseAthenaSql } from '../athena/test-support/trino.js';
import { CaseFolder } from '../case/case.js';
import { systemClock } from '../clock.js';
import { VICTIM_ACCOUNT, layEventDataStore, type RunningSim } from '../sim/index.js';
import { callsThenDelivery, downloadBucket } from '../sim/test-support/buckets.js';
import { openEventStore } from '../store/store.js';
import { runCli } from '../test-support/cli.js';

let sim: RunningSim;
let root: string;
let admin: { accessKeyId: string; secretAccessKey: string };
let intruder: { accessKeyId: string; secretAccessKey: string };
let storeArn: string;

const TRAIL = 'trail-logs';
/** The calls of the test happen in this window; the setup before it and the tool's own calls after. */
const WINDOW = ['--since', '2026-02-02T08:01:00Z', '--until', '2026-02-02T08:05:00Z'];

beforeAll(async () => {
  ({ sim, admin, intruder } = await simWithAdminAndIntruder('lake-hunt'));
  // A store that has held the account's management events since the day before.
  storeArn = layEventDataStore(sim.state, VICTIM_ACCOUNT, {
    name: 'account-events',
    holdsSince: '2026-02-01T00:00:00Z',
  }).arn;
  const s3 = new S3Client({ ...sdkConfigOf(admin), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: TRAIL }));
  const ct = new CloudTrailClient(sdkConfigOf(admin));
  await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: TRAIL, IsMultiRegionTrail: true }));
  await ct.send(new StartLoggingCommand({ Name: 'main' }));
  ct.destroy();
  sim.clock.advance(60_000);
  // A call whose requestParameters nest objects (Lake keeps them as JSON text in its map).
  const ec2 = new EC2Client(sdkConfigOf(intruder));
  await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
  ec2.destroy();
  await callsThenDelivery(sim, [
    [intruder, 'us-east-1', 3],
    [intruder, 'eu-west-1', 2],
    [admin, 'eu-west-1', 2],
  ]);
  root = mkdtempSync(join(tmpdir(), 'tq-lake-hunt-'));
  await downloadBucket(s3, TRAIL, join(root, 'bucket'));
  s3.destroy();
}, 60_000);

afterAll(async () => {
  await sim.stop();
  rmSync(root, { recursive: true, force: true });
});

function sdkConfigOf(creds: { accessKeyId: string; secretAccessKey: string }) {
  return { region: 'us-east-1', endpoint: sim.endpoint, credentials: creds, maxAttempts: 1 };
}

const LAKE = () => ['--engine', 'lake', '--event-data-store', storeArn];

async function rows(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const store = await openEventStore(join(root, file), { readOnly: true });
  try {
    return await store.query(sql);
  } finally {
    store.close();
  }
}

const ids = (file: string) => rows(file, 'SELECT eventid FROM cloudtrail_events ORDER BY eventid');

interface LakeDoc {
  records: number;
  engine: string;
  coverage: { status: string; reason: string | null; source: string; records: number }[];
  lake: { queries: { queryId: string; status: string; bytesScanned: number; resultSha256: string | null }[] };
}

describe('hunt and collect --engine lake over the simulated event data store', () => {
  it('finds the same event ids as a local hunt of the trail files, and the same records', async () => {
    for (const [name, filter] of [
      ['key', ['--key', intruder.accessKeyId]],
      ['all', WINDOW],
    ] as const) {
      const local = await huntJson(sim, admin, root, [
        join(root, 'bucket'),
        ...filter,
        '--store',
        `local-${name}.duckdb`,
      ]);
      expect(local.code, local.err).toBe(0);
      const lake = await huntJson(sim, admin, root, [...LAKE(), ...filter, '--store', `lake-${name}.duckdb`]);
      expect(lake.code, lake.err).toBe(0);
      expect(lake.err).toMatch(/^CloudTrail Lake has no dry run: .*known only after it ends/m);
      const doc = JSON.parse(lake.out) as LakeDoc;
      expect(doc.engine).toBe('lake');
      expect(doc.coverage.map((c) => c.status)).toEqual(['complete']);
      const q = doc.lake.queries[0]!;
      expect(doc.coverage[0]!.source).toBe(`lake ${storeArn} query ${q.queryId}`);
      expect(q.bytesScanned).toBeGreaterThan(0);
      expect(q.resultSha256).toMatch(/^[0-9a-f]{64}$/);
      const found = await ids(`lake-${name}.duckdb`);
      expect(found).toEqual(await ids(`local-${name}.duckdb`));
      expect(found.length).toBe(name === 'key' ? 6 : 8);
    }
    // The records rebuilt from Lake's columns are the trail's, field for field, but for one thing
    // Lake's map<string,string> cannot carry back: a number in requestParameters comes back as text.
    const columns = `eventid, eventtime, eventname, eventsource, awsregion, sourceipaddress, useragent,
      useridentity, readonly, resources, recipientaccountid, eventcategory, tlsdetails, responseelements,
      CASE WHEN eventname = 'DescribeInstances' THEN NULL ELSE requestparameters END AS requestparameters`;
    const sql = `SELECT ${columns} FROM cloudtrail_events ORDER BY eventid`;
    expect(await rows('lake-all.duckdb', sql)).toEqual(await rows('local-all.duckdb', sql));
    const nested = `SELECT requestparameters FROM cloudtrail_events WHERE eventname = 'DescribeInstances'`;
    expect(await rows('local-all.duckdb', nested)).toEqual([
      { requestparameters: '{"instancesSet":{},"filterSet":{},"maxResults":5}' },
    ]);
    expect(await rows('lake-all.duckdb', nested)).toEqual([
      { requestparameters: '{"instancesSet":{},"filterSet":{},"maxResults":"5"}' },
    ]);
    const sources = await rows('lake-key.duckdb', 'SELECT DISTINCT sourcekind FROM cloudtrail_events');
    expect(sources).toEqual([{ sourcekind: 'lake' }]);
  }, 60_000);

  it('reports a query Lake does not finish with its id and reason, coverage partial (exit 3)', async () => {
    sim.state.limits.lakeQueryTimeoutMs = 0;
    try {
      const run = await huntJson(sim, admin, root, [...LAKE(), '--key', intruder.accessKeyId]);
      expect(run.code, run.err).toBe(3);
      const doc = JSON.parse(run.out) as LakeDoc;
      const q = doc.lake.queries[0]!;
      expect(q.status).toBe('TIMED_OUT');
      expect(doc.coverage[0]).toMatchObject({
        status: 'failed',
        source: `lake ${storeArn} query ${q.queryId}`,
      });
      expect(doc.coverage[0]!.reason).toMatch(
        new RegExp(`^Lake query ${q.queryId} TIMED_OUT: Query timed out`),
      );
      expect(doc.records).toBe(0);
    } finally {
      sim.state.limits.lakeQueryTimeoutMs = 3_600_000;
    }
  }, 30_000);

  it('refuses a missing or unknown store and --max-scan with one line and exit 2', async () => {
    for (const [args, line] of [
      [['--engine', 'lake'], /^error: --engine lake needs --event-data-store ARN\|ID\.$/],
      [
        ['--engine', 'lake', '--event-data-store', '00000000-0000-4000-8000-000000000000'],
        /^error: --event-data-store 00000000-0000-4000-8000-000000000000: no such event data store here \(EventDataStoreNotFoundException: .*\)\.$/,
      ],
      [
        [...LAKE(), '--max-scan', '1GB'],
        /^error: --max-scan is for --engine athena: CloudTrail Lake has no dry run/,
      ],
    ] as const) {
      const run = await huntJson(sim, admin, root, [...args]);
      expect(run.code, run.err).toBe(2);
      expect(run.err.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
        expect.stringMatching(line) as unknown,
      ]);
    }
  }, 30_000);

  it('collect --engine lake loads the window into a case, with coverage in the ledger and the query in evidence', async () => {
    const caseDir = join(root, 'case');
    CaseFolder.create(caseDir, {
      clock: systemClock,
      subject: { input: intruder.accessKeyId, kind: 'access-key' },
    }).close();
    const run = await runCli(['collect', '--case', caseDir, ...LAKE(), ...WINDOW, '--json'], {
      endpoint: sim.endpoint,
      creds: admin,
      root,
      clock: quickPolls,
    });
    expect(run.code, run.err).toBe(0);
    const doc = JSON.parse(run.out) as { storedEvents: number; coverage: { status: string }[] };
    expect(doc.storedEvents).toBe(8);
    expect(doc.coverage.map((c) => c.status)).toEqual(['complete']);
    const ledger = JSON.parse(readFileSync(join(caseDir, 'coverage.json'), 'utf8')) as { entries: unknown[] };
    expect(ledger.entries).toHaveLength(1);
    const kept = readdirSync(join(caseDir, 'evidence', 'lake'));
    expect(kept).toHaveLength(1);
    const evidence = readFileSync(join(caseDir, 'evidence', 'lake', kept[0]!), 'utf8');
    expect(evidence).toMatch(/"resultSha256": "[0-9a-f]{64}"/);
    expect(evidence).toMatch(/"bytesScanned": [1-9]/);
  }, 30_000);

  it('sent only valid Trino SQL', () => {
    const sent = Object.values(sim.state.account(VICTIM_ACCOUNT)!.cloudtrail.lakeQueries ?? {}).map(
      (q) => q.statement,
    );
    expect(sent.length).toBeGreaterThanOrEqual(4);
    for (const sql of sent) expect(() => parseAthenaSql(sql), sql).not.toThrow();
  });
});
