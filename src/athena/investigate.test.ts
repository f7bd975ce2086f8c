import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseFolder, readCaseFile } from '../case/case.js';
import { systemClock, type Clock } from '../clock.js';
import type { Finding } from '../detect/finding.js';
import type { Investigation } from '../detect/investigate.js';
import { ALICE_KEY, scenarioRecords } from '../detect/test-support/scenario.js';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../sim/index.js';
import { sdkConfig, type Creds } from '../sim/test-support/aws.js';
import { STORE_FILE, openEventStore } from '../store/store.js';
import { runCli } from '../test-support/cli.js';
import { ingestPaths } from '../trail/ingest.js';
import type { QueryEvidence } from './load.js';
import { parseAthenaSql } from './test-support/trino.js';

// The detection scenario (src/detect/test-support/scenario.ts): three weeks of the owner's routine,
// then an intrusion on 2024-05-20 in two accounts. The CLI's clock stands on 2024-05-25, so the
// default 90-day window covers it.
const NOW = new Date('2024-05-25T00:00:00Z');
const clock: Clock = { now: () => new Date(NOW), sleep: (ms) => systemClock.sleep(Math.min(ms, 10)) };
const BUCKET = 'trail-logs';
/** The bucket of a trail that logs us-east-1 only (the scenario also acts in ap-southeast-3). */
const ONE_REGION = 'one-region-trail';
const ATHENA = [
  '--engine',
  'athena',
  '--source',
  `s3://${BUCKET}`,
  '--athena-output',
  's3://athena-results/tq/',
];

let sim: RunningSim;
let root: string;
let admin: Creds;
let s3: S3Client;

/** The scenario as CloudTrail delivers it: one file per account, region and day. */
function trailFiles(records: Record<string, unknown>[]): Map<string, Buffer> {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of records) {
    const account = String(r.recipientAccountId);
    const region = String(r.awsRegion);
    const day = String(r.eventTime).slice(0, 10).replace(/-/g, '/');
    const key = `AWSLogs/${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${day.replace(/\//g, '')}T0000Z_scenario.json.gz`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return new Map([...groups].map(([k, list]) => [k, gzipSync(JSON.stringify({ Records: list }))]));
}

