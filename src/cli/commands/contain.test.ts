import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contain } from '../../actions/contain.js';
import { runAws } from '../../sim/test-support/aws.js';
import { startLatencyProxy } from '../../actions/test-support/latency-proxy.js';
import { ClientPool } from '../../aws/pool.js';
import { CaseFolder } from '../../case/case.js';
import { systemClock } from '../../clock.js';
import { silentLogger, silentProgress } from '../../context.js';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetLoginProfileCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { withoutJournalHead } from '../../test-support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUserWithKey,
  EXTERNAL_ACCOUNT,
  startSim,
  VICTIM_ACCOUNT,
  type RunningSim,
} from '../../sim/index.js';
import {
  ADMIN,
  assumeRole,
  attackerSessions,
  cli,
  deployRole,
  iam,
  lookup,
  outcome,
  probe,
  recordedErrors,
  simWithResponder,
  sts,
  tempDir,
  victimUser,
  type Creds,
} from './contain.fixture.js';

let sim: RunningSim;
let responder: Creds;
let endpoint: string;
beforeAll(async () => {
  ({ sim, responder } = await simWithResponder());
  endpoint = sim.endpoint;
});
afterAll(async () => {
  await sim.stop();
});

interface ContainJson {
  state: string;
  plan: { steps: { id: string; action: string; noop: boolean; change: string; before: unknown }[] };
  apply?: { resumed: boolean; verified: boolean; results: { step: { id: string }; outcome: string }[] };
  timing: { timeToContainSeconds?: number; runSeconds?: number; verified?: string };
  lineage: { accessKeyId: string; via: string; roleArn?: string }[];
}

