import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  ListUsersCommand,
  AttachUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, withoutJournalHead } from '../test-support/cli.js';
import { applyPlan, makePlan } from '../actions/engine.js';
import { eradicationRegistry } from '../actions/eradicate/index.js';
import { ClientPool } from '../aws/pool.js';
import { CaseFolder } from '../case/case.js';
import { verifyCase } from '../case/verify.js';
import type { Clock } from '../clock.js';
import { silentLogger } from '../context.js';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../sim/index.js';
import type { WatchAlert } from './alerts.js';
import { readWatch } from './state.js';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const MIN = 60_000;
const HOUR = 60 * MIN;
const ATTACKER_IP = '203.0.113.66';
const OFFICE_IP = '198.51.100.7';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Something the world does at a virtual time while the watch sleeps. */
interface Happening {
  at: number;
  what: string;
  run: () => Promise<void>;
  done?: number;
}

let sim: RunningSim;
let responder: Creds;
let root: string;
let world: Happening[] = [];
/** Throw from the clock at this virtual time: the process dies mid-watch. */
let dieAt: number | undefined;

/**
 * The tool's clock is the simulated account's: a poll's sleep moves virtual time, and whatever
 * the world does in that interval happens then, at its own time.
 */
const clock: Clock = {
  now: () => sim.clock.now(),
  async sleep(ms) {
    const target = sim.clock.nowMs() + ms;
    for (const h of world.filter((x) => x.done === undefined && x.at <= target).sort((a, b) => a.at - b.at)) {
      sim.clock.set(Math.max(h.at, sim.clock.nowMs()));
      await h.run();
      h.done = sim.clock.nowMs();
    }
    if (dieAt !== undefined && target >= dieAt) {
      // Time goes on while the process is dead.
      dieAt = undefined;
      sim.clock.set(target);
      throw new Error('process killed');
    }
    sim.clock.set(target);
  },
};

function iamAs(creds: Creds, ip: string, userAgent?: string): IAMClient {
  sim.state.setApparentIp(creds.accessKeyId, ip);
  return new IAMClient({
    region: 'us-east-1',
    endpoint: sim.endpoint,
    credentials: creds,
    maxAttempts: 1,
    ...(userAgent ? { customUserAgent: userAgent } : {}),
  });
}

const cli = (args: string[]) => runCli(args, { endpoint: sim.endpoint, creds: responder, root, clock });

