import {
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreateLoginProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeleteLoginProfileCommand,
  DeletePolicyCommand,
  DeleteUserCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListMFADevicesCommand,
  ListOpenIDConnectProvidersCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolesCommand,
  ListSAMLProvidersCommand,
  ListUsersCommand,
  ListVirtualMFADevicesCommand,
  SetDefaultPolicyVersionCommand,
  UpdateAccessKeyCommand,
  UpdateAccountPasswordPolicyCommand,
  AttachUserPolicyCommand,
  GetPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { EXTERNAL_ACCOUNT, VICTIM_ACCOUNT } from '../../state.js';
import { sdkConfig, type Creds } from '../../test-support/aws.js';
import { createUserWithKey } from './entities.js';

let sim: RunningSim;
let admin: Creds;
let iam: IAMClient;
const events = () => sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events;
const doc = (actions: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

beforeAll(async () => {
  sim = await startSim({
    seed: 'iam-sdk',
    clock: new SimClock({ start: '2024-07-30T21:53:13Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'christophe', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  iam = new IAMClient(sdkConfig(sim, admin));
});
afterAll(() => sim.stop());

describe('IAM through the JS SDK', () => {
  it('the playbook operations, with AWS errors and CloudTrail shapes', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'backdoor-user' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'backdoor-user' }))).AccessKey!;
    expect(key.CreateDate).toEqual(new Date('2024-07-30T21:53:13Z'));
    const rec = events().find((e) => e.eventName === 'CreateAccessKey')!;
    // Shape of the real detonation in aws-facts §1.4: no secret, Java-style createDate.
    expect(rec.requestParameters).toEqual({ userName: 'backdoor-user' });
    expect(rec.responseElements).toEqual({
      accessKey: {
        userName: 'backdoor-user',
        accessKeyId: key.AccessKeyId,
        status: 'Active',
        createDate: 'Jul 30, 2024 9:53:13 PM',
      },
    });
    expect(rec).toMatchObject({
      eventSource: 'iam.amazonaws.com',
      awsRegion: 'us-east-1',
      readOnly: false,
      tlsDetails: { clientProvidedHostHeader: 'iam.amazonaws.com' },
    });

    await iam.send(new CreateAccessKeyCommand({ UserName: 'backdoor-user' }));
    await expect(iam.send(new CreateAccessKeyCommand({ UserName: 'backdoor-user' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      $metadata: { httpStatusCode: 409 },
    });
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'backdoor-user',
        AccessKeyId: key.AccessKeyId,
        Status: 'Inactive',
      }),
    );
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'backdoor-user' }));
    expect(listed.AccessKeyMetadata!.find((k) => k.AccessKeyId === key.AccessKeyId)!.Status).toBe('Inactive');
    await expect(
      iam.send(
        new UpdateAccessKeyCommand({
          UserName: 'christophe',
          AccessKeyId: key.AccessKeyId,
          Status: 'Active',
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await iam.send(
      new CreateLoginProfileCommand({
        UserName: 'backdoor-user',
        Password: 'Pw-123456789',
        PasswordResetRequired: true,
      }),
    );
    await expect(
      iam.send(new CreateLoginProfileCommand({ UserName: 'backdoor-user', Password: 'x' })),
    ).rejects.toMatchObject({ name: 'EntityAlreadyExistsException' });
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'backdoor-user' }));
    await expect(iam.send(new DeleteUserCommand({ UserName: 'backdoor-user' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
    });
    for (const k of listed.AccessKeyMetadata!)
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'backdoor-user', AccessKeyId: k.AccessKeyId }));
    await iam.send(new DeleteUserCommand({ UserName: 'backdoor-user' }));
    expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['christophe']);
  });

  it('managed policies with versions, attach/detach, Local scope, and delete rules', async () => {
    const created = (
      await iam.send(new CreatePolicyCommand({ PolicyName: 'ops', PolicyDocument: doc(['ec2:Describe*']) }))
    ).Policy!;
    const v2 = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: created.Arn,
        PolicyDocument: doc(['*']),
        SetAsDefault: false,
      }),
    );
    expect(v2.PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: false });
    // The policy-version swap an attacker does: make the permissive version the default.
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: created.Arn, VersionId: 'v2' }));
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: created.Arn }));
    expect(versions.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: created.Arn, VersionId: 'v2' }));
    expect(JSON.parse(decodeURIComponent(got.PolicyVersion!.Document!))).toEqual(JSON.parse(doc(['*'])));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'christophe', PolicyArn: created.Arn }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: created.Arn }))).Policy!.AttachmentCount).toBe(
      1,
    );
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: created.Arn }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
    });
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'christophe' }));
    expect(attached.AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['AdministratorAccess', 'ops']);
    const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    expect(local.Policies!.map((p) => p.PolicyName)).toEqual(['ops']);
    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }));
    expect(aws.Policies!.map((p) => p.PolicyName)).toEqual(
      expect.arrayContaining([
        'AdministratorAccess',
        'ReadOnlyAccess',
        'AWSDenyAll',
        'AWSCompromisedKeyQuarantineV3',
      ]),
    );
    const quarantine = await iam.send(
      new GetPolicyVersionCommand({
        PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
        VersionId: 'v3',
      }),
    );
    expect(decodeURIComponent(quarantine.PolicyVersion!.Document!)).toContain('iam:UpdateAccessKey');
  });

  it('groups, roles, instance profiles, MFA, SAML/OIDC providers and the authorization details', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
    await iam.send(
      new AttachGroupPolicyCommand({
        GroupName: 'devs',
        PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    );
    const { key: dev } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'dev');
    await expect(new IAMClient(sdkConfig(sim, dev)).send(new ListRolesCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'dev' }));
    await expect(new IAMClient(sdkConfig(sim, dev)).send(new ListRolesCommand({}))).resolves.toBeDefined();
    await expect(iam.send(new DeleteGroupCommand({ GroupName: 'devs' }))).rejects.toMatchObject({
      name: 'DeleteConflictException',
    });

    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await iam.send(
      new CreateRoleCommand({ RoleName: 'web', AssumeRolePolicyDocument: trust, Path: '/app/' }),
    );
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'web' }))).Role!;
    expect(role.Arn).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:role/app/web`);
    expect(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trust));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'web' }));

    const mfa = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'dev-phone' })))
      .VirtualMFADevice!;
    expect(mfa.SerialNumber).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:mfa/dev-phone`);
    expect(events().find((e) => e.eventName === 'CreateVirtualMFADevice')!.responseElements).toEqual({
      virtualMFADevice: { serialNumber: mfa.SerialNumber },
    });
    await expect(
      iam.send(
        new EnableMFADeviceCommand({
          UserName: 'dev',
          SerialNumber: mfa.SerialNumber,
          AuthenticationCode1: 'abc',
          AuthenticationCode2: '654321',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAuthenticationCodeException' });
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: 'dev',
        SerialNumber: mfa.SerialNumber,
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
    );
    expect((await iam.send(new ListMFADevicesCommand({ UserName: 'dev' }))).MFADevices).toMatchObject([
      { SerialNumber: mfa.SerialNumber, UserName: 'dev' },
    ]);
    expect(
      (await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' })))
        .VirtualMFADevices![0]!.User!.UserName,
    ).toBe('dev');
    await iam.send(new DeactivateMFADeviceCommand({ UserName: 'dev', SerialNumber: mfa.SerialNumber }));
    expect((await iam.send(new ListMFADevicesCommand({ UserName: 'dev' }))).MFADevices).toEqual([]);

    const saml = await iam.send(
      new CreateSAMLProviderCommand({
        Name: 'okta',
        SAMLMetadataDocument: '<EntityDescriptor>'.padEnd(1200, ' ') + '</EntityDescriptor>',
      }),
    );
    expect(saml.SAMLProviderArn).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:saml-provider/okta`);
    const oidc = await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['a'.repeat(40)],
      }),
    );
    expect(oidc.OpenIDConnectProviderArn).toBe(
      `arn:aws:iam::${VICTIM_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    );
    expect((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList).toHaveLength(1);
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([
      { Arn: oidc.OpenIDConnectProviderArn },
    ]);

    const details = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    const devDetail = details.UserDetailList!.find((u) => u.UserName === 'dev')!;
    expect(devDetail.GroupList).toEqual(['devs']);
    expect(details.GroupDetailList![0]!.AttachedManagedPolicies).toEqual([
      { PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ]);
    expect(details.RoleDetailList![0]!.InstanceProfileList![0]!.InstanceProfileName).toBe('web');
    expect(details.Policies!.map((p) => p.PolicyName)).toEqual(
      expect.arrayContaining(['ops', 'AdministratorAccess', 'ReadOnlyAccess']),
    );
  });

  it('account summary, password policy, credential report reuse, last-used tracking and STS key info', async () => {
    const summary = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(summary).toMatchObject({
      Users: 2,
      Groups: 1,
      Roles: 1,
      Policies: 1,
      MFADevices: 1,
      MFADevicesInUse: 0,
      Providers: 2,
    });
    await expect(iam.send(new GetAccountPasswordPolicyCommand({}))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
    });
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        MaxPasswordAge: 90,
      }),
    );
    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toMatchObject({
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
    });

    await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toMatchObject({
      name: 'CredentialReportNotPresentException',
      $metadata: { httpStatusCode: 410 },
    });
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
    const first = await iam.send(new GetCredentialReportCommand({}));
    sim.clock.advance(3 * 3600_000);
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');
    expect((await iam.send(new GetCredentialReportCommand({}))).GeneratedTime).toEqual(first.GeneratedTime);
    sim.clock.advance(3600_000);
    await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toMatchObject({
      name: 'CredentialReportExpiredException',
    });
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe('STARTED');
    const csv = Buffer.from((await iam.send(new GetCredentialReportCommand({}))).Content!).toString('utf8');
    expect(csv.split('\n')[0]!.split(',')).toHaveLength(22);

    // Every authenticated call updates the key's last use (service and region of the call).
    await new STSClient(sdkConfig(sim, admin, 'eu-central-1')).send(new GetCallerIdentityCommand({}));
    const lastUsed = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: admin.accessKeyId }));
    expect(lastUsed).toMatchObject({
      UserName: 'christophe',
      AccessKeyLastUsed: { ServiceName: 'iam', Region: 'us-east-1', LastUsedDate: sim.clock.now() },
    });
    const outsider = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'x').key;
    const info = await new STSClient(sdkConfig(sim, admin)).send(
      new GetAccessKeyInfoCommand({ AccessKeyId: outsider.accessKeyId }),
    );
    expect(info.Account).toBe(EXTERNAL_ACCOUNT);
  });

  it('pages ListUsers with Marker and MaxItems', async () => {
    for (let i = 0; i < 5; i++) await iam.send(new CreateUserCommand({ UserName: `bulk-${i}` }));
    const p1 = await iam.send(new ListUsersCommand({ MaxItems: 3 }));
    expect(p1.IsTruncated).toBe(true);
    const p2 = await iam.send(new ListUsersCommand({ MaxItems: 3, Marker: p1.Marker }));
    const p3 = await iam.send(new ListUsersCommand({ MaxItems: 3, Marker: p2.Marker }));
    expect(p3.IsTruncated).toBe(false);
    expect([...p1.Users!, ...p2.Users!, ...p3.Users!].map((u) => u.UserName)).toHaveLength(7);
  });
});
