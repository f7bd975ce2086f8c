import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientPool } from '../../aws/pool.js';
import { CaseFolder } from '../../case/case.js';
import { systemClock, type Clock } from '../../clock.js';
import { silentLogger, silentProgress } from '../../context.js';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../../sim/index.js';
import { STORE_FILE, openEventStore } from '../../store/store.js';
import { collectCloudTrail } from '../../trail/collect.js';
import { LOOKUP_SOURCE } from '../../trail/lookup.js';
import { collectEvidence } from '../../playbook/collect.js';
import { main } from '../main.js';
import { denyLookupEventsIn } from '../../test-support/policies.js';

let sim: RunningSim;
let root: string;
let alice: { accessKeyId: string; secretAccessKey: string };
let responder: { accessKeyId: string; secretAccessKey: string };
let clock: Clock;

const ADMIN = { managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] };

beforeAll(async () => {
  // A running simulated clock; LookupEvents paced as on AWS (2/s per region).
  sim = await startSim({ port: 0, seed: 4, clock: new SimClock({ start: '2026-11-20T10:00:00Z' }) });
  clock = { now: () => sim.clock.now(), sleep: (ms) => systemClock.sleep(ms) };
  alice = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'alice', ADMIN).key;
  responder = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', ADMIN).key;
  const bob = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'bob', ADMIN).key;
  const calls = async (creds: typeof alice, region: string, n: number, iam = false): Promise<void> => {
    const config = { region, endpoint: sim.endpoint, credentials: creds, maxAttempts: 1 };
    const client = iam ? new IAMClient(config) : new EC2Client(config);
    for (let i = 0; i < n; i++) {
      if (client instanceof IAMClient) await client.send(new ListUsersCommand({}));
      else await client.send(new DescribeVpcsCommand({}));
    }
    client.destroy();
  };
  // Enough in two regions for several LookupEvents pages (50 events each), a few elsewhere,
  // IAM calls (global: recorded in us-east-1), and someone else's calls that must not be collected.
  await calls(alice, 'us-east-1', 70);
  await calls(alice, 'eu-west-1', 60);
  await calls(alice, 'ap-southeast-2', 3);
  await calls(alice, 'us-east-1', 4, true);
  await calls(bob, 'eu-west-1', 12);
});
afterAll(async () => {
  await sim.stop();
});

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tq-collect-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

/** What the account recorded for alice's key: the truth a collection must equal. */
function recordedForAlice(): string[] {
  return sim.state
    .accountOrThrow(VICTIM_ACCOUNT)
    .cloudtrail.events.filter(
      (r) =>
        (r.userIdentity as { accessKeyId?: string }).accessKeyId === alice.accessKeyId &&
        r.eventCategory === 'Management',
    )
    .map((r) => r.eventID)
    .sort();
}

function newCase(name: string): CaseFolder {
  return CaseFolder.create(join(root, name), {
    clock,
    subject: {
      input: alice.accessKeyId,
      kind: 'access-key',
      accessKeyId: alice.accessKeyId,
      userName: 'alice',
    },
  });
}

async function storedIds(caseDir: string): Promise<{ ids: string[]; rows: number }> {
  const store = await openEventStore(join(caseDir, STORE_FILE), { readOnly: true });
  try {
    const rows = await store.query<{ eventid: string }>(
      'SELECT eventid FROM cloudtrail_events ORDER BY eventid',
    );
    return { ids: [...new Set(rows.map((r) => r.eventid))], rows: rows.length };
  } finally {
    store.close();
  }
}

async function pool(): Promise<ClientPool> {
  return ClientPool.create(
    { endpointUrl: sim.endpoint, region: 'us-east-1', credentials: responder },
    systemClock,
  );
}

