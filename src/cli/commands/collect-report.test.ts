import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListUsersCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountPools } from '../../actions/accounts.js';
import { ClientPool } from '../../aws/pool.js';
import { CaseFolder } from '../../case/case.js';
import { systemClock, type Clock } from '../../clock.js';
import { silentLogger, silentProgress } from '../../context.js';
import { SimClock, createUserWithKey, startSim, VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import { EVENTS_TABLE } from '../../store/schema.js';
import { STORE_FILE, openEventStore, type EventStore } from '../../store/store.js';
import { collectCloudTrail, type CollectOptions } from '../../trail/collect.js';
import { readLedger } from '../../trail/coverage.js';
import { MAX_ROUNDS, type Derived } from '../../trail/follow.js';
import {
  ADMIN,
  attackerSessions,
  cli,
  deployRole,
  iam,
  simWithResponder,
  tempDir,
  victimUser,
  type Creds,
} from './contain.fixture.js';
import { denyLookupEventsIn } from '../../test-support/policies.js';

let sim: RunningSim;
let responder: Creds;
let victim: { arn: string; key: Creds };

beforeAll(async () => {
  ({ sim, responder } = await simWithResponder());
  victim = await victimUser(sim.endpoint, responder, 'ledger-bot');
  // The key's calls: three in eu-west-1, two in us-east-1, and IAM (global: logged in us-east-1).
  for (const [region, n] of [
    ['eu-west-1', 3],
    ['us-east-1', 2],
  ] as const) {
    const ec2 = new EC2Client({ region, endpoint: sim.endpoint, credentials: victim.key, maxAttempts: 1 });
    for (let i = 0; i < n; i++) await ec2.send(new DescribeVpcsCommand({}));
    ec2.destroy();
  }
  await iam(sim.endpoint, victim.key).send(new ListUsersCommand({}));
});
afterAll(async () => {
  await sim.stop();
});

/** A case for the victim's key, as triage leaves it. */
function newCase(cwd: string): string {
  const folder = CaseFolder.create(join(cwd, 'case'), {
    clock: systemClock,
    subject: {
      input: victim.key.accessKeyId,
      kind: 'access-key',
      accessKeyId: victim.key.accessKeyId,
      userName: 'ledger-bot',
    },
  });
  folder.close();
  return folder.dir;
}

interface Row {
  source: string;
  region: string;
  scope: string;
  state: string;
  records: string;
  why: string;
}

/** The rows of the report's coverage table (Markdown: Source | Region | Scope | From | To | State | Records | Why). */
function coverageRows(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const head = lines.findIndex((l) => /^\|\s*Source\s*\|\s*Region\s*\|\s*Scope\s*\|/.test(l));
  expect(head, 'the report has a coverage table').toBeGreaterThanOrEqual(0);
  const rows: Row[] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim());
    rows.push({
      source: cells[0]!,
      region: cells[1]!,
      scope: cells[2]!,
      state: cells[5]!,
      records: cells[6]!,
      why: cells[7]!,
    });
  }
  return rows;
}

describe('tourniquet collect, then tourniquet report', () => {
  it('reports the coverage collect recorded: every enabled region, complete', async () => {
    const cwd = tempDir();
    const dir = newCase(cwd);
    const collected = await cli(['collect', '--case', dir, '--json'], sim.endpoint, responder, cwd);
    expect(collected.err).not.toMatch(/please report/i);
    expect(collected.code).toBe(0);
    const doc = JSON.parse(collected.out) as { ledger: unknown[]; regions: string[] };
    expect(doc.regions).toHaveLength(17);
    // The ledger is in the case folder, in the format collect printed.
    expect(readLedger(dir)).toEqual(doc.ledger);

    const report = await cli(['report', '--case', dir, '--kind', 'full'], sim.endpoint, responder, cwd);
    expect(report.code).toBe(0);
    expect(report.out).not.toMatch(/collection has not run/);
    const rows = coverageRows(report.out);
    const lookups = rows.filter((r) => r.source === 'LookupEvents');
    // Each region asked by key and by user name, all complete.
    expect(new Set(lookups.map((r) => r.region))).toEqual(new Set(doc.regions));
    expect(lookups).toHaveLength(34);
    expect(lookups.every((r) => r.state === 'complete')).toBe(true);
    const byKey = (region: string) =>
      lookups.find((r) => r.region === region && r.scope === `AccessKeyId=${victim.key.accessKeyId}`);
    expect(byKey('eu-west-1')?.records).toBe('3');
    expect(Number(byKey('us-east-1')?.records)).toBeGreaterThanOrEqual(3);
    expect(byKey('sa-east-1')?.records).toBe('0');
  }, 60_000);

  it('a region denied: collect and report exit 3 and the report shows that region partial, with the reason', async () => {
    const denied = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder-no-eu', {
      managedPolicies: [ADMIN],
      inlinePolicies: {
        'no-eu-west-1': denyLookupEventsIn('eu-west-1'),
      },
    }).key;
    const cwd = tempDir();
    const dir = newCase(cwd);
    const collected = await cli(['collect', '--case', dir, '--json'], sim.endpoint, denied, cwd);
    expect(collected.code).toBe(3);

    const report = await cli(['report', '--case', dir, '--kind', 'full'], sim.endpoint, denied, cwd);
    expect(report.code).toBe(3); // partial coverage exits 3 in report as in collect
    expect(report.err).toMatch(/Coverage of the evidence is partial/);
    const rows = coverageRows(report.out);
    const partial = rows.filter((r) => r.state !== 'complete');
    expect(partial.map((r) => `${r.source} ${r.region} ${r.state}`)).toEqual([
      'LookupEvents eu-west-1 partial',
      'LookupEvents eu-west-1 partial',
    ]);
    for (const r of partial) expect(r.why).toMatch(/AccessDenied/);
    expect(rows.filter((r) => r.state === 'complete')).toHaveLength(32);
  }, 60_000);
});

