import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../../aws/pool.js';
import { CaseFolder } from '../../case/case.js';
import { systemClock, type Clock } from '../../clock.js';
import { silentLogger, silentProgress } from '../../context.js';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../../sim/index.js';
import { STORE_FILE, openEventStore } from '../../store/store.js';
import { collectCloudTrail } from '../../trail/collect.js';

let sim: RunningSim;
let root: string;
let admin: { accessKeyId: string; secretAccessKey: string };
let clock: Clock;
/** Every delivered object: key → bytes. */
const delivered = new Map<string, Buffer>();

const BUCKET = 'trail-logs';

beforeAll(async () => {
  sim = await startSim({
    port: 0,
    seed: 'bucket',
    clock: new SimClock({ start: '2026-02-02T08:00:00Z', frozen: true }),
    lookupEventsPerSecond: 100,
  });
  clock = { now: () => sim.clock.now(), sleep: (ms) => systemClock.sleep(ms) };
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  const config = (region: string) => ({ region, endpoint: sim.endpoint, credentials: admin, maxAttempts: 1 });
  const s3 = new S3Client({ ...config('us-east-1'), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const ct = new CloudTrailClient(config('us-east-1'));
  await ct.send(
    new CreateTrailCommand({
      Name: 'main',
      S3BucketName: BUCKET,
      S3KeyPrefix: 'ct',
      IsMultiRegionTrail: true,
    }),
  );
  await ct.send(new StartLoggingCommand({ Name: 'main' }));
  for (const [region, n] of [
    ['us-east-1', 9],
    ['eu-west-1', 7],
    ['sa-east-1', 2],
  ] as const) {
    const ec2 = new EC2Client(config(region));
    for (let i = 0; i < n; i++) await ec2.send(new DescribeVpcsCommand({}));
  }
  sim.clock.advance(5 * 60_000);
  sim.deliverTrails({ force: true });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  for (const o of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
    delivered.set(o.Key!, Buffer.from(await got.Body!.transformToByteArray()));
  }
  s3.destroy();
  ct.destroy();
  root = mkdtempSync(join(tmpdir(), 'tq-bucket-'));
});
afterAll(async () => {
  await sim.stop();
  rmSync(root, { recursive: true, force: true });
});

function deliveredIds(): string[] {
  return [...delivered.values()]
    .flatMap(
      (b) => (JSON.parse(gunzipSync(b).toString('utf8')) as { Records: { eventID: string }[] }).Records,
    )
    .map((r) => r.eventID)
    .sort();
}

async function run(folder: CaseFolder, sources: string[]) {
  const aws = await ClientPool.create(
    { endpointUrl: sim.endpoint, region: 'us-east-1', credentials: admin },
    systemClock,
  );
  try {
    return await collectCloudTrail(
      { clock, log: silentLogger, progress: silentProgress, case: folder, aws },
      { sources, since: '2026-02-01T00:00:00Z', until: '2026-02-02T09:00:00Z' },
    );
  } finally {
    aws.destroy();
  }
}

describe('collect from the trail bucket of the simulated account', () => {
  it('finds the trail, downloads the window into evidence with sha256, loads every record, and resumes without refetching', async () => {
    expect(delivered.size).toBeGreaterThanOrEqual(3);
    const folder = CaseFolder.create(join(root, 'case'), { clock, subject: { input: 'x', kind: 'unknown' } });
    folder.update({ account: VICTIM_ACCOUNT });
    try {
      const first = await run(folder, ['trails']);
      expect(first.incomplete).toBe(false);
      const lines = first.coverage.filter((c) => c.source === `s3://${BUCKET}/ct/`);
      // One line per enabled region for the account, all complete.
      expect(lines).toHaveLength(17);
      expect(lines.every((c) => c.status === 'complete' && c.scope === `account ${VICTIM_ACCOUNT}`)).toBe(
        true,
      );
      expect(lines.find((c) => c.region === 'eu-west-1')!.records).toBeGreaterThanOrEqual(7);

      // Every object is in the evidence with the sha256 of the bytes in the bucket.
      const manifest = readFileSync(join(folder.dir, 'evidence', 'manifest.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { path: string; sha256: string; source: string });
      for (const [key, bytes] of delivered) {
        const entry = manifest.find((m) => m.source === `s3://${BUCKET}/${key}`);
        expect(entry?.sha256, key).toBe(createHash('sha256').update(bytes).digest('hex'));
      }

      const again = await run(folder, [`s3://${BUCKET}/ct`]);
      expect(again.incomplete).toBe(false);
      const after = readFileSync(join(folder.dir, 'evidence', 'manifest.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(after).toHaveLength(manifest.length); // nothing downloaded twice
    } finally {
      folder.close();
    }
    const store = await openEventStore(join(folder.dir, STORE_FILE), { readOnly: true });
    try {
      const rows = await store.query<{ eventid: string; sourcekind: string; sourceref: string }>(
        'SELECT eventid, sourcekind, sourceref FROM cloudtrail_events ORDER BY eventid',
      );
      expect(rows.map((r) => r.eventid)).toEqual(deliveredIds());
      expect(
        rows.every((r) => r.sourcekind === 's3' && r.sourceref.startsWith(`s3://${BUCKET}/ct/AWSLogs/`)),
      ).toBe(true);
    } finally {
      store.close();
    }
  });

  it('names a bucket without CloudTrail folders as failed coverage', async () => {
    const folder = CaseFolder.create(join(root, 'empty'), {
      clock,
      subject: { input: 'x', kind: 'unknown' },
    });
    try {
      const result = await run(folder, [`s3://${BUCKET}/elsewhere`]);
      expect(result.incomplete).toBe(true);
      expect(result.coverage).toEqual([
        expect.objectContaining({
          status: 'failed',
          reason: expect.stringMatching(/no CloudTrail folder/) as string,
        }),
      ]);
    } finally {
      folder.close();
    }
  });
});