/** A webhook receiver on loopback, as Slack's would be. */
async function webhook(): Promise<{
  url: string;
  bodies: { text: string; tourniquet: { alert: WatchAlert } }[];
  close(): Promise<void>;
}> {
  const bodies: { text: string; tourniquet: { alert: WatchAlert } }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      expect(req.method).toBe('POST');
      expect(req.headers['content-type']).toBe('application/json');
      bodies.push(JSON.parse(body) as (typeof bodies)[number]);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret-token`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Every file of a case, as text (for secret greps). */
function caseText(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) text += caseText(path);
    else if (!name.endsWith('.duckdb')) text += readFileSync(path, 'latin1');
  }
  return text;
}

beforeAll(async () => {
  sim = await startSim({
    port: 0,
    seed: 'watch',
    clock: new SimClock({ start: '2026-03-01T08:00:00Z', frozen: true }),
    lookupEventsPerSecond: 10_000,
  });
  root = mkdtempSync(join(tmpdir(), 'tq-watch-'));
  responder = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: [ADMIN] }).key;
});
afterAll(() => sim.stop());

describe('tourniquet watch on the virtual clock', () => {
  it('48 h of polling: re-entry with the leaked key and through a backdoor left in place are each alerted within one poll; a restart alerts nothing twice; the webhook gets the JSON', async () => {
    // The incident: a leaked admin key; the attacker makes a backdoor key, a user, and reads.
    const victim = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'ci-bot', { managedPolicies: [ADMIN] }).key;
    const owner = iamAs(victim, OFFICE_IP);
    await owner.send(new ListUsersCommand({}));
    sim.clock.advance(2 * HOUR);
    const attacker = iamAs(victim, ATTACKER_IP, 'evil-agent/6.6');
    await attacker.send(new ListUsersCommand({}));
    await attacker.send(new CreateUserCommand({ UserName: 'svc-extra' }));
    await attacker.send(new AttachUserPolicyCommand({ UserName: 'svc-extra', PolicyArn: ADMIN }));
    const made = (await attacker.send(new CreateAccessKeyCommand({ UserName: 'ci-bot' }))).AccessKey!;
    const backdoor = { accessKeyId: made.AccessKeyId!, secretAccessKey: made.SecretAccessKey! };
    sim.clock.advance(30 * MIN);

    // The response: triage, contain (the backdoor key deliberately left), collect, investigate,
    // and the attacker's user eradicated.
    const caseDir = join(root, 'case-watch');
    expect((await cli(['triage', victim.accessKeyId, '--case', caseDir])).code).toBe(0);
    const contained = await cli([
      'contain',
      '--case',
      caseDir,
      '--apply',
      '--skip',
      `deactivate-access-key:${VICTIM_ACCOUNT}:${backdoor.accessKeyId}`,
      '--skip',
      'user-deny-all',
      '--skip',
      'user-revoke-sessions',
    ]);
    expect(withoutJournalHead(contained.err)).toBe('');
    expect((await cli(['collect', '--case', caseDir])).code).toBe(0);
    expect((await cli(['investigate', '--case', caseDir])).code).toBeLessThan(2);
    const pool = await ClientPool.create(
      { endpointUrl: sim.endpoint, region: 'us-east-1', credentials: responder },
      clock,
    );
    const folder = CaseFolder.open(caseDir, { clock });
    try {
      const env = { clock, log: silentLogger, poolFor: () => Promise.resolve(pool) };
      const plan = await makePlan(env, folder, eradicationRegistry, 'eradicate', [
        { action: 'delete-iam-user', account: VICTIM_ACCOUNT, params: { userName: 'svc-extra' } },
      ]);
      expect((await applyPlan(env, folder, eradicationRegistry, plan)).verified).toBe(true);
    } finally {
      folder.close();
      pool.destroy();
    }

    // A trail logs the customer bucket's object reads (data events reach only the trail bucket).
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: sim.endpoint,
      credentials: responder,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    for (const Bucket of ['trail-logs', 'customer-data']) await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket: 'customer-data', Key: 'customers.csv', Body: 'a,b\n' }));
    const ct = new CloudTrailClient({
      region: 'us-east-1',
      endpoint: sim.endpoint,
      credentials: responder,
      maxAttempts: 1,
    });
    await ct.send(
      new CreateTrailCommand({ Name: 'data', S3BucketName: 'trail-logs', IsMultiRegionTrail: true }),
    );
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: 'data',
        EventSelectors: [
          {
            ReadWriteType: 'All',
            IncludeManagementEvents: false,
            DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::customer-data/'] }],
          },
        ],
      }),
    );
    await ct.send(new StartLoggingCommand({ Name: 'data' }));
    sim.clock.advance(MIN);

    // During the watch: the leaked key comes back (refused), the owner works as usual, the
    // backdoor key is used from a new address, re-creates the removed user, reads customer data.
    const start = sim.clock.nowMs();
    const hook = await webhook();
    const ownerNew = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'ci-bot-2', {
      managedPolicies: [ADMIN],
    }).key;
    world = [
      {
        at: start + HOUR + 7 * MIN,
        what: 'leaked key',
        run: async () => {
          await expect(iamAs(victim, ATTACKER_IP).send(new ListUsersCommand({}))).rejects.toMatchObject({
            name: 'InvalidClientTokenId',
          });
        },
      },
      {
        at: start + 3 * HOUR,
        what: 'owner',
        run: async () => void (await iamAs(ownerNew, OFFICE_IP).send(new ListUsersCommand({}))),
      },
      {
        // The responder checks by hand with the AWS CLI's own user agent, from the same address.
        at: start + 5 * HOUR,
        what: 'responder',
        run: async () =>
          void (await iamAs(responder, ATTACKER_IP, 'aws-cli/2.9.19').send(new ListUsersCommand({}))),
      },
      {
        at: start + 20 * HOUR + 2 * MIN,
        what: 'backdoor',
        run: async () =>
          void (await new STSClient({
            region: 'us-east-1',
            endpoint: sim.endpoint,
            credentials: backdoor,
            maxAttempts: 1,
          }).send(new GetCallerIdentityCommand({}))),
      },
      {
        at: start + 30 * HOUR + 11 * MIN,
        what: 're-creation',
        run: async () =>
          void (await iamAs(backdoor, '192.0.2.200').send(new CreateUserCommand({ UserName: 'svc-extra' }))),
      },
      {
        at: start + 40 * HOUR + 3 * MIN,
        what: 'data read',
        run: async () =>
          void (await new S3Client({
            region: 'us-east-1',
            endpoint: sim.endpoint,
            credentials: backdoor,
            forcePathStyle: true,
            maxAttempts: 1,
          }).send(new GetObjectCommand({ Bucket: 'customer-data', Key: 'customers.csv' }))),
      },
    ];
    sim.state.setApparentIp(backdoor.accessKeyId, '192.0.2.99');
    dieAt = start + 24 * HOUR;
    const first = await cli([
      'watch',
      '--case',
      caseDir,
      '--for',
      '48h',
      '--every',
      '5m',
      '--notify',
      hook.url,
    ]);
    expect(first.code).toBe(1);
    expect(first.err).toMatch(/process killed/);
    expect(first.err).toMatch(/ALERT CRITICAL .*ListUsers .*refused: InvalidClientTokenId/);
    const resumed = await cli(['watch', '--case', caseDir, '--notify', hook.url, '--json']);
    expect(resumed.err).toMatch(/Resuming watch-/);
    expect(resumed.code).toBe(4);
    const result = JSON.parse(resumed.out) as {
      finished: { verdict: string };
      alerts: WatchAlert[];
      newAlerts: WatchAlert[];
      polls: number;
    };

    // Each re-entry alerted within one poll (5 minutes) of the call, once.
    const byWhat = (what: string) => world.find((h) => h.what === what)!.done!;
    const alertFor = (pred: (a: WatchAlert) => boolean) => result.alerts.filter(pred);
    const leaked = alertFor((a) => a.accessKeyId === victim.accessKeyId);
    expect(leaked).toHaveLength(1);
    expect(Date.parse(leaked[0]!.detectedAt) - byWhat('leaked key')).toBeLessThanOrEqual(5 * MIN);
    const viaBackdoor = alertFor((a) => a.accessKeyId === backdoor.accessKeyId);
    expect(viaBackdoor.map((a) => a.eventName)).toEqual(['GetCallerIdentity', 'CreateUser', 'GetObject']);
    expect(Date.parse(viaBackdoor[0]!.detectedAt) - byWhat('backdoor')).toBeLessThanOrEqual(5 * MIN);
    expect(Date.parse(viaBackdoor[1]!.detectedAt) - byWhat('re-creation')).toBeLessThanOrEqual(5 * MIN);
    expect(viaBackdoor[1]!.reasons.join(' ')).toMatch(/names svc-extra again, which eradication removed/);
    // A data event reaches only the trail bucket, delivered up to one 5-minute file later.
    expect(Date.parse(viaBackdoor[2]!.detectedAt) - byWhat('data read')).toBeLessThanOrEqual(10 * MIN);
    // The owner's own new key raised nothing, nor did the responder's calls.
    expect(
      result.alerts.some(
        (a) => a.accessKeyId === ownerNew.accessKeyId || a.accessKeyId === responder.accessKeyId,
      ),
    ).toBe(false);
    // The restart raised only what the killed run had not.
    expect(result.newAlerts.map((a) => a.id)).toEqual([viaBackdoor[1]!.id, viaBackdoor[2]!.id]);
    expect(result.finished.verdict).toBe(
      '4 alert(s) during 48 h of watching: re-entry or new persistence seen',
    );
    expect(result.polls).toBeGreaterThan(250);
    const state = readWatch(caseDir)!;
    expect(state.polls).toBe(48 * 12 + 1);
    expect(new Set(state.alerts.map((a) => a.id)).size).toBe(state.alerts.length);

    // The webhook got every alert once, as Slack-compatible JSON.
    expect(hook.bodies.map((b) => b.tourniquet.alert.id).sort()).toEqual(
      state.alerts.map((a) => a.id).sort(),
    );
    expect(hook.bodies[0]!.text).toMatch(/^:rotating_light: Tourniquet watch \(case tq-/);
    await hook.close();
    // The webhook's secret path is never written to the case.
    expect(caseText(caseDir)).not.toContain('secret-token');
    expect((await verifyCase(caseDir)).ok).toBe(true);
    // 48 simulated hours of polls over every region, paced like LookupEvents (2 calls/s).
  }, 300_000);

  it('a quiet 48 h ends with "no re-entry for 48 h"; --once exits 0, then 4 on an alert, then 0 again', async () => {
    world = [];
    const victim = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'quiet-bot', {
      managedPolicies: [ADMIN],
    }).key;
    await iamAs(victim, ATTACKER_IP).send(new ListUsersCommand({}));
    sim.clock.advance(MIN);
    const caseDir = join(root, 'case-quiet');
    expect((await cli(['triage', victim.accessKeyId, '--case', caseDir])).code).toBe(0);
    const quiet = await cli(['watch', '--case', caseDir, '--every', '30m', '--json']);
    expect(quiet.code).toBe(0);
    expect((JSON.parse(quiet.out) as { finished: { verdict: string } }).finished.verdict).toBe(
      'no re-entry for 48 h',
    );
    // The reports say it.
    const report = await cli(['report', '--case', caseDir, '--kind', 'full']);
    expect(report.out).toMatch(/Watch for re-entry.*no re-entry for 48 h/);

    const cron = join(root, 'case-cron');
    expect((await cli(['triage', victim.accessKeyId, '--case', cron])).code).toBe(0);
    expect((await cli(['watch', '--case', cron, '--once'])).code).toBe(0);
    sim.clock.advance(5 * MIN);
    await iamAs(victim, ATTACKER_IP).send(new ListUsersCommand({}));
    sim.clock.advance(MIN);
    const alerted = await cli(['watch', '--case', cron, '--once']);
    expect(alerted.code).toBe(4);
    expect(alerted.out).toMatch(/ListUsers/);
    sim.clock.advance(5 * MIN);
    expect((await cli(['watch', '--case', cron, '--once'])).code).toBe(0);
  });

  it('a first --once soon after eradication does not alert on the attack itself, only on what follows', async () => {
    world = [];
    const victim = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'late-bot', {
      managedPolicies: [ADMIN],
    }).key;
    await iamAs(victim, ATTACKER_IP).send(new ListUsersCommand({}));
    sim.clock.advance(MIN);
    const caseDir = join(root, 'case-after-eradication');
    expect((await cli(['triage', victim.accessKeyId, '--case', caseDir])).code).toBe(0);
    const folder = CaseFolder.open(caseDir, { clock });
    try {
      folder.markPhase('eradicate', 'started');
    } finally {
      folder.close();
    }
    sim.clock.advance(MIN);
    // The attacker's call two minutes ago lies in the 5-minute look-back but before eradication.
    const first = await cli(['watch', '--case', caseDir, '--once']);
    expect(first.out).not.toMatch(/ListUsers/);
    expect(first.code).toBe(0);
    await iamAs(victim, ATTACKER_IP).send(new ListUsersCommand({}));
    sim.clock.advance(MIN);
    const again = await cli(['watch', '--case', caseDir, '--once']);
    expect(again.code).toBe(4);
    expect(again.out).toMatch(/ListUsers/);
  });
});
