import { EC2Client, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoSeconds, SimClock, startSim, type RunningSim } from '../index.js';
import { createUserWithKey } from '../services/iam/entities.js';
import { EXTERNAL_ACCOUNT, VICTIM_ACCOUNT } from '../state.js';
import { sdkConfig, type Creds } from '../test-support/aws.js';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const DENY_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };

let sim: RunningSim;
let admin: Creds;
const iam = (c: Creds) => new IAMClient(sdkConfig(sim, c));
const sts = (c: Creds) => new STSClient(sdkConfig(sim, c));
const creds = (
  c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined,
): Creds => ({
  accessKeyId: c!.AccessKeyId!,
  secretAccessKey: c!.SecretAccessKey!,
  sessionToken: c!.SessionToken,
});

function trust(principal: string) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
  });
}

function events(account = VICTIM_ACCOUNT) {
  return sim.state.account(account)!.cloudtrail.events;
}

beforeAll(async () => {
  sim = await startSim({
    seed: 'authz',
    clock: new SimClock({ start: '2026-03-01T10:00:00Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', { managedPolicies: [ADMIN] }).key;
});
afterAll(() => sim.stop());

describe('authorization with iam-simulate', () => {
  it('a deny-all inline policy blocks everything but GetCallerIdentity, and the denial is recorded', async () => {
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'victim1', { managedPolicies: [ADMIN] });
    await expect(iam(key).send(new ListUsersCommand({}))).resolves.toBeDefined();
    await iam(admin).send(
      new PutUserPolicyCommand({
        UserName: 'victim1',
        PolicyName: 'DenyAll',
        PolicyDocument: JSON.stringify(DENY_ALL),
      }),
    );
    await expect(iam(key).send(new ListUsersCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining('with an explicit deny in an identity-based policy') as unknown,
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      new EC2Client(sdkConfig(sim, key)).send(new DescribeRegionsCommand({})),
    ).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      message: expect.stringMatching(/^You are not authorized to perform this operation\. User: /) as unknown,
    });
    await expect(
      new CloudTrailClient(sdkConfig(sim, key)).send(new LookupEventsCommand({})),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const id = await sts(key).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:user/victim1`);
    const denied = events().filter(
      (e) => (e.userIdentity as { userName?: string }).userName === 'victim1' && e.errorCode,
    );
    expect(denied.map((e) => e.errorCode)).toEqual([
      'AccessDenied',
      'Client.UnauthorizedOperation',
      'AccessDeniedException',
    ]);
    expect(denied[0]).toMatchObject({
      eventName: 'ListUsers',
      awsRegion: 'us-east-1',
      responseElements: null,
    });
  });

  it('a user without policies is implicitly denied with AWS message text', async () => {
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'nobody');
    await expect(iam(key).send(new CreateUserCommand({ UserName: 'x' }))).rejects.toThrow(
      `User: arn:aws:iam::${VICTIM_ACCOUNT}:user/nobody is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${VICTIM_ACCOUNT}:user/x because no identity-based policy allows the iam:CreateUser action`,
    );
  });

  it('a TokenIssueTime deny blocks sessions issued before it and not those issued after; long-term keys are untouched', async () => {
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'dev', { managedPolicies: [ADMIN] });
    const old = await sts(key).send(new GetSessionTokenCommand({}));
    sim.clock.advance(60_000);
    const cutoff = isoSeconds(sim.clock.now());
    await iam(admin).send(
      new PutUserPolicyCommand({
        UserName: 'dev',
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: '*',
              Resource: '*',
              Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } },
            },
          ],
        }),
      }),
    );
    sim.clock.advance(60_000);
    const fresh = await sts(key).send(new GetSessionTokenCommand({}));
    const ec2 = (c: Creds) => new EC2Client(sdkConfig(sim, c));
    await expect(ec2(creds(old.Credentials)).send(new DescribeRegionsCommand({}))).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
    });
    await expect(ec2(creds(fresh.Credentials)).send(new DescribeRegionsCommand({}))).resolves.toBeDefined();
    await expect(ec2(key).send(new DescribeRegionsCommand({}))).resolves.toBeDefined();
    const record = events().find(
      (e) =>
        e.errorCode === 'Client.UnauthorizedOperation' &&
        (e.userIdentity as { accessKeyId?: string }).accessKeyId === old.Credentials!.AccessKeyId,
    );
    expect(record?.userIdentity).toMatchObject({
      type: 'IAMUser',
      userName: 'dev',
      sessionContext: { attributes: { mfaAuthenticated: 'false' } },
    });
  });

  it('GetSessionToken credentials cannot call IAM without MFA; an inactive key stops its own calls but not its sessions', async () => {
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'leaky', { managedPolicies: [ADMIN] });
    const session = creds(
      (await sts(key).send(new GetSessionTokenCommand({ DurationSeconds: 3600 }))).Credentials,
    );
    await expect(iam(session).send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    await iam(admin).send(
      new UpdateAccessKeyCommand({ UserName: 'leaky', AccessKeyId: key.accessKeyId, Status: 'Inactive' }),
    );
    await expect(sts(key).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      new EC2Client(sdkConfig(sim, key)).send(new DescribeRegionsCommand({})),
    ).rejects.toMatchObject({ name: 'AuthFailure' });
    await expect(
      new CloudTrailClient(sdkConfig(sim, key)).send(new LookupEventsCommand({})),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(sts(session).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Arn: `arn:aws:iam::${VICTIM_ACCOUNT}:user/leaky`,
    });
    // The session expires on the simulated clock.
    sim.clock.advance(3601_000);
    await expect(sts(session).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'ExpiredToken',
    });
  });

  it('GetSessionToken with a valid MFA code yields MFA-authenticated credentials that may call IAM', async () => {
    const { user, key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'mfa-user', {
      managedPolicies: [ADMIN],
    });
    const serial = `arn:aws:iam::${VICTIM_ACCOUNT}:mfa/mfa-user`;
    const now = sim.state.nowIso();
    sim.state.account(VICTIM_ACCOUNT)!.iam.mfaDevices[serial] = {
      serialNumber: serial,
      base32Seed: 'X',
      createDate: now,
      userName: 'mfa-user',
      enableDate: now,
    };
    user.mfaDevices.push({ serialNumber: serial, enableDate: now });
    await expect(
      sts(key).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: 'abc' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const withMfa = creds(
      (await sts(key).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: '123456' })))
        .Credentials,
    );
    await expect(iam(withMfa).send(new ListUsersCommand({}))).resolves.toBeDefined();
    const rec = events().find(
      (e) =>
        e.eventName === 'ListUsers' &&
        (e.userIdentity as { accessKeyId?: string }).accessKeyId === withMfa.accessKeyId,
    );
    expect(rec?.userIdentity).toMatchObject({ sessionContext: { attributes: { mfaAuthenticated: 'true' } } });
  });

  it('AssumeRole: a trust policy not naming the caller refuses; naming it allows, cross-account too; chaining is limited to 1 h', async () => {
    const victim = sim.state.account(VICTIM_ACCOUNT)!;
    await iam(admin).send(
      new PutUserPolicyCommand({
        UserName: 'admin',
        PolicyName: 'noop',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
        }),
      }),
    );
    const { key: outsider } = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'attacker', {
      managedPolicies: [ADMIN],
    });
    await iam(admin).send(
      new CreateRoleCommand({
        RoleName: 'deploy',
        AssumeRolePolicyDocument: trust(`arn:aws:iam::${VICTIM_ACCOUNT}:user/admin`),
        MaxSessionDuration: 7200,
      }),
    );
    await iam(admin).send(
      new PutRolePolicyCommand({
        RoleName: 'deploy',
        PolicyName: 'all',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    const roleArn = victim.iam.roles.deploy!.arn;
    await expect(
      sts(outsider).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'xx' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const assumed = await sts(admin).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ci', DurationSeconds: 7200 }),
    );
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${VICTIM_ACCOUNT}:assumed-role/deploy/ci`);
    const roleCreds = creds(assumed.Credentials);
    await expect(sts(roleCreds).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Arn: assumed.AssumedRoleUser!.Arn,
      UserId: `${victim.iam.roles.deploy!.roleId}:ci`,
    });

    // Open the trust to the external account: the outsider (admin there) gets in; the call is seen by both accounts.
    await iam(admin).send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'deploy',
        PolicyDocument: trust(`arn:aws:iam::${EXTERNAL_ACCOUNT}:root`),
      }),
    );
    const cross = await sts(outsider).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'pivot' }),
    );
    const crossCreds = creds(cross.Credentials);
    await expect(iam(crossCreds).send(new ListUsersCommand({}))).resolves.toMatchObject({
      Users: expect.any(Array) as unknown,
    });
    const inVictim = events().find(
      (e) =>
        e.eventName === 'AssumeRole' &&
        (e.requestParameters as { roleSessionName?: string }).roleSessionName === 'pivot',
    );
    const inExternal = events(EXTERNAL_ACCOUNT).find((e) => e.eventName === 'AssumeRole' && !e.errorCode);
    expect(inVictim).toMatchObject({
      recipientAccountId: VICTIM_ACCOUNT,
      userIdentity: { type: 'AWSAccount', accountId: EXTERNAL_ACCOUNT },
      sharedEventID: inExternal!.eventID,
    });
    expect(inExternal).toMatchObject({
      resources: [{ ARN: roleArn, accountId: VICTIM_ACCOUNT, type: 'AWS::IAM::Role' }],
    });
    expect(
      (inExternal!.responseElements as { credentials: { expiration: string } }).credentials.expiration,
    ).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$/);
    expect(JSON.stringify(inExternal)).not.toContain(cross.Credentials!.SecretAccessKey!);

    // Role chaining: the deploy session assumes the role again (trust now names the role itself).
    await iam(admin).send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'deploy', PolicyDocument: trust(roleArn) }),
    );
    await expect(
      sts(crossCreds).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'chain', DurationSeconds: 7200 }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    const chained = await sts(crossCreds).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'chain' }),
    );
    expect(chained.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${VICTIM_ACCOUNT}:assumed-role/deploy/chain`);
    const chainEvent = events().find(
      (e) =>
        (e.userIdentity as { arn?: string }).arn === assumed.AssumedRoleUser!.Arn!.replace('/ci', '/pivot') &&
        e.eventName === 'AssumeRole',
    );
    expect(chainEvent?.userIdentity).toMatchObject({
      type: 'AssumedRole',
      sessionContext: { sessionIssuer: { type: 'Role', arn: roleArn, userName: 'deploy' } },
    });
  });

  it('GetFederationToken: the federated user gets the intersection of the user policy and the session policy', async () => {
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'fed-user', {
      inlinePolicies: {
        some: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['ec2:Describe*', 'sts:GetFederationToken'], Resource: '*' },
          ],
        },
      },
    });
    const fed = await sts(key).send(
      new GetFederationTokenCommand({
        Name: 'backdoor',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['ec2:*', 'iam:*'], Resource: '*' }],
        }),
      }),
    );
    expect(fed.FederatedUser?.Arn).toBe(`arn:aws:sts::${VICTIM_ACCOUNT}:federated-user/backdoor`);
    const c = creds(fed.Credentials);
    await expect(
      new EC2Client(sdkConfig(sim, c)).send(new DescribeRegionsCommand({})),
    ).resolves.toBeDefined();
    await expect(iam(c).send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(sts(c).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      UserId: `${VICTIM_ACCOUNT}:backdoor`,
    });
    const rec = events().find(
      (e) =>
        e.eventName === 'GetCallerIdentity' && (e.userIdentity as { type: string }).type === 'FederatedUser',
    );
    expect(rec?.userIdentity).toMatchObject({
      principalId: `${VICTIM_ACCOUNT}:backdoor`,
      sessionContext: { sessionIssuer: { type: 'IAMUser', userName: 'fed-user' } },
    });
  });

  it('a permissions boundary caps an administrator', async () => {
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'bounded', { managedPolicies: [ADMIN] });
    sim.state.account(VICTIM_ACCOUNT)!.iam.users.bounded!.permissionsBoundary =
      'arn:aws:iam::aws:policy/AmazonEC2FullAccess';
    await expect(
      new EC2Client(sdkConfig(sim, key)).send(new DescribeRegionsCommand({})),
    ).resolves.toBeDefined();
    await expect(iam(key).send(new ListUsersCommand({}))).rejects.toThrow(
      'because no permissions boundary allows the iam:ListUsers action',
    );
  });
});