beforeAll(async () => {
  sim = await startSim({
    port: 0,
    seed: 'athena-investigate',
    clock: new SimClock({ start: '2024-05-25T00:00:00Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  s3 = new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true });
  for (const b of [BUCKET, ONE_REGION, 'athena-results'])
    await s3.send(new CreateBucketCommand({ Bucket: b }));
  root = mkdtempSync(join(tmpdir(), 'tq-athena-investigate-'));
  for (const [key, body] of trailFiles(scenarioRecords())) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    if (key.includes('/us-east-1/'))
      await s3.send(new PutObjectCommand({ Bucket: ONE_REGION, Key: key, Body: body }));
    mkdirSync(join(root, 'bucket', key, '..'), { recursive: true });
    writeFileSync(join(root, 'bucket', key), body);
  }
}, 60_000);

afterAll(async () => {
  s3.destroy();
  await sim.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A case for the scenario's key; with `collected`, its store holds every record (as `collect` leaves it). */
async function newCase(name: string, o: { subject: boolean; collected: boolean }): Promise<string> {
  const dir = join(root, name);
  CaseFolder.create(dir, {
    clock: systemClock,
    ...(o.subject ? { subject: { input: ALICE_KEY, kind: 'access-key', accessKeyId: ALICE_KEY } } : {}),
  }).close();
  if (o.collected) {
    const store = await openEventStore(join(dir, STORE_FILE));
    await ingestPaths(store, [join(root, 'bucket')]);
    store.close();
  }
  return dir;
}

function investigate(dir: string, args: string[] = []) {
  return runCli(['investigate', '--case', dir, '--json', ...args], {
    endpoint: sim.endpoint,
    creds: admin,
    root,
    clock,
  });
}

type Doc = Investigation & { athena?: { queries: Omit<QueryEvidence, 'sql'>[]; tables: string[] } };

/** What a finding says, without its ordering-free parts. */
function essence(f: Finding) {
  return [f.ruleId, f.severity, f.principal, f.attributed ?? null, [...f.eventIds].sort().join(',')].join(
    ' ',
  );
}

/** The statements the case kept as evidence: exactly what was sent to Athena. */
function sentStatements(dir: string): QueryEvidence[] {
  const folder = join(dir, 'evidence', 'athena');
  return readdirSync(folder)
    .filter((f) => f.startsWith('investigate-queries-'))
    .flatMap(
      (f) => (JSON.parse(readFileSync(join(folder, f), 'utf8')) as { queries: QueryEvidence[] }).queries,
    );
}

describe('investigate --engine athena', () => {
  it("runs the rules in Athena over the bucket in place: the same findings, attribution and timeline as the local store's", async () => {
    const local = await investigate(await newCase('local', { subject: true, collected: true }));
    expect(local.code, local.err).toBe(0);
    const dir = await newCase('athena', { subject: true, collected: true });
    const athena = await investigate(dir, ATHENA);
    expect(athena.code, athena.err).toBe(0);
    const [l, a] = [JSON.parse(local.out) as Doc, JSON.parse(athena.out) as Doc];
    expect(a.findings.map(essence).sort()).toEqual(l.findings.map(essence).sort());
    // The bundled Sigma rules ran in Athena too (here all repeat built-in findings, and are named on them).
    const sigma = (list: Finding[]) =>
      list.flatMap((f) => (f.alsoMatched ?? []).map((m) => `${f.id} ${m.ruleId}`)).sort();
    expect(sigma(a.findings).length).toBeGreaterThan(0);
    expect(sigma(a.findings)).toEqual(sigma(l.findings));
    expect(a.findings.filter((f) => f.attributed).length).toBeGreaterThan(3);
    expect(a.window).toEqual(l.window);
    expect(a.timeline).toEqual(l.timeline);
    expect(a.ruleFailures).toEqual([]);
    // The scan estimate comes before any statement; every statement succeeded and left its evidence.
    expect(athena.err).toMatch(
      /Athena scan estimate: .* \(.* in 6 objects, read by each of at least 2 statements/,
    );
    expect(a.athena!.tables).toEqual(['cloudtrail_trail_logs']);
    const queries = a.athena!.queries;
    expect(queries.length).toBeGreaterThanOrEqual(2);
    for (const q of queries) {
      expect(q.state).toBe('SUCCEEDED');
      expect(q.resultSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(q.scannedBytes).toBeGreaterThan(0);
    }
    // What was sent is Trino, reads the table's day partitions, and is what the case kept.
    const sent = sentStatements(dir);
    expect(sent.map((q) => q.queryId)).toEqual(queries.map((q) => q.queryId));
    for (const q of sent) {
      expect(() => parseAthenaSql(q.sql), q.sql.slice(0, 300)).not.toThrow();
      expect(q.sql).toMatch(
        /^WITH cloudtrail_events AS \(\n {2}SELECT .* FROM "tourniquet"\."cloudtrail_trail_logs" WHERE "timestamp" >= '2024\/02\/25' AND "timestamp" <= '2024\/05\/26'/,
      );
    }
    const store = await openEventStore(join(dir, STORE_FILE), { readOnly: true });
    try {
      const kept = await store.query<{ queryid: string }>(
        'SELECT queryid FROM athena_queries ORDER BY finishedat',
      );
      expect(kept.map((r) => r.queryid).sort()).toEqual(queries.map((q) => q.queryId).sort());
    } finally {
      store.close();
    }
  }, 120_000);

  it('needs no local events: with nothing collected and no subject, the findings are the whole store’s', async () => {
    const local = await investigate(await newCase('local-all', { subject: false, collected: true }), [
      '--no-sigma',
    ]);
    expect(local.code, local.err).toBe(0);
    const dir = await newCase('athena-all', { subject: false, collected: false });
    const athena = await investigate(dir, [...ATHENA, '--no-sigma']);
    expect(athena.code, athena.err).toBe(0);
    const [l, a] = [JSON.parse(local.out) as Doc, JSON.parse(athena.out) as Doc];
    expect(a.findings.length).toBeGreaterThan(5);
    expect(a.findings.map(essence).sort()).toEqual(l.findings.map(essence).sort());
    // Both accounts of the bucket were read (the cross-account session's calls are in the second).
    expect(new Set(a.findings.flatMap((f) => (f.principal ?? '').split(':')[4] ?? ''))).toContain(
      '444455556666',
    );
  }, 60_000);

  it('keeps what the case store holds beyond the bucket (LookupEvents in a region the trail does not log), folding what both hold', async () => {
    const local = await investigate(await newCase('local-2', { subject: true, collected: true }), [
      '--no-sigma',
    ]);
    expect(local.code, local.err).toBe(0);
    const dir = await newCase('one-region', { subject: true, collected: true });
    const athena = await investigate(dir, [...ATHENA, '--no-sigma', '--source', `s3://${ONE_REGION}`]);
    expect(athena.code, athena.err).toBe(0);
    const [l, a] = [JSON.parse(local.out) as Doc, JSON.parse(athena.out) as Doc];
    expect(a.findings.map(essence).sort()).toEqual(l.findings.map(essence).sort());
    expect(a.findings.some((f) => f.region === 'ap-southeast-3' && f.attributed)).toBe(true);
    expect(a.athena!.tables).toEqual(['cloudtrail_one_region_trail']);
  }, 60_000);

  it('refuses a scan above --max-scan in one line with exit 2, before any statement', async () => {
    const dir = await newCase('limited', { subject: true, collected: true });
    const refused = await investigate(dir, [...ATHENA, '--no-sigma', '--max-scan', '1KB']);
    expect(refused.code).toBe(2);
    expect(refused.err.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      expect.stringMatching(
        /^error: The Athena queries would scan .* above --max-scan 1\.0 KB: narrow --since\/--until, raise --max-scan, or pass --yes\.$/,
      ),
    ]);
    expect(existsSync(join(dir, 'evidence', 'athena'))).toBe(false);
    expect(readCaseFile(dir).phases.investigate).toBeUndefined();
  });

  it('names the query Athena failed and its reason, keeps the investigation, and exits 3 (partial)', async () => {
    const key = `AWSLogs/${VICTIM_ACCOUNT}/CloudTrail/us-east-1/2024/05/21/${VICTIM_ACCOUNT}_CloudTrail_us-east-1_20240521T0000Z_damaged.json.gz`;
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: gzipSync('{"Records": [ {"eventID": ') }),
    );
    const dir = await newCase('damaged', { subject: true, collected: true });
    const run = await investigate(dir, [...ATHENA, '--no-sigma']);
    expect(run.code, run.err).toBe(3);
    const doc = JSON.parse(run.out) as Doc;
    const [failed] = doc.athena!.queries;
    expect(failed!.state).toBe('FAILED');
    expect(failed!.reason).toContain('HIVE_CURSOR_ERROR');
    // The gate statement failed: every rule is named with it, none run blind.
    expect(doc.athena!.queries).toHaveLength(1);
    expect(doc.ruleFailures.length).toBeGreaterThan(50);
    expect(new Set(doc.ruleFailures.map((f) => f.error))).toEqual(
      new Set([expect.stringContaining(`Athena query ${failed!.queryId} FAILED: HIVE_CURSOR_ERROR`)]),
    );
    expect(existsSync(join(dir, 'investigation.json'))).toBe(true);
  });
});
