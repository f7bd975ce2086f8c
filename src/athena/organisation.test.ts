import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../sim/index.js';
import { createOrganization } from '../sim/services/organizations/index.js';
import { sdkConfig, type Creds } from '../sim/test-support/aws.js';
import { callsThenDelivery, downloadBucket } from '../sim/test-support/buckets.js';
import { openEventStore } from '../store/store.js';
import { huntJson } from './test-support/cli.js';

const PROD = '222233334444';
const LOG_ARCHIVE = '444455556666';
const BUCKET = 'org-trail-logs';
const ATHENA = ['--engine', 'athena', '--athena-output', 's3://athena-results/tq/'];

let sim: RunningSim;
let root: string;
let orgId: string;
let management: Creds;
let prodAdmin: Creds;
let prodDeveloper: Creds;
let archivist: Creds;
let keys: string[];

beforeAll(async () => {
  sim = await startSim({
    port: 0,
    seed: 'athena-organisation',
    clock: new SimClock({ start: '2026-03-03T09:00:00Z', frozen: true }),
  });
  sim.state.addAccount(PROD, 'prod');
  sim.state.addAccount(LOG_ARCHIVE, 'log-archive');
  orgId = createOrganization(sim.state, {
    management: VICTIM_ACCOUNT,
    members: [
      { account: PROD, ou: 'Workloads' },
      { account: LOG_ARCHIVE, ou: 'Security' },
    ],
  }).id;
  const admin = { managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] };
  management = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', admin).key;
  prodAdmin = createUserWithKey(sim.state, PROD, 'admin', admin).key;
  prodDeveloper = createUserWithKey(sim.state, PROD, 'developer', admin).key;
  archivist = createUserWithKey(sim.state, LOG_ARCHIVE, 'admin', admin).key;
  const s3 = new S3Client({ ...sdkConfig(sim, archivist), forcePathStyle: true });
  for (const b of [BUCKET, 'athena-results']) await s3.send(new CreateBucketCommand({ Bucket: b }));
  const ct = new CloudTrailClient(sdkConfig(sim, management));
  await ct.send(
    new CreateTrailCommand({
      Name: 'organisation',
      S3BucketName: BUCKET,
      IsMultiRegionTrail: true,
      IsOrganizationTrail: true,
    }),
  );
  await ct.send(new StartLoggingCommand({ Name: 'organisation' }));
  ct.destroy();
  await callsThenDelivery(sim, [
    [prodDeveloper, 'us-east-1', 3],
    [prodDeveloper, 'eu-west-1', 2],
    [prodAdmin, 'eu-west-1', 1],
    [management, 'us-east-1', 2],
  ]);
  root = mkdtempSync(join(tmpdir(), 'tq-athena-org-'));
  keys = await downloadBucket(s3, BUCKET, join(root, 'bucket'));
  s3.destroy();
}, 60_000);

afterAll(async () => {
  await sim.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Hunts run in the log-archive account, which owns the organisation's trail bucket. */
function hunt(args: string[], creds = archivist) {
  return huntJson(sim, creds, root, args);
}

async function stored(file: string): Promise<{ eventid: string; recipientaccountid: string }[]> {
  const store = await openEventStore(join(root, file), { readOnly: true });
  try {
    return await store.query('SELECT eventid, recipientaccountid FROM cloudtrail_events ORDER BY eventid');
  } finally {
    store.close();
  }
}

describe('an organisation trail', () => {
  it("is made by the management account only, and shows as one; a member's attempt gets CloudTrail's error", async () => {
    const ct = new CloudTrailClient(sdkConfig(sim, management));
    const { trailList } = await ct.send(new DescribeTrailsCommand({}));
    ct.destroy();
    expect(trailList?.map((t) => [t.Name, t.IsOrganizationTrail])).toEqual([['organisation', true]]);
    const member = new CloudTrailClient(sdkConfig(sim, prodAdmin));
    await expect(
      member.send(new CreateTrailCommand({ Name: 'mine', S3BucketName: BUCKET, IsOrganizationTrail: true })),
    ).rejects.toMatchObject({ name: 'NotOrganizationMasterAccountException' });
    member.destroy();
  });

  it("delivers every account's files under AWSLogs/<o-id>/<account>/CloudTrail/<region>/", () => {
    const layout = keys.map((k) => k.split('/').slice(0, 5).join('/'));
    expect([...new Set(layout)].sort()).toEqual([
      `AWSLogs/${orgId}/${VICTIM_ACCOUNT}/CloudTrail/us-east-1`,
      `AWSLogs/${orgId}/${PROD}/CloudTrail/eu-west-1`,
      `AWSLogs/${orgId}/${PROD}/CloudTrail/us-east-1`,
    ]);
    for (const k of keys) expect(k.split('/').at(-1)).toMatch(new RegExp(`^${k.split('/')[2]}_CloudTrail_`));
  });

  it('is hunted by Athena (one projected table for the organisation folder) with the same event ids as locally', async () => {
    for (const [name, filter] of [
      ['key', ['--key', prodDeveloper.accessKeyId]],
      ['all', ['--since', '2026-03-03', '--until', '2026-03-04']],
    ] as const) {
      const local = await hunt([join(root, 'bucket'), ...filter, '--store', `local-${name}.duckdb`]);
      expect(local.code, local.err).toBe(0);
      const athena = await hunt([`s3://${BUCKET}`, ...ATHENA, ...filter, '--store', `athena-${name}.duckdb`]);
      expect(athena.code, athena.err).toBe(0);
      const made = name === 'key' ? 'created' : 'unchanged';
      expect(athena.err).toContain(`(organisation trail ${orgId}): ${made}.\n`);
      expect(athena.err).toMatch(/in \d+ objects, 3 queries/);
      const tables = (JSON.parse(athena.out) as { athena: { tables: string[] } }).athena.tables;
      expect(tables).toEqual([`cloudtrail_${BUCKET.replace(/-/g, '_')}_${orgId.replace('-', '_')}`]);
      const events = await stored(`athena-${name}.duckdb`);
      expect(events).toEqual(await stored(`local-${name}.duckdb`));
      const accounts = [...new Set(events.map((e) => e.recipientaccountid))].sort();
      expect(accounts).toEqual(name === 'key' ? [PROD] : [VICTIM_ACCOUNT, PROD].sort());
      if (name === 'key') expect(events).toHaveLength(5);
    }
  }, 60_000);

  it("says in one line that another account's bucket was denied (and how to read it) or the credentials are unusable", async () => {
    const denied = await hunt([`s3://${BUCKET}`, ...ATHENA, '--key', prodDeveloper.accessKeyId], management);
    expect(denied.code).toBe(1);
    expect(denied.err.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      `error: Listing s3://${BUCKET} was denied (AccessDenied): an organisation's trail bucket usually sits in its log-archive account.`,
    ]);
    expect(denied.err).toMatch(/Run with credentials of the bucket's account \(--profile\)/);
    const unusable = await hunt([`s3://${BUCKET}`, ...ATHENA], {
      accessKeyId: 'AKIAEXAMPLEUNKNOWN01',
      secretAccessKey: 'not-a-secret',
    });
    expect(unusable.code).toBe(1);
    expect(unusable.err).toMatch(/^error: Cannot identify the AWS credentials Tourniquet runs on: /m);
    expect(unusable.err).not.toMatch(/bug in Tourniquet/);
  });
});