describe('collect --source api against the simulated account', () => {
  it('collects from every enabled region exactly what the account recorded for the key', async () => {
    const truth = recordedForAlice();
    expect(truth.length).toBe(137);
    const folder = newCase('full');
    const aws = await pool();
    try {
      const result = await collectCloudTrail(
        { clock, log: silentLogger, progress: silentProgress, case: folder, aws },
        { sources: ['api'] },
      );
      expect(result.interrupted).toBe(false);
      expect(result.incomplete).toBe(false);
      // 17 regions x (access key id, user name), every one complete.
      expect(result.coverage).toHaveLength(34);
      expect(result.coverage.every((c) => c.status === 'complete')).toBe(true);
      expect(
        result.coverage.find((c) => c.region === 'eu-west-1' && c.scope.startsWith('AccessKeyId'))!.records,
      ).toBe(60);
    } finally {
      aws.destroy();
      folder.close();
    }
    const stored = await storedIds(folder.dir);
    expect(stored.ids).toEqual(truth);
    expect(stored.rows).toBe(truth.length);
    // Every page is evidence with its sha256.
    const manifest = readFileSync(join(folder.dir, 'evidence', 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(manifest.length).toBeGreaterThanOrEqual(8);
    expect(manifest.every((l) => /"sha256":"[0-9a-f]{64}"/.test(l))).toBe(true);
  });

  it("keeps the playbook's 90-day window complete when the clock moves between its readings", async () => {
    // The playbook counts its window back 90 days from its own reading of the clock; the
    // collection then reads the clock again. A millisecond between the two once made every
    // LookupEvents line partial ("events before … need the trail bucket"), about one demo in two.
    let tick = 0;
    const ticking: Clock = {
      now: () => new Date(clock.now().getTime() + ++tick),
      sleep: (ms) => clock.sleep(ms),
    };
    const folder = newCase('ticking');
    const aws = await pool();
    try {
      const result = await collectEvidence(
        { clock: ticking, log: silentLogger, progress: silentProgress, case: folder, aws },
        { keys: [alice.accessKeyId], userName: 'alice', account: VICTIM_ACCOUNT },
      );
      const lookups = result.coverage.filter((c) => c.source === LOOKUP_SOURCE);
      expect(lookups.length).toBeGreaterThanOrEqual(17);
      expect(lookups.filter((c) => c.status !== 'complete')).toEqual([]);
    } finally {
      aws.destroy();
      folder.close();
    }
    expect((await storedIds(folder.dir)).ids).toEqual(recordedForAlice());
  });

  it('resumes an interrupted collection from its checkpoint, without duplicates or refetching', async () => {
    const folder = newCase('resume');
    const aws = await pool();
    const controller = new AbortController();
    const before: string[] = [];
    const after: string[] = [];
    let withEvents = 0;
    // The same window both times, so a page number names the same page of the same query.
    const until = clock.now().toISOString();
    try {
      const first = await collectCloudTrail(
        { clock, log: silentLogger, progress: silentProgress, case: folder, aws },
        {
          sources: ['api'],
          until,
          signal: controller.signal,
          onPage: (scope, page, events) => {
            before.push(`${scope.region}/${scope.key}/${page}`);
            if (events > 0 && ++withEvents === 2) controller.abort();
          },
        },
      );
      expect(first.interrupted).toBe(true);
      expect(first.incomplete).toBe(true);
      expect(first.storedEvents).toBeGreaterThan(0);
      expect(first.storedEvents).toBeLessThan(137);

      const second = await collectCloudTrail(
        { clock, log: silentLogger, progress: silentProgress, case: folder, aws },
        {
          sources: ['api'],
          until,
          onPage: (scope, page) => after.push(`${scope.region}/${scope.key}/${page}`),
        },
      );
      expect(second.interrupted).toBe(false);
      expect(second.incomplete).toBe(false);
    } finally {
      aws.destroy();
      folder.close();
    }
    // Pages stored before the interruption were not asked for again.
    expect(withEvents).toBeGreaterThanOrEqual(2); // pages already in flight finish
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    const stored = await storedIds(folder.dir);
    expect(stored.ids).toEqual(recordedForAlice());
    expect(stored.rows).toBe(137);
    const paths = readFileSync(join(folder.dir, 'evidence', 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { path: string }).path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('marks coverage partial and exits 3 when a region is denied (through the CLI)', async () => {
    const denied = createUserWithKey(sim.state, VICTIM_ACCOUNT, `responder-${Date.now()}`, {
      ...ADMIN,
      inlinePolicies: {
        'no-eu-west-1': denyLookupEventsIn('eu-west-1'),
      },
    }).key;
    const folder = newCase('denied');
    folder.close();
    vi.stubEnv('AWS_ACCESS_KEY_ID', denied.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', denied.secretAccessKey);
    let out = '';
    let err = '';
    const code = await main(
      ['collect', '--case', folder.dir, '--endpoint-url', sim.endpoint, '--region', 'us-east-1', '--json'],
      {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (err += s) },
        env: {},
        cwd: root,
        clock,
      },
    );
    expect(err).not.toMatch(/please report/i);
    expect(code).toBe(3);
    const doc = JSON.parse(out) as {
      coverage: { region: string; scope: string; status: string; reason: string | null }[];
      storedEvents: number;
    };
    const eu = doc.coverage.filter((c) => c.region === 'eu-west-1');
    expect(eu).toHaveLength(2);
    for (const c of eu) {
      expect(c.status).toBe('partial');
      expect(c.reason).toMatch(/AccessDenied/);
    }
    expect(doc.coverage.filter((c) => c.status !== 'complete')).toHaveLength(2);
    // Everything outside eu-west-1 was still collected.
    expect(doc.storedEvents).toBe(recordedForAlice().length - 60);
  });
});