describe('tourniquet respond', () => {
  it('leaves the same ledger as collect, and the report reads it', async () => {
    const cwd = tempDir();
    const other = await victimUser(sim.endpoint, responder, 'ledger-bot-2');
    await iam(sim.endpoint, other.key).send(new ListUsersCommand({}));
    const run = await cli(
      ['respond', other.key.accessKeyId, '--yes', '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    expect(run.err).not.toMatch(/please report/i);
    const r = JSON.parse(run.out) as { dir: string; coverage: { source: string; state: string }[] };
    const ledger = readLedger(r.dir);
    const lookups = ledger.filter((e) => e.source === 'LookupEvents' && e.scope === 'Username=ledger-bot-2');
    expect(lookups).toHaveLength(17);
    expect(lookups.every((e) => e.status === 'complete')).toBe(true);
    expect(lookups.find((e) => e.region === 'us-east-1')!.records).toBeGreaterThanOrEqual(1);
    // No trail in this account: the ledger says so instead of staying silent.
    expect(ledger).toContainEqual(expect.objectContaining({ source: 'trails', status: 'failed' }));
    // respond's result is the report's reading of that ledger, line for line.
    expect(r.coverage).toHaveLength(ledger.length);
    const report = await cli(['report', '--case', r.dir, '--kind', 'full'], sim.endpoint, responder, cwd);
    const rows = coverageRows(report.out).filter((x) => x.scope === 'Username=ledger-bot-2');
    expect(rows.map((x) => x.state)).toEqual(lookups.map(() => 'complete'));
  }, 60_000);

  it('an interrupted collection resumes: no region finished twice, no record stored twice, the ledger complete', async () => {
    const cwd = tempDir();
    const other = await victimUser(sim.endpoint, responder, 'ledger-bot-3');
    await iam(sim.endpoint, other.key).send(new ListUsersCommand({}));
    // Sessions the key minted: containment finds them and collection asks for each (4 queries per region).
    await attackerSessions(
      sim.endpoint,
      other.key,
      await deployRole(sim.endpoint, responder, other.arn, 'ledger-3'),
    );
    const lookups = (): { region: string; attribute: string; value: string; status: string }[] => {
      const root = join(cwd, 'cases');
      const [id] = existsSync(root) ? readdirSync(root) : [];
      const file = id ? join(root, id, 'journal.jsonl') : '';
      if (!file || !existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; data: never })
        .filter((e) => e.kind === 'collect.lookup')
        .map((e) => e.data);
    };
    // At AWS's pace: the collection must still be under way when the endpoint goes.
    const first = cli(['respond', other.key.accessKeyId, '--yes', '--json'], sim.endpoint, responder, cwd, 2);
    // The endpoint goes away once a few regions have finished.
    while (lookups().length < 3) await new Promise((r) => setTimeout(r, 20));
    const state = sim.state;
    await sim.stop();
    expect((await first).code).toBe(1);
    const before = lookups().length;
    sim = await startSim({ port: 0, state, lookupEventsPerSecond: 20 });

    const again = await cli(
      ['respond', other.key.accessKeyId, '--yes', '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    const r = JSON.parse(again.out) as { dir: string; resumed: boolean };
    expect(r.resumed).toBe(true);
    const finished = lookups().map((l) => `${l.region} ${l.attribute}=${l.value}`);
    expect(finished.length).toBeGreaterThan(before);
    expect(new Set(finished).size).toBe(finished.length);
    const ledger = readLedger(r.dir).filter((e) => e.scope === 'Username=ledger-bot-3');
    expect(ledger).toHaveLength(17);
    expect(ledger.every((e) => e.status === 'complete')).toBe(true);
    const store = await openEventStore(join(r.dir, STORE_FILE), { readOnly: true });
    try {
      const [row] = await store.query<{ n: number; ids: number }>(
        'SELECT count(*) AS n, count(DISTINCT eventid) AS ids FROM cloudtrail_events',
      );
      expect(row!.n).toBeGreaterThan(0);
      expect(row!.n).toBe(row!.ids);
    } finally {
      store.close();
    }
  }, 90_000);
});

describe('following derived credentials (src/trail/follow.ts)', () => {
  let fsim: RunningSim;
  let froot: string;
  let fclock: Clock;
  let fadmin: Creds;
  let alice: Creds;
  /** The session alice's key minted (GetSessionToken), which made calls of its own. */
  let session: string;
  let trailStarted: string;

  beforeAll(async () => {
    fsim = await startSim({
      port: 0,
      seed: 'follow',
      clock: new SimClock({ start: '2026-03-01T08:00:00Z', frozen: true }),
      lookupEventsPerSecond: 100,
    });
    fclock = { now: () => fsim.clock.now(), sleep: (ms) => systemClock.sleep(ms) };
    fadmin = createUserWithKey(fsim.state, VICTIM_ACCOUNT, 'admin', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    }).key;
    const config = (region: string, credentials: object) => ({
      region,
      endpoint: fsim.endpoint,
      credentials: credentials as typeof fadmin,
      maxAttempts: 1,
    });
    // A multi-region trail logging since day 1…
    const s3 = new S3Client({ ...config('us-east-1', fadmin), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'org-logs' }));
    const ct = new CloudTrailClient(config('us-east-1', fadmin));
    await ct.send(
      new CreateTrailCommand({ Name: 'all', S3BucketName: 'org-logs', IsMultiRegionTrail: true }),
    );
    await ct.send(new StartLoggingCommand({ Name: 'all' }));
    trailStarted = fsim.clock.now().toISOString();
    s3.destroy();
    ct.destroy();
    // …and two days later alice's key mints a session that works in eu-west-1.
    fsim.clock.advance(2 * 86_400_000);
    alice = createUserWithKey(fsim.state, VICTIM_ACCOUNT, 'alice', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    }).key;
    const sts = new STSClient(config('us-east-1', alice));
    const minted = (await sts.send(new GetSessionTokenCommand({}))).Credentials!;
    sts.destroy();
    session = minted.AccessKeyId!;
    const ec2 = new EC2Client(
      config('eu-west-1', {
        accessKeyId: minted.AccessKeyId!,
        secretAccessKey: minted.SecretAccessKey!,
        sessionToken: minted.SessionToken!,
      }),
    );
    for (let i = 0; i < 3; i++) await ec2.send(new DescribeVpcsCommand({}));
    ec2.destroy();
    fsim.clock.advance(10 * 60_000);
    fsim.deliverTrails({ force: true });
    froot = mkdtempSync(join(tmpdir(), 'tq-follow-'));
  });
  afterAll(async () => {
    await fsim.stop();
    rmSync(froot, { recursive: true, force: true });
  });

  /** A caller's idea of "derived": the keys GetSessionToken calls in the store minted. */
  async function keysInStore(store: EventStore): Promise<Derived> {
    const rows = await store.query<{ k: string }>(
      `SELECT DISTINCT json_extract_string(responseelements, '$.credentials.accessKeyId') AS k
       FROM ${EVENTS_TABLE} WHERE eventname = 'GetSessionToken' AND responseelements IS NOT NULL`,
    );
    return { targets: rows.map((r) => ({ key: 'AccessKeyId' as const, value: r.k })), otherAccounts: [] };
  }

  async function collect(name: string, options: Omit<CollectOptions, 'since' | 'lookup' | 'account'>) {
    const folder = CaseFolder.create(join(froot, name), {
      clock: fclock,
      subject: { input: 'x', kind: 'unknown' },
    });
    const aws = await ClientPool.create(
      { endpointUrl: fsim.endpoint, region: 'us-east-1', credentials: fadmin },
      systemClock,
    );
    try {
      const result = await collectCloudTrail(
        { clock: fclock, log: silentLogger, progress: silentProgress, case: folder, aws },
        {
          ...options,
          since: new Date(Date.parse(trailStarted) + 86_400_000).toISOString(),
          lookup: [{ key: 'AccessKeyId', value: alice.accessKeyId }],
          account: VICTIM_ACCOUNT,
        },
      );
      return { result, dir: folder.dir };
    } finally {
      aws.destroy();
      folder.close();
    }
  }

  it('asks LookupEvents for what the collected events derived, in a second round', async () => {
    const { result } = await collect('rounds', { sources: ['api'], follow: keysInStore });
    expect(result.lookedUp).toEqual([`AccessKeyId=${alice.accessKeyId}`, `AccessKeyId=${session}`]);
    const eu = result.coverage.find((c) => c.region === 'eu-west-1' && c.scope === `AccessKeyId=${session}`);
    expect(eu).toMatchObject({ status: 'complete', records: 3 });
    expect(result.incomplete).toBe(false);
  });

  it('spares the rounds when a multi-region trail logged the whole window and its bucket was read', async () => {
    const { result, dir } = await collect('bucket', { sources: ['trails', 'api'], follow: keysInStore });
    expect(result.lookedUp).toEqual([`AccessKeyId=${alice.accessKeyId}`]);
    const spared = readLedger(dir).find((e) => e.scope === 'derived credentials');
    expect(spared).toMatchObject({ source: 'LookupEvents', status: 'complete' });
    expect(spared?.reason).toContain(`AccessKeyId=${session}`);
    // The session's calls came from the bucket.
    const store = await openEventStore(join(dir, STORE_FILE), { readOnly: true });
    try {
      const rows = await store.query<{ sourcekind: string }>(
        `SELECT sourcekind FROM ${EVENTS_TABLE} WHERE useridentity.accesskeyid = ? AND eventname = 'DescribeVpcs'`,
        [session],
      );
      expect(rows.map((r) => r.sourcekind)).toEqual(['s3', 's3', 's3']);
    } finally {
      store.close();
    }
    expect(result.incomplete).toBe(false);
  });

  it('says in the ledger why another account the sessions reached could not be entered through the role', async () => {
    const home = await ClientPool.create(
      { endpointUrl: fsim.endpoint, region: 'us-east-1', credentials: fadmin },
      systemClock,
    );
    const pools = new AccountPools(home, VICTIM_ACCOUNT, systemClock, 'OrganizationAccountAccessRole');
    const there = (): Promise<Derived> =>
      Promise.resolve({
        targets: [],
        otherAccounts: ['444455556666'],
        elsewhere: [{ key: 'Username', value: 'ghost', account: '444455556666' }],
      });
    try {
      const { result } = await collect('elsewhere', {
        sources: ['api'],
        follow: there,
        poolFor: (a) => pools.poolFor(a),
      });
      expect(result.incomplete).toBe(true);
      const line = result.coverage.find((c) => c.source === 'account 444455556666');
      expect(line).toMatchObject({ status: 'partial', scope: 'derived sessions' });
      expect(line?.reason).toMatch(
        /^derived sessions acted in account 444455556666; it could not be entered \(.+\), so its CloudTrail was not collected: name a role there that trusts the responder with --account-role NAME$/,
      );
    } finally {
      await pools.destroy();
      home.destroy();
    }
  });

  it(`says so in the ledger when derivations go on past ${MAX_ROUNDS} rounds, and names other accounts`, async () => {
    let round = 0;
    const endless = (): Promise<Derived> =>
      Promise.resolve({
        targets: [{ key: 'Username', value: `ghost-${++round}` }],
        otherAccounts: ['444455556666'],
      });
    const { result } = await collect('endless', { sources: ['api'], follow: endless });
    expect(result.lookedUp).toHaveLength(MAX_ROUNDS);
    expect(result.incomplete).toBe(true);
    expect(result.coverage.filter((c) => c.status !== 'complete')).toEqual([
      expect.objectContaining({
        source: 'LookupEvents',
        scope: 'derived credentials',
        status: 'partial',
        reason: expect.stringContaining(`Username=ghost-${MAX_ROUNDS}`) as string,
      }),
      expect.objectContaining({ source: 'account 444455556666', status: 'partial' }),
    ]);
  });
});