describe('contain against the simulated account', () => {
  it('a user key: the key, its GetSessionToken/GetFederationToken sessions and its role session are all refused; the responder still works', async () => {
    const cwd = tempDir();
    const caseDir = join(cwd, 'case-key');
    const victim = await victimUser(endpoint, responder, 'ci-bot');
    const roleArn = await deployRole(endpoint, responder, victim.arn);
    const attacker = await attackerSessions(endpoint, victim.key, roleArn);
    expect(await probe(endpoint, attacker.session)).toBe('ok');
    // Persistence: a key for another user, made with the leaked key.
    await iam(endpoint, responder).send(new CreateUserCommand({ UserName: 'ops' }));
    const made = await iam(endpoint, victim.key).send(new CreateAccessKeyCommand({ UserName: 'ops' }));
    const backdoor = {
      accessKeyId: made.AccessKey!.AccessKeyId!,
      secretAccessKey: made.AccessKey!.SecretAccessKey!,
    };

    const triage = await cli(
      ['triage', victim.key.accessKeyId, '--case', caseDir, '--json'],
      endpoint,
      responder,
      cwd,
    );
    expect(withoutJournalHead(triage.err)).toBe('');
    expect(triage.code).toBe(0);

    // Plan only: nothing changes.
    const planned = await cli(['contain', '--case', caseDir, '--json'], endpoint, responder, cwd);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.out) as ContainJson;
    expect(plan.state).toBe('planned');
    expect(plan.plan.steps.map((s) => s.action)).toEqual([
      'deactivate-access-key',
      'user-deny-all',
      'user-revoke-sessions',
      'deactivate-access-key',
      'role-revoke-sessions',
    ]);
    expect(plan.lineage.map((l) => l.via).sort()).toEqual([
      'AssumeRole',
      'CreateAccessKey',
      'GetFederationToken',
      'GetSessionToken',
    ]);
    const keys = await iam(endpoint, responder).send(new ListAccessKeysCommand({ UserName: 'ci-bot' }));
    expect(keys.AccessKeyMetadata![0]!.Status).toBe('Active');

    const applied = await cli(['contain', '--case', caseDir, '--apply', '--json'], endpoint, responder, cwd);
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.out) as ContainJson;
    expect(result.state).toBe('contained');
    expect(result.apply!.results.every((r) => r.outcome === 'applied')).toBe(true);
    expect(result.timing.runSeconds).toBeLessThan(10);
    expect(result.timing.timeToContainSeconds).toBeGreaterThan(0);

    // The attacker replays: every credential is refused, and CloudTrail says so.
    const replay = {
      key: await outcome(() => sts(endpoint, victim.key).send(new GetCallerIdentityCommand({}))),
      session: await probe(endpoint, attacker.session),
      federated: await probe(endpoint, attacker.federated),
      role: await probe(endpoint, attacker.role!),
      backdoor: await outcome(() => sts(endpoint, backdoor).send(new GetCallerIdentityCommand({}))),
    };
    expect(replay).toEqual({
      key: 'InvalidClientTokenId',
      session: 'UnauthorizedOperation',
      federated: 'UnauthorizedOperation',
      role: 'UnauthorizedOperation',
      backdoor: 'InvalidClientTokenId',
    });
    expect(await recordedErrors(endpoint, responder, victim.key.accessKeyId)).toContain(
      'InvalidClientTokenId',
    );
    // The official CLI sees the same: the key is refused, and the responder reads the denial.
    const cliKey = await runAws(sim, victim.key, ['sts', 'get-caller-identity']);
    expect(cliKey.code).not.toBe(0);
    expect(cliKey.stderr).toContain('InvalidClientTokenId');
    const history = await runAws(sim, responder, [
      'cloudtrail',
      'lookup-events',
      '--lookup-attributes',
      `AttributeKey=AccessKeyId,AttributeValue=${attacker.role!.accessKeyId}`,
      '--query',
      'Events[0].CloudTrailEvent',
      '--output',
      'text',
    ]);
    expect(history.code).toBe(0);
    expect((JSON.parse(history.stdout) as { errorCode: string }).errorCode).toBe(
      'Client.UnauthorizedOperation',
    );
    for (const s of [attacker.session, attacker.federated, attacker.role!])
      expect((await recordedErrors(endpoint, responder, s.accessKeyId))[0]).toBe(
        'Client.UnauthorizedOperation',
      );

    // The responder still works, and the case holds up.
    expect(await outcome(() => iam(endpoint, responder).send(new ListUsersCommand({})))).toBe('ok');
    const verify = await cli(['case', 'verify', '--case', caseDir], endpoint, responder, cwd);
    expect(verify.out).toMatch(/^OK:/);
    expect(verify.code).toBe(0);

    // A second apply changes nothing: no new write call reaches IAM.
    const writesBefore = (await lookup(endpoint, responder, 'EventName', 'PutUserPolicy')).length;
    const again = JSON.parse(
      (await cli(['contain', '--case', caseDir, '--apply', '--json'], endpoint, responder, cwd)).out,
    ) as ContainJson;
    expect(again.plan.steps.every((s) => s.noop)).toBe(true);
    expect(again.apply!.results.every((r) => r.outcome === 'unchanged')).toBe(true);
    expect((await lookup(endpoint, responder, 'EventName', 'PutUserPolicy')).length).toBe(writesBefore);
    expect((await lookup(endpoint, responder, 'EventName', 'UpdateAccessKey')).length).toBe(2);

    // --undo restores each reversible step.
    for (const step of [
      `deactivate-access-key:${VICTIM_ACCOUNT}:${victim.key.accessKeyId}`,
      `deactivate-access-key:${VICTIM_ACCOUNT}:${backdoor.accessKeyId}`,
      'user-deny-all',
      'user-revoke-sessions',
      'role-revoke-sessions',
    ]) {
      const undo = await cli(['contain', '--case', caseDir, '--undo', step], endpoint, responder, cwd);
      expect(withoutJournalHead(undo.err)).toBe('');
      expect(undo.code).toBe(0);
    }
    expect(await outcome(() => sts(endpoint, victim.key).send(new GetCallerIdentityCommand({})))).toBe('ok');
    expect(await probe(endpoint, attacker.session)).toBe('ok');
    expect(await probe(endpoint, attacker.role!)).toBe('ok');
    expect(
      await outcome(() =>
        iam(endpoint, responder).send(
          new GetUserPolicyCommand({ UserName: 'ci-bot', PolicyName: 'TourniquetDenyAll' }),
        ),
      ),
    ).toBe('NoSuchEntityException');
    expect((await cli(['case', 'verify', '--case', caseDir], endpoint, responder, cwd)).code).toBe(0);
  });

  it('a console user: the password is deleted (its existence and last use recorded), the user denied', async () => {
    const cwd = tempDir();
    const caseDir = join(cwd, 'case-console');
    const victim = await victimUser(endpoint, responder, 'alice', { password: true, admin: false });
    expect((await cli(['triage', 'alice', '--case', caseDir], endpoint, responder, cwd)).code).toBe(0);
    const applied = await cli(['contain', '--case', caseDir, '--apply', '--json'], endpoint, responder, cwd);
    expect(applied.code).toBe(0);
    const result = JSON.parse(applied.out) as ContainJson;
    const step = result.plan.steps.find((s) => s.action === 'delete-login-profile')!;
    expect(step.before).toMatchObject({ exists: true });
    expect(step.before).toHaveProperty('lastUsed');
    expect(
      await outcome(() => iam(endpoint, responder).send(new GetLoginProfileCommand({ UserName: 'alice' }))),
    ).toBe('NoSuchEntityException');
    expect(await outcome(() => sts(endpoint, victim.key).send(new GetCallerIdentityCommand({})))).toBe(
      'InvalidClientTokenId',
    );
    const undo = await cli(
      ['contain', '--case', caseDir, '--undo', 'delete-login-profile'],
      endpoint,
      responder,
      cwd,
    );
    expect(undo.code).toBe(1);
    expect(undo.err).toMatch(/cannot be undone: AWS cannot restore a deleted password/);
  });

  it('a role session: AWSRevokeOlderSessions on the role kills it; a session issued afterwards works', async () => {
    const cwd = tempDir();
    const caseDir = join(cwd, 'case-role');
    const victim = await victimUser(endpoint, responder, 'builder');
    const roleArn = await deployRole(endpoint, responder, victim.arn, 'builder-role');
    const { role } = await attackerSessions(endpoint, victim.key, roleArn);
    // The attacker uses the session, so CloudTrail ties its key to the role.
    expect(await probe(endpoint, role!)).toBe('ok');
    const triage = await cli(
      ['triage', role!.accessKeyId, '--case', caseDir, '--json'],
      endpoint,
      responder,
      cwd,
    );
    expect(triage.code).toBe(0);
    expect(
      (JSON.parse(triage.out) as { triage: { resolved: { credential: string } } }).triage.resolved.credential,
    ).toBe('role-session');
    const applied = JSON.parse(
      (await cli(['contain', '--case', caseDir, '--apply', '--json'], endpoint, responder, cwd)).out,
    ) as ContainJson;
    expect(applied.plan.steps.map((s) => s.action)).toEqual(['role-revoke-sessions']);
    expect(applied.state).toBe('contained');
    expect(await probe(endpoint, role!)).toBe('UnauthorizedOperation');
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await attackerSessions(endpoint, victim.key, roleArn);
    expect(await probe(endpoint, fresh.role!)).toBe('ok');
  });

  it("refuses to contain the responder's own credentials, and root gets a checklist", async () => {
    const cwd = tempDir();
    const own = join(cwd, 'case-own');
    expect((await cli(['triage', responder.accessKeyId, '--case', own], endpoint, responder, cwd)).code).toBe(
      0,
    );
    const refused = await cli(['contain', '--case', own, '--apply'], endpoint, responder, cwd);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/the access key Tourniquet itself runs on/);
    expect(await outcome(() => iam(endpoint, responder).send(new ListUsersCommand({})))).toBe('ok');

    const root = join(cwd, 'case-root');
    const triage = await cli(['triage', 'root', '--case', root, '--json'], endpoint, responder, cwd);
    expect(
      (JSON.parse(triage.out) as { triage: { severity: { level: string } } }).triage.severity.level,
    ).toBe('P1');
    const contained = await cli(['contain', '--case', root, '--apply'], endpoint, responder, cwd);
    expect(contained.code).toBe(3);
    expect(contained.out).toMatch(/no automated containment is possible/);
    expect(contained.out).toMatch(/change the root password/);
  });

  it('an apply killed between steps resumes without repeating the done steps', async () => {
    const cwd = tempDir();
    const caseDir = join(cwd, 'case-killed');
    const victim = await victimUser(endpoint, responder, 'killed-bot');
    expect(
      (await cli(['triage', victim.key.accessKeyId, '--case', caseDir], endpoint, responder, cwd)).code,
    ).toBe(0);
    // Slow calls give a window between two steps; the child is killed there, for real.
    const proxy = await startLatencyProxy({ host: '127.0.0.1', port: sim.port }, 300);
    const script = `const { main } = await import(${JSON.stringify(resolve('src/cli/main.ts'))});
      const { containCommand } = await import(${JSON.stringify(resolve('src/cli/commands/contain.ts'))});
      process.exitCode = await main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, [containCommand]);`;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        'contain',
        '--apply',
        '--case',
        caseDir,
        '--endpoint-url',
        proxy.endpoint,
        '--region',
        'us-east-1',
      ],
      {
        cwd: process.cwd(),
        env: {
          PATH: process.env.PATH,
          HOME: cwd,
          AWS_ACCESS_KEY_ID: responder.accessKeyId,
          AWS_SECRET_ACCESS_KEY: responder.secretAccessKey,
          AWS_CONFIG_FILE: join(cwd, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'none'),
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        stdio: 'ignore',
      },
    );
    const journal = join(caseDir, 'journal.jsonl');
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    for (
      let i = 0;
      i < 600 && !(existsSync(journal) && readFileSync(journal, 'utf8').includes('"step.applied"'));
      i++
    )
      await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await exited;
    await proxy.close();
    const lines = readFileSync(journal, 'utf8');
    expect(lines).toContain('"step.applied"');
    expect(lines).not.toContain('"plan.applied"');

    const resumed = await cli(['contain', '--case', caseDir, '--apply', '--json'], endpoint, responder, cwd);
    expect(resumed.err).toMatch(/Resuming the interrupted contain-1/);
    const result = JSON.parse(resumed.out) as ContainJson;
    expect(result.apply!.resumed).toBe(true);
    expect(result.apply!.results[0]!.outcome).toBe('already-done');
    expect(result.apply!.results.slice(1).every((r) => r.outcome === 'applied')).toBe(true);
    expect(result.state).toBe('contained');
    const updates = (await lookup(endpoint, responder, 'EventName', 'UpdateAccessKey')).filter((e) =>
      JSON.stringify(e).includes(victim.key.accessKeyId),
    );
    expect(updates).toHaveLength(1);
    expect((await cli(['case', 'verify', '--case', caseDir], endpoint, responder, cwd)).code).toBe(0);
  });

  it('a chain into another account: the role reached there is revoked through --account-role, or listed as manual without it', async () => {
    const cwd = tempDir();
    const { key: extKey } = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'ext-admin', {
      managedPolicies: [ADMIN],
    });
    const extAdmin = { accessKeyId: extKey.accessKeyId, secretAccessKey: extKey.secretAccessKey };
    const victim = await victimUser(endpoint, responder, 'chain-bot');
    const deploy = await deployRole(endpoint, responder, victim.arn, 'chain-deploy');
    const partner = await deployRole(endpoint, extAdmin, deploy, 'partner-deploy');
    await deployRole(
      endpoint,
      extAdmin,
      `arn:aws:iam::${VICTIM_ACCOUNT}:user/responder`,
      'TourniquetResponder',
    );
    const first = (await attackerSessions(endpoint, victim.key, deploy)).role!;
    const second = await assumeRole(endpoint, first, partner);
    expect(await probe(endpoint, second)).toBe('ok');

    const manualDir = join(cwd, 'case-manual');
    expect(
      (await cli(['triage', victim.key.accessKeyId, '--case', manualDir], endpoint, responder, cwd)).code,
    ).toBe(0);
    const planned = await cli(['contain', '--case', manualDir, '--json'], endpoint, responder, cwd);
    expect(planned.code).toBe(3);
    const manual = JSON.parse(planned.out) as ContainJson & { manual: string[] };
    expect(manual.manual.join('\n')).toMatch(
      /In account 444455556666: role-revoke-sessions on arn:aws:iam::444455556666:role\/partner-deploy \(No access to account 444455556666/,
    );

    const caseDir = join(cwd, 'case-chain');
    expect(
      (await cli(['triage', victim.key.accessKeyId, '--case', caseDir], endpoint, responder, cwd)).code,
    ).toBe(0);
    const applied = await cli(
      ['contain', '--case', caseDir, '--apply', '--account-role', 'TourniquetResponder', '--json'],
      endpoint,
      responder,
      cwd,
    );
    const result = JSON.parse(applied.out) as ContainJson;
    expect(applied.code).toBe(0);
    expect(result.state).toBe('contained');
    expect(result.plan.steps.filter((s) => s.action === 'role-revoke-sessions').map((s) => s.id)).toEqual([
      `role-revoke-sessions:${VICTIM_ACCOUNT}:${deploy}`,
      `role-revoke-sessions:${EXTERNAL_ACCOUNT}:${partner}`,
    ]);
    expect({ first: await probe(endpoint, first), second: await probe(endpoint, second) }).toEqual({
      first: 'UnauthorizedOperation',
      second: 'UnauthorizedOperation',
    });
    expect((await recordedErrors(endpoint, extAdmin, second.accessKeyId))[0]).toBe(
      'Client.UnauthorizedOperation',
    );
  });

  it('without --apply, an interactive "no" changes nothing and a "yes" applies the plan it was shown', async () => {
    const cwd = tempDir();
    const caseDir = join(cwd, 'case-prompt');
    const victim = await victimUser(endpoint, responder, 'prompted');
    expect(
      (await cli(['triage', victim.key.accessKeyId, '--case', caseDir], endpoint, responder, cwd)).code,
    ).toBe(0);
    const pool = await ClientPool.create(
      { endpointUrl: endpoint, region: 'us-east-1', credentials: responder },
      systemClock,
    );
    const folder = CaseFolder.open(caseDir, { clock: systemClock });
    try {
      const ctx = {
        clock: systemClock,
        log: silentLogger,
        progress: silentProgress,
        case: folder,
        aws: pool,
      };
      const questions: string[] = [];
      const no = await contain(ctx, {
        apply: false,
        startedAt: new Date(),
        confirm: (q) => (questions.push(q), Promise.resolve(false)),
      });
      expect(no.state).toBe('planned');
      expect(await outcome(() => sts(endpoint, victim.key).send(new GetCallerIdentityCommand({})))).toBe(
        'ok',
      );
      const yes = await contain(ctx, {
        apply: false,
        startedAt: new Date(),
        confirm: (q) => (questions.push(q), Promise.resolve(true)),
      });
      expect(questions).toEqual(['Apply 3 change(s) now?', 'Apply 3 change(s) now?']);
      expect(yes.state).toBe('contained');
      expect(yes.apply!.planId).toBe(yes.plan!.planId);
      expect(await outcome(() => sts(endpoint, victim.key).send(new GetCallerIdentityCommand({})))).toBe(
        'InvalidClientTokenId',
      );
    } finally {
      folder.close();
      pool.destroy();
    }
  });

  it('refuses to deny the last administrator of an account unless --force', async () => {
    const own = await startSim({ port: 0, seed: 61 });
    try {
      // The responder here may manage IAM but is no administrator; the victim is the only one.
      const { key } = createUserWithKey(own.state, VICTIM_ACCOUNT, 'iam-operator', {
        inlinePolicies: {
          ops: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['iam:*', 'sts:*', 'cloudtrail:LookupEvents'], Resource: '*' },
            ],
          },
        },
      });
      const operator = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
      const victim = await victimUser(own.endpoint, operator, 'only-admin');
      const cwd = tempDir();
      const caseDir = join(cwd, 'case-lockout');
      expect(
        (await cli(['triage', victim.key.accessKeyId, '--case', caseDir], own.endpoint, operator, cwd)).code,
      ).toBe(0);
      const refused = await cli(['contain', '--case', caseDir, '--apply'], own.endpoint, operator, cwd);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(
        /denying only-admin would leave account 111122223333 without any administrator/,
      );
      expect(await outcome(() => sts(own.endpoint, victim.key).send(new GetCallerIdentityCommand({})))).toBe(
        'ok',
      );
      const forced = await cli(
        ['contain', '--case', caseDir, '--apply', '--force', '--json'],
        own.endpoint,
        operator,
        cwd,
      );
      expect(forced.code).toBe(0);
      expect((JSON.parse(forced.out) as { forced: unknown[]; state: string }).state).toBe('contained');
      expect(await outcome(() => sts(own.endpoint, victim.key).send(new GetCallerIdentityCommand({})))).toBe(
        'InvalidClientTokenId',
      );
    } finally {
      await own.stop();
    }
  });
});
