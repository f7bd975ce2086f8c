import {
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConsoleLogin, SimClock, startSim, type RunningSim } from '../../index.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import { runAws, runShell, sdkConfig, type Creds } from '../../test-support/aws.js';
import { attachPolicy, createAccessKey, createUser, createUserWithKey } from './entities.js';
import { REPORT_COLUMNS } from './report.js';

/**
 * Conformance with the official CLI for every IAM/STS/CloudTrail command the compromised-key
 * playbook prints. CLI runs cost about a second each, so independent commands run together.
 */
let sim: RunningSim;
let responder: Creds;
const keys: Record<string, string> = {};

const json = (r: { code: number; stdout: string; stderr: string }): unknown => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  sim = await startSim({
    seed: 'playbook',
    clock: new SimClock({ start: '2026-05-04T09:00:00Z', frozen: true }),
    lookupEventsPerSecond: 100,
  });
  const state = sim.state;
  const account = state.accountOrThrow(VICTIM_ACCOUNT);
  responder = createUserWithKey(state, VICTIM_ACCOUNT, 'responder', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  state.clock.advance(60_000);
  for (const name of ['alice', 'bob', 'carol', 'mallory']) {
    const u = createUser(state, account, name);
    keys[name] = createAccessKey(state, account, name).accessKeyId;
    if (name !== 'carol')
      u.loginProfile = { createDate: state.nowIso(), passwordResetRequired: false, password: 'x' };
  }
  attachPolicy(account, account.iam.users.mallory!, 'arn:aws:iam::aws:policy/AdministratorAccess');
  account.iam.policies[`arn:aws:iam::${VICTIM_ACCOUNT}:policy/backdoor`] = {
    policyName: 'backdoor',
    policyId: 'ANPABACKDOOR00000001',
    arn: `arn:aws:iam::${VICTIM_ACCOUNT}:policy/backdoor`,
    path: '/',
    defaultVersionId: 'v1',
    versions: [
      {
        versionId: 'v1',
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
        createDate: state.nowIso(),
      },
    ],
    nextVersion: 2,
    createDate: state.nowIso(),
    updateDate: state.nowIso(),
    tags: [],
  };
  account.iam.roles.backdoor = {
    roleName: 'backdoor',
    roleId: 'AROABACKDOOR000000001',
    arn: `arn:aws:iam::${VICTIM_ACCOUNT}:role/backdoor`,
    path: '/',
    createDate: state.nowIso(),
    assumeRolePolicyDocument:
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}',
    maxSessionDuration: 3600,
    tags: [],
    inlinePolicies: {},
    attachedPolicies: [],
  };
  state.clock.advance(60_000);
  recordConsoleLogin(state, {
    accountId: VICTIM_ACCOUNT,
    userName: 'mallory',
    success: false,
    sourceIp: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
  });
  recordConsoleLogin(state, {
    accountId: VICTIM_ACCOUNT,
    userName: 'mallory',
    success: true,
    sourceIp: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
  });
  state.clock.advance(60_000);
  // The attacker's key is used once, so LookupEvents has something under its name.
  await runAws(
    sim,
    { accessKeyId: keys.mallory!, secretAccessKey: account.iam.accessKeys[keys.mallory!]!.secretAccessKey },
    ['iam', 'list-users'],
  );
});
afterAll(() => sim.stop());

