import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { DeleteBucketCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListDelegatedAdministratorsCommand,
  ListPoliciesForTargetCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, createUserWithKey, startSim, type RunningSim } from '../index.js';
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
    // The production account's role session lives on until that account revokes it too, and the
    // user the attacker made there stays until it is removed there.
    await expect(listBuckets(prod)).resolves.toBeDefined();
    expect(checkCleanState(sim.state, t).unmet).toEqual([
      { check: 'sessionsRevoked', roleName: W.prodRole, account: W.prod },
      { check: 'userAbsent', userName: 'svc-replication', account: W.prod },
    ]);
  });
});

describe('role-chain: the organisation', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load(22)));
  afterAll(() => sim.stop());

  it('puts the victim account at the head of an organisation: members, SCPs, a delegated administrator', async () => {
    const responder = loaded.responderCredentials;
    const org = new OrganizationsClient(cfg(sim, responder));
    try {
      const { Organization } = await org.send(new DescribeOrganizationCommand({}));
      expect(Organization?.MasterAccountId).toBe(W.account);
      const { Accounts } = await org.send(new ListAccountsCommand({}));
      expect(Accounts?.map((a) => [a.Id, a.Name]).sort()).toEqual(
        [
          [W.account, 'victim'],
          [W.prod, 'victim-prod'],
          [W.logArchive, 'log-archive'],
          [W.tooling, 'security-tooling'],
        ].sort(),
      );
      const { DelegatedAdministrators } = await org.send(
        new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'guardduty.amazonaws.com' }),
      );
      expect(DelegatedAdministrators?.map((a) => a.Id)).toEqual([W.tooling]);
      const { Policies } = await org.send(
        new ListPoliciesForTargetCommand({ TargetId: W.logArchive, Filter: 'SERVICE_CONTROL_POLICY' }),
      );
      expect(Policies?.map((p) => p.Name).sort()).toEqual(['FullAWSAccess', 'protect-log-archive']);
    } finally {
      org.destroy();
    }
    // The SCPs bind members, administrators included: the log archive cannot be deleted from inside.
    const archiveAdmin = createUserWithKey(sim.state, W.logArchive, 'scp-probe', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    }).key;
    const archive = new S3Client({ ...cfg(sim, archiveAdmin), forcePathStyle: true });
    await expect(archive.send(new DeleteBucketCommand({ Bucket: W.orgTrailBucket }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    archive.destroy();
  });

  it("delivers every account's records, the attacker's calls in production included, to the log-archive bucket", async () => {
    const responder = loaded.responderCredentials;
    const ct = new CloudTrailClient(cfg(sim, responder));
    const { trailList } = await ct.send(new DescribeTrailsCommand({}));
    ct.destroy();
    expect(trailList?.find((t) => t.Name === W.orgTrail)).toMatchObject({
      IsOrganizationTrail: true,
      S3BucketName: W.orgTrailBucket,
    });
    const reader = createUserWithKey(sim.state, W.logArchive, 'auditor', {
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    }).key;
    const s3 = new S3Client({ ...cfg(sim, reader), forcePathStyle: true });
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: W.orgTrailBucket,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    s3.destroy();
    const accounts = new Set(keys.map((k) => k.split('/')[2]));
    expect(keys.every((k) => /^AWSLogs\/o-[a-z0-9]+\/\d{12}\/CloudTrail\//.test(k))).toBe(true);
    expect(accounts).toContain(W.account);
    expect(accounts).toContain(W.prod);
    // The attacker's calls in production are recorded in production's folder.
    expect(loaded.truth.attackerEvents.some((e) => e.accountId === W.prod)).toBe(true);
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
