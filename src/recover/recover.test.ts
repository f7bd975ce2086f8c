import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GetLoginProfileCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli.js';
import { verifyCase } from '../case/verify.js';
import { createUserWithKey, startSim, VICTIM_ACCOUNT, type RunningSim } from '../sim/index.js';
import { runAws } from '../sim/test-support/aws.js';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
}

let sim: RunningSim;
let responder: Creds;
let root: string;

const cli = (args: string[]) => runCli(args, { endpoint: sim.endpoint, creds: responder, root });

/** Every byte of every file of a case (the event store included). */
function caseBytes(dir: string): string {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    text += statSync(path).isDirectory() ? caseBytes(path) : readFileSync(path, 'latin1');
  }
  return text;
}

const iam = (creds: Creds) =>
  new IAMClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: creds, maxAttempts: 1 });

beforeAll(async () => {
  sim = await startSim({ port: 0, seed: 'recover', lookupEventsPerSecond: 100 });
  root = mkdtempSync(join(tmpdir(), 'tq-recover-'));
  responder = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: [ADMIN] }).key;
});
afterAll(() => sim.stop());

describe('tourniquet recover against the simulated account', () => {
  it('a new key and password shown once (or 0600 to --secret-out), never in the case; secrets rotated; deny-all lifted; the old key deleted only with --delete-old', async () => {
    const victim = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'ci-bot', { managedPolicies: [ADMIN] }).key;
    await iam(responder).send(
      new CreateLoginProfileCommand({ UserName: 'ci-bot', Password: 'Old-Passw0rd!x' }),
    );
    const sm = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: sim.endpoint,
      credentials: responder,
      maxAttempts: 1,
    });
    const rotating = (await sm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: 'db-pass-1' })))
      .ARN!;
    await sm.send(
      new RotateSecretCommand({
        SecretId: rotating,
        RotationLambdaARN: `arn:aws:lambda:us-east-1:${VICTIM_ACCOUNT}:function:rotate-db`,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    await sm.send(new CreateSecretCommand({ Name: 'prod/api', SecretString: 'api-token-1' }));
    // Readable by the key too, but not read: the blast radius names them, marked "could".
    await sm.send(new CreateSecretCommand({ Name: 'prod/unread', SecretString: 'never-read-1' }));
    const ssm = new SSMClient({
      region: 'us-east-1',
      endpoint: sim.endpoint,
      credentials: responder,
      maxAttempts: 1,
    });
    await ssm.send(
      new PutParameterCommand({ Name: '/prod/db-password', Value: 'pw-1', Type: 'SecureString' }),
    );
    await ssm.send(new PutParameterCommand({ Name: '/prod/region', Value: 'us-east-1', Type: 'String' }));
    // The attacker reads both secrets with the leaked key.
    sim.state.setApparentIp(victim.accessKeyId, '203.0.113.9');
    const stolen = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: sim.endpoint,
      credentials: victim,
      maxAttempts: 1,
    });
    for (const SecretId of ['prod/db', 'prod/api'])
      await stolen.send(new GetSecretValueCommand({ SecretId }));
    await iam(victim).send(new ListUsersCommand({}));
    await iam(victim).send(new CreateUserCommand({ UserName: 'backdoor-x' }));
    await iam(victim).send(new AttachUserPolicyCommand({ UserName: 'backdoor-x', PolicyArn: ADMIN }));
    await iam(victim).send(new CreateAccessKeyCommand({ UserName: 'backdoor-x' }));

    const caseDir = join(root, 'case-recover');
    expect((await cli(['triage', victim.accessKeyId, '--case', caseDir])).code).toBe(0);
    expect((await cli(['contain', '--case', caseDir, '--apply'])).code).toBe(0);
    expect((await cli(['collect', '--case', caseDir])).code).toBe(0);
    expect((await cli(['investigate', '--case', caseDir])).code).toBeLessThan(2);
    expect((await cli(['scope', '--case', caseDir])).code).toBeLessThan(2);

    // The plan changes nothing and names the secrets read.
    const planned = await cli(['recover', '--case', caseDir, '--json']);
    const plan = JSON.parse(planned.out) as {
      state: string;
      plan: { steps: { action: string; refused?: string }[] };
      secretsToRotate: { id: string; read: boolean }[];
    };
    expect(plan.state).toBe('planned');
    expect(plan.plan.steps.map((s) => s.action)).toEqual([
      'rotate-access-key',
      'reset-console-password',
      'rotate-secret',
      'rotate-secret',
      'rotate-secret',
    ]);
    expect(plan.plan.steps.filter((s) => /no rotation function/.test(s.refused ?? ''))).toHaveLength(2);
    // Read (events) or could read (blast radius); the plain String parameter is no secret.
    expect(plan.secretsToRotate.map((s) => [s.id, s.read]).sort()).toEqual([
      ['/prod/db-password', false],
      ['prod/api', true],
      ['prod/db', true],
      ['prod/unread', false],
    ]);
    expect(
      (await iam(responder).send(new ListAccessKeysCommand({ UserName: 'ci-bot' }))).AccessKeyMetadata,
    ).toHaveLength(1);

    const out = join(root, 'new-credentials.txt');
    const applied = await cli(['recover', '--case', caseDir, '--apply', '--secret-out', out]);
    expect(applied.err).not.toMatch(/error/);
    expect(applied.code).toBe(3); // the secret without rotation is left to a person
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const written = readFileSync(out, 'utf8');
    const [newId, newSecret] = /^(AKIA[A-Z0-9]+):(\S+)$/m.exec(written)!.slice(1) as [string, string];
    const password = written.split('\n')[3]!;
    expect(password).toMatch(/^.{24}$/);
    expect(applied.out).not.toContain(newSecret);
    expect(applied.out).toMatch(/New credentials written to .*new-credentials\.txt \(mode 0600\)/);
    expect(applied.out).toMatch(/Containment lifted/);
    // The new key works (the official CLI), the old one does not, the owner must change the password.
    const fresh = { accessKeyId: newId, secretAccessKey: newSecret };
    const who = await runAws(sim, fresh, [
      'sts',
      'get-caller-identity',
      '--query',
      'Arn',
      '--output',
      'text',
    ]);
    expect(who.stdout.trim()).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:user/ci-bot`);
    expect((await runAws(sim, victim, ['sts', 'get-caller-identity'])).stderr).toContain(
      'InvalidClientTokenId',
    );
    expect(
      (await iam(responder).send(new GetLoginProfileCommand({ UserName: 'ci-bot' }))).LoginProfile!
        .PasswordResetRequired,
    ).toBe(true);
    // Deny-all lifted: the owner works again with the new key; the old sessions stay revoked.
    await iam(fresh).send(new ListUsersCommand({}));
    await expect(
      iam(responder).send(new GetUserPolicyCommand({ UserName: 'ci-bot', PolicyName: 'TourniquetDenyAll' })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await iam(responder).send(
      new GetUserPolicyCommand({ UserName: 'ci-bot', PolicyName: 'AWSRevokeOlderSessions' }),
    );
    // The rotating secret has a new current version; the old key is still there, inactive.
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }));
    const awareness = (JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as { awareness: string })
      .awareness;
    expect(Date.parse(described.LastRotatedDate!.toISOString())).toBeGreaterThan(Date.parse(awareness));
    const keys = (await iam(responder).send(new ListAccessKeysCommand({ UserName: 'ci-bot' })))
      .AccessKeyMetadata!;
    expect(keys.map((k) => [k.AccessKeyId, k.Status]).sort()).toEqual(
      [
        [newId, 'Active'],
        [victim.accessKeyId, 'Inactive'],
      ].sort(),
    );

    // --delete-old: the compromised key goes; the new one stays.
    const deleted = await cli([
      'recover',
      '--case',
      caseDir,
      '--apply',
      '--delete-old',
      '--secret-out',
      join(root, 'second.txt'),
    ]);
    expect(deleted.err).not.toMatch(/error/);
    const after = (
      await iam(responder).send(new ListAccessKeysCommand({ UserName: 'ci-bot' }))
    ).AccessKeyMetadata!.map((k) => k.AccessKeyId);
    expect(after).not.toContain(victim.accessKeyId);
    expect(after).toHaveLength(2);

    // No secret lands anywhere in the case: journal, plans, evidence, reports, the event store.
    expect((await cli(['collect', '--case', caseDir])).code).toBeLessThan(2);
    expect(
      (
        await cli([
          'report',
          '--case',
          caseDir,
          '--kind',
          'full',
          '--format',
          'html',
          '--out',
          join(caseDir, 'r.html'),
        ])
      ).code,
    ).toBeOneOf([0, 3]); // 3 when collect's coverage was partial
    const everything = caseBytes(caseDir);
    for (const secret of [
      newSecret,
      password,
      ...readFileSync(join(root, 'second.txt'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.replace(/^AKIA[A-Z0-9]+:/, '')),
    ])
      expect(everything).not.toContain(secret);
    expect((await verifyCase(caseDir)).ok).toBe(true);
  });

  it('without --secret-out the new credentials are printed once on stdout, never in the log; a user with two keys needs --delete-old', async () => {
    const victim = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'two-keys', { managedPolicies: [ADMIN] }).key;
    const second = (await iam(responder).send(new CreateAccessKeyCommand({ UserName: 'two-keys' })))
      .AccessKey!;
    await iam(victim).send(new ListUsersCommand({}));
    const caseDir = join(root, 'case-two');
    expect((await cli(['triage', victim.accessKeyId, '--case', caseDir])).code).toBe(0);
    const refused = await cli(['recover', '--case', caseDir, '--apply']);
    expect(refused.out).toMatch(
      /two-keys already has two access keys: delete the old one first \(--delete-old\)/,
    );
    expect(
      (await iam(responder).send(new ListAccessKeysCommand({ UserName: 'two-keys' }))).AccessKeyMetadata,
    ).toHaveLength(2);

    const done = await cli(['recover', '--case', caseDir, '--apply', '--delete-old']);
    expect(done.code).toBe(0);
    const match = /new access key (AKIA[A-Z0-9]+) of two-keys: AKIA[A-Z0-9]+:(\S+)/.exec(done.out)!;
    expect(done.err).not.toContain(match[2]);
    const keys = (await iam(responder).send(new ListAccessKeysCommand({ UserName: 'two-keys' })))
      .AccessKeyMetadata!.map((k) => k.AccessKeyId)
      .sort();
    expect(keys).toEqual([match[1], second.AccessKeyId].sort());
    expect(caseBytes(caseDir)).not.toContain(match[2]);
  });
});
