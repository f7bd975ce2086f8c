import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { checkCleanState } from './clean.js';
import { listScenarios, loadScenario, type LoadedScenario } from './index.js';
import { verifyTruth } from './test-support/verify.js';
import type { Credentials } from './types.js';
import { W } from './world.js';

const END = '2026-11-20T12:00:00Z';

async function load(seed: number, name = 'role-chain'): Promise<{ sim: RunningSim; loaded: LoadedScenario }> {
  const sim = await startSim({
    seed,
    lookupEventsPerSecond: 10_000,
    clock: new SimClock({ start: END, frozen: true }),
  });
  return { sim, loaded: await loadScenario(sim, name, { seed }) };
}

const cfg = (sim: RunningSim, creds: Credentials, region = 'us-east-1') => ({
  region,
  endpoint: sim.endpoint,
  credentials: creds,
  maxAttempts: 1,
});

const doc = (statement: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: statement });

describe('role-chain', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load(21)));
  afterAll(() => sim.stop());

  it('derives four sessions from the key, all in the truth and working at the end', async () => {
    const t = loaded.truth;
    await verifyTruth(sim, loaded);
    expect(t.derivedSessions.map((s) => [s.kind, s.arn])).toEqual([
      ['assumed-role', `arn:aws:sts::${W.account}:assumed-role/${W.deployRole}/sam-debug`],
      ['assumed-role', `arn:aws:sts::${W.prod}:assumed-role/${W.prodRole}/sam-debug`],
      ['federated-user', `arn:aws:sts::${W.account}:federated-user/backup-sync`],
      ['session-token', `arn:aws:iam::${W.account}:user/${W.devUser}`],
    ]);
    const [deploy, prod] = t.derivedSessions;
    expect(deploy!.sourceAccessKeyId).toBe(t.leakedAccessKeyId);
    expect(prod!.sourceAccessKeyId).toBe(deploy!.accessKeyId);
    // The cross-account AssumeRole is seen by both accounts.
    expect(
      t.attackerEvents
        .filter((e) => e.eventName === 'AssumeRole')
        .map((e) => e.accountId)
        .sort(),
    ).toEqual([W.account, W.account, W.prod].sort());
  });

  it('contains exactly as AWS: key → InvalidClientTokenId; user sessions need a deny; role sessions a revocation', async () => {
    const t = loaded.truth;
    const responder = loaded.responderCredentials;
    const session = (kind: string, account = W.account) =>
      loaded.attackerSessions[
        t.derivedSessions.find((s) => s.kind === kind && s.accountId === account)!.accessKeyId
      ]!;
    const deploy = session('assumed-role');
    const prod = session('assumed-role', W.prod);
    const federated = session('federated-user');
    const token = session('session-token');
    const listBuckets = (c: Credentials) =>
      new S3Client({ ...cfg(sim, c), forcePathStyle: true }).send(new ListBucketsCommand({}));
    const iam = new IAMClient(cfg(sim, responder));

    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: W.devUser,
        AccessKeyId: t.leakedAccessKeyId!,
        Status: 'Inactive',
      }),
    );
    await expect(
      new STSClient(cfg(sim, loaded.leakedCredentials!)).send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
    await expect(
      new EC2Client(cfg(sim, token)).send(new DescribeInstancesCommand({})),
    ).resolves.toBeDefined();
    await expect(listBuckets(federated)).resolves.toBeDefined();

    await iam.send(
      new PutUserPolicyCommand({
        UserName: W.devUser,
        PolicyName: 'DenyAll',
        PolicyDocument: doc([{ Effect: 'Deny', Action: '*', Resource: '*' }]),
      }),
    );
    await iam.send(
      new PutUserPolicyCommand({
        UserName: W.devUser,
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: doc([
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { DateLessThan: { 'aws:TokenIssueTime': t.end } },
          },
        ]),
      }),
    );
    await expect(listBuckets(token)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(listBuckets(federated)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(listBuckets(deploy)).resolves.toBeDefined();
    await expect(listBuckets(prod)).resolves.toBeDefined();

    await iam.send(
      new PutRolePolicyCommand({
        RoleName: W.deployRole,
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: doc([
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { DateLessThan: { 'aws:TokenIssueTime': t.end } },
          },
        ]),
      }),
    );
    await expect(listBuckets(deploy)).rejects.toMatchObject({ name: 'AccessDenied' });
    // The production account's role session lives on until that account revokes it too.
    await expect(listBuckets(prod)).resolves.toBeDefined();
    expect(checkCleanState(sim.state, t).unmet).toEqual([
      { check: 'sessionsRevoked', roleName: W.prodRole, account: W.prod },
    ]);
  });
});

describe('determinism', () => {
  it('gives the same account and truth for the same seed, and other ids for another seed', async () => {
    const a = await load(5);
    const b = await load(5);
    const c = await load(6);
    try {
      expect(JSON.stringify(a.loaded.truth)).toBe(JSON.stringify(b.loaded.truth));
      const events = (r: { sim: RunningSim }) =>
        JSON.stringify(r.sim.state.accountOrThrow(W.account).cloudtrail.events);
      expect(events(a)).toBe(events(b));
      expect(c.loaded.truth.leakedAccessKeyId).not.toBe(a.loaded.truth.leakedAccessKeyId);
      expect(c.loaded.truth.attackerEvents.map((e) => e.eventName)).toEqual(
        a.loaded.truth.attackerEvents.map((e) => e.eventName),
      );
    } finally {
      await Promise.all([a.sim.stop(), b.sim.stop(), c.sim.stop()]);
    }
  });

  it('lists the scenarios and refuses an unknown one', async () => {
    expect(listScenarios().map((s) => s.name)).toEqual([
      'cryptomining',
      'persistence',
      'exfiltration',
      'defense-evasion',
      'role-chain',
      'console-takeover',
      'hostile-strings',
      'backdoors',
      'llmjacking',
      'ses-spam',
      'sms-pumping',
      's3-ransomware',
      'rds-exfil',
      'quiet',
    ]);
    const sim = await startSim({ seed: 1 });
    try {
      await expect(loadScenario(sim, 'nope')).rejects.toThrow(/unknown scenario 'nope'/);
      await loadScenario(sim, 'quiet');
      await expect(loadScenario(sim, 'quiet')).rejects.toThrow(/already holds a scenario/);
    } finally {
      await sim.stop();
    }
  });
});