describe('the playbook through /usr/bin/aws', () => {
  it('reads: list-users, list-access-keys, list-policies --scope Local, list-roles --query, lookup-events by Username/EventName/ConsoleLogin', async () => {
    const [users, access, policies, roles, byUser, byName, logins] = await Promise.all([
      runAws(sim, responder, ['iam', 'list-users']),
      runAws(sim, responder, ['iam', 'list-access-keys', '--user-name', 'mallory']),
      runAws(sim, responder, ['iam', 'list-policies', '--scope', 'Local']),
      runAws(sim, responder, [
        'iam',
        'list-roles',
        '--query',
        "Roles[?contains(AssumeRolePolicyDocument.Statement[0].Principal.AWS, '444455556666')].[RoleName,Arn]",
        '--output',
        'text',
      ]),
      runAws(sim, responder, [
        'cloudtrail',
        'lookup-events',
        '--lookup-attributes',
        'AttributeKey=Username,AttributeValue=mallory',
      ]),
      runAws(sim, responder, [
        'cloudtrail',
        'lookup-events',
        '--lookup-attributes',
        'AttributeKey=EventName,AttributeValue=ListUsers',
        '--max-results',
        '5',
      ]),
      runAws(sim, responder, [
        'cloudtrail',
        'lookup-events',
        '--lookup-attributes',
        'AttributeKey=EventName,AttributeValue=ConsoleLogin',
        '--query',
        'Events[].CloudTrailEvent',
        '--output',
        'json',
      ]),
    ]);
    const u = json(users) as { Users: { UserName: string; CreateDate: string; PasswordLastUsed?: string }[] };
    expect(u.Users.map((x) => x.UserName)).toEqual(['responder', 'alice', 'bob', 'carol', 'mallory']);
    expect(u.Users[0]!.CreateDate).toBe('2026-05-04T09:00:00+00:00');
    expect(u.Users.find((x) => x.UserName === 'mallory')!.PasswordLastUsed).toBe('2026-05-04T09:02:00+00:00');
    expect(json(access)).toEqual({
      AccessKeyMetadata: [
        {
          UserName: 'mallory',
          AccessKeyId: keys.mallory,
          Status: 'Active',
          CreateDate: '2026-05-04T09:01:00+00:00',
        },
      ],
    });
    expect(
      (json(policies) as { Policies: { PolicyName: string; AttachmentCount: number }[] }).Policies,
    ).toMatchObject([{ PolicyName: 'backdoor', AttachmentCount: 0 }]);
    expect(roles).toMatchObject({
      code: 0,
      stdout: `backdoor\tarn:aws:iam::${VICTIM_ACCOUNT}:role/backdoor\n`,
    });
    const mine = (json(byUser) as { Events: { EventName: string; Username: string }[] }).Events;
    expect(mine.map((e) => e.EventName)).toEqual(['ListUsers', 'ConsoleLogin', 'ConsoleLogin']);
    // The responder's own list-users above may or may not have been recorded yet.
    const listers = (json(byName) as { Events: { Username: string }[] }).Events.map((e) => e.Username);
    expect(listers).toContain('mallory');
    expect(listers.every((n) => n === 'mallory' || n === 'responder')).toBe(true);
    const consoleEvents = (json(logins) as string[]).map(
      (s) =>
        JSON.parse(s) as {
          responseElements: { ConsoleLogin: string };
          eventType: string;
          sourceIPAddress: string;
        },
    );
    expect(consoleEvents.map((e) => e.responseElements.ConsoleLogin)).toEqual(['Success', 'Failure']);
    expect(consoleEvents[0]).toMatchObject({ eventType: 'AwsConsoleSignIn', sourceIPAddress: '203.0.113.9' });
  });

  it('writes: update-access-key, delete-login-profile, create-access-key, create-login-profile --password-reset-required, delete-access-key, delete-policy, then delete-user', async () => {
    const iam = sim.state.accountOrThrow(VICTIM_ACCOUNT).iam;
    const [update, delProfile, newKey, newProfile, delKey, delPolicy, conflict] = await Promise.all([
      runAws(sim, responder, [
        'iam',
        'update-access-key',
        '--user-name',
        'mallory',
        '--access-key-id',
        keys.mallory!,
        '--status',
        'Inactive',
      ]),
      runAws(sim, responder, ['iam', 'delete-login-profile', '--user-name', 'alice']),
      runAws(sim, responder, ['iam', 'create-access-key', '--user-name', 'bob']),
      runAws(sim, responder, [
        'iam',
        'create-login-profile',
        '--user-name',
        'carol',
        '--password',
        'Temp-Passw0rd!',
        '--password-reset-required',
      ]),
      runAws(sim, responder, [
        'iam',
        'delete-access-key',
        '--user-name',
        'carol',
        '--access-key-id',
        keys.carol!,
      ]),
      runAws(sim, responder, [
        'iam',
        'delete-policy',
        '--policy-arn',
        `arn:aws:iam::${VICTIM_ACCOUNT}:policy/backdoor`,
      ]),
      runAws(sim, responder, ['iam', 'delete-user', '--user-name', 'mallory']),
    ]);
    for (const r of [update, delProfile, delKey, delPolicy])
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(iam.accessKeys[keys.mallory!]!.status).toBe('Inactive');
    expect(iam.users.alice!.loginProfile).toBeUndefined();
    const created = json(newKey) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string };
    };
    expect(created.AccessKey).toMatchObject({
      Status: 'Active',
      AccessKeyId: expect.stringMatching(/^AKIA[A-Z2-7]{16}$/) as unknown,
    });
    expect(created.AccessKey.SecretAccessKey).toHaveLength(40);
    expect(json(newProfile)).toEqual({
      LoginProfile: {
        UserName: 'carol',
        CreateDate: '2026-05-04T09:03:00+00:00',
        PasswordResetRequired: true,
      },
    });
    expect(iam.accessKeys[keys.carol!]).toBeUndefined();
    expect(iam.policies[`arn:aws:iam::${VICTIM_ACCOUNT}:policy/backdoor`]).toBeUndefined();
    expect(conflict.code).toBe(254);
    expect(conflict.stderr).toContain(
      'An error occurred (DeleteConflict) when calling the DeleteUser operation: Cannot delete entity, must delete access keys first.',
    );

    // Deactivate before delete: remove what hangs off the user (SDK), then delete-user (CLI).
    const sdk = new IAMClient(sdkConfig(sim, responder));
    await sdk.send(new DeleteAccessKeyCommand({ UserName: 'mallory', AccessKeyId: keys.mallory }));
    await sdk.send(new DeleteLoginProfileCommand({ UserName: 'mallory' }));
    await sdk.send(
      new DetachUserPolicyCommand({
        UserName: 'mallory',
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    expect(await runAws(sim, responder, ['iam', 'delete-user', '--user-name', 'mallory'])).toMatchObject({
      code: 0,
      stderr: '',
    });
    await expect(sdk.send(new GetUserCommand({ UserName: 'mallory' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user with name mallory cannot be found.',
    });
    const record = sim.state
      .accountOrThrow(VICTIM_ACCOUNT)
      .cloudtrail.events.find((e) => e.eventName === 'CreateLoginProfile');
    expect(record?.requestParameters).toEqual({ userName: 'carol', passwordResetRequired: true });
    expect(JSON.stringify(record)).not.toContain('Temp-Passw0rd!');
  });

  it('generate-credential-report, then get-credential-report | base64 -d gives the 22-column CSV, reused within 4 hours', async () => {
    const gen = json(await runAws(sim, responder, ['iam', 'generate-credential-report'])) as {
      State: string;
    };
    expect(gen.State).toBe('STARTED');
    const csv = await runShell(
      sim,
      responder,
      `$AWS iam generate-credential-report --query State --output text && $AWS iam get-credential-report --query Content --output text | base64 -d`,
    );
    expect(csv.code).toBe(0);
    const [state, header, root, ...rows] = csv.stdout.trim().split('\n');
    expect(state).toBe('COMPLETE');
    expect(header!.split(',')).toEqual([...REPORT_COLUMNS]);
    expect(root!.split(',')).toHaveLength(22);
    expect(root!.startsWith(`<root_account>,arn:aws:iam::${VICTIM_ACCOUNT}:root,`)).toBe(true);
    const carol = rows.find((r) => r.startsWith('carol,'))!.split(',');
    expect(carol).toHaveLength(22);
    expect(carol.slice(3, 9)).toEqual([
      'true',
      'no_information',
      '2026-05-04T09:03:00+00:00',
      'N/A',
      'false',
      'false',
    ]);
    const responderRow = rows.find((r) => r.startsWith('responder,'))!.split(',');
    expect(responderRow.slice(8, 13)).toEqual([
      'true',
      '2026-05-04T09:00:00+00:00',
      '2026-05-04T09:03:00+00:00',
      'us-east-1',
      'iam',
    ]);
  });
});
