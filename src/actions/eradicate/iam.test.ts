import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  CreateServiceSpecificCredentialCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  ListSSHPublicKeysCommand,
  ListVirtualMFADevicesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  AttachRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAws } from '../../sim/test-support/aws.js';
import { undoStep } from '../engine.js';
import { CaseFolder } from '../../case/case.js';
import { systemClock } from '../../clock.js';
import { eradicationRegistry } from './index.js';
import { A, ADMIN, caseVerifies, outcome, planAndApply, startBed, type Bed } from './test-support/bed.js';

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILT8JP9jZHhhrObTMUM3AKYnwXKhy8Shr4/prZiEBnU2 root@kali';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2hhbmdl\n-----END CERTIFICATE-----';
const ATTACKER = '444455556666';

let bed: Bed;
beforeAll(async () => {
  bed = await startBed('eradicate-iam');
});
afterAll(() => bed.stop());

const readEvidence = (dir: string, path: string) => readFileSync(join(dir, 'evidence', path), 'utf8');

describe('IAM eradication actions against the simulated account', () => {
  it('delete-iam-user: keeps the record, then removes every credential, policy and group in the order IAM requires', async () => {
    const { iam } = bed;
    const u = { UserName: 'svc-backup' };
    await iam.send(new CreateUserCommand(u));
    await iam.send(new AttachUserPolicyCommand({ ...u, PolicyArn: ADMIN }));
    await iam.send(
      new PutUserPolicyCommand({
        ...u,
        PolicyName: 'extra',
        PolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand(u))).AccessKey!;
    await iam.send(new CreateAccessKeyCommand(u));
    await iam.send(new CreateLoginProfileCommand({ ...u, Password: 'Winter2026!Backup#' }));
    const mfa = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'svc-backup' })))
      .VirtualMFADevice!;
    await iam.send(
      new EnableMFADeviceCommand({
        ...u,
        SerialNumber: mfa.SerialNumber,
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
    );
    await iam.send(new UploadSSHPublicKeyCommand({ ...u, SSHPublicKeyBody: SSH_KEY }));
    await iam.send(new UploadSigningCertificateCommand({ ...u, CertificateBody: CERT }));
    await iam.send(
      new CreateServiceSpecificCredentialCommand({ ...u, ServiceName: 'codecommit.amazonaws.com' }),
    );
    await iam.send(new CreateGroupCommand({ GroupName: 'ops' }));
    await iam.send(new AddUserToGroupCommand({ ...u, GroupName: 'ops' }));

    const run = await planAndApply(bed, [
      { action: 'delete-iam-user', account: A, params: { userName: 'svc-backup' } },
    ]);
    expect(run.plan.steps[0]!.change).toMatch(
      /^keep its record, delete 2 access key\(s\), console password, 1 MFA device\(s\), 1 SSH key\(s\), 1 signing certificate\(s\), 1 service credential\(s\), 1 inline policy\(ies\), 1 attached policy\(ies\), 1 group membership\(s\), then the user$/,
    );
    expect(run.apply.results.map((r) => r.outcome)).toEqual(['applied']);
    expect(run.apply.verified).toBe(true);
    expect(await outcome(() => iam.send(new GetUserCommand(u)))).toBe('NoSuchEntityException');
    // The official CLI agrees, and the key the attacker held is refused.
    const cli = await runAws(bed.sim, bed.responder, ['iam', 'get-user', '--user-name', 'svc-backup']);
    expect(cli.stderr).toContain('NoSuchEntity');
    const attacker = await runAws(
      bed.sim,
      { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
      ['sts', 'get-caller-identity'],
    );
    expect(attacker.stderr).toContain('InvalidClientTokenId');
    // Evidence first: the record names the keys and holds the inline policy document.
    const kept = run.evidence.find((p) => p.endsWith('/user.json'))!;
    const record = JSON.parse(readEvidence(run.dir, kept)) as {
      accessKeys: { accessKeyId: string }[];
      inlinePolicies: Record<string, unknown>;
    };
    expect(record.accessKeys.map((k) => k.accessKeyId)).toContain(key.AccessKeyId);
    expect(record.inlinePolicies.extra).toMatchObject({ Statement: [{ Action: 's3:*' }] });
    expect(readEvidence(run.dir, kept)).not.toContain(key.SecretAccessKey);
    expect(await caseVerifies(run.dir)).toBe(true);

    // A second plan in the same case is a no-op and calls nothing that writes.
    const again = await planAndApply(
      bed,
      [{ action: 'delete-iam-user', account: A, params: { userName: 'svc-backup' } }],
      run.dir,
    );
    expect(again.plan.steps[0]).toMatchObject({ noop: true, change: 'already gone' });
    expect(again.apply.results[0]!.outcome).toBe('unchanged');
  });

  it('refuses to delete a user created before the attack, however it was named', async () => {
    await bed.iam.send(new CreateUserCommand({ UserName: 'old-admin' }));
    const run = await planAndApply(bed, [
      {
        action: 'delete-iam-user',
        account: A,
        params: { userName: 'old-admin', createdAfter: new Date(Date.now() + 60_000).toISOString() },
      },
    ]);
    expect(run.plan.steps[0]!.refused).toMatch(/before the attack .*restored, never deleted/);
    expect(run.apply.results[0]!.outcome).toBe('refused');
    expect(await outcome(() => bed.iam.send(new GetUserCommand({ UserName: 'old-admin' })))).toBe('ok');
  });

  it("removes a user IAM dates a second before the CloudTrail time of the attacker's first call (two clocks)", async () => {
    await bed.iam.send(new CreateUserCommand({ UserName: 'svc-edge' }));
    // CloudTrail's whole second can fall after the service's: the user made by the first call.
    const firstCall = new Date(Date.now() + 1_500).toISOString();
    const run = await planAndApply(bed, [
      { action: 'delete-iam-user', account: A, params: { userName: 'svc-edge', createdAfter: firstCall } },
    ]);
    expect(run.plan.steps[0]!.refused).toBeUndefined();
    expect(run.apply.results[0]!.outcome).toBe('applied');
    expect(await outcome(() => bed.iam.send(new GetUserCommand({ UserName: 'svc-edge' })))).not.toBe('ok');
  });

  it('delete-access-key and the other credentials of an existing user: the user and its own key stay', async () => {
    const { iam } = bed;
    const u = { UserName: 'ops-admin' };
    await iam.send(new CreateUserCommand(u));
    const own = (await iam.send(new CreateAccessKeyCommand(u))).AccessKey!.AccessKeyId!;
    const since = new Date(Date.now() - 1000).toISOString();
    const added = (await iam.send(new CreateAccessKeyCommand(u))).AccessKey!.AccessKeyId!;
    const ssh = (await iam.send(new UploadSSHPublicKeyCommand({ ...u, SSHPublicKeyBody: SSH_KEY })))
      .SSHPublicKey!.SSHPublicKeyId!;
    const mfa = (
      await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'attacker-phone' }))
    ).VirtualMFADevice!.SerialNumber!;
    await iam.send(
      new EnableMFADeviceCommand({
        ...u,
        SerialNumber: mfa,
        AuthenticationCode1: '123456',
        AuthenticationCode2: '654321',
      }),
    );
    const run = await planAndApply(bed, [
      {
        action: 'delete-access-key',
        account: A,
        params: { userName: 'ops-admin', accessKeyId: added, createdAfter: since },
      },
      { action: 'delete-ssh-public-key', account: A, params: { userName: 'ops-admin', id: ssh } },
      { action: 'delete-mfa-device', account: A, params: { serialNumber: mfa } },
    ]);
    expect(run.plan.steps.map((s) => s.noop)).toEqual([false, false, false]);
    expect(run.apply.verified).toBe(true);
    const keys = (await iam.send(new ListAccessKeysCommand(u))).AccessKeyMetadata!;
    expect(keys.map((k) => [k.AccessKeyId, k.Status])).toEqual([[own, 'Active']]);
    expect((await iam.send(new ListSSHPublicKeysCommand(u))).SSHPublicKeys).toEqual([]);
    const devices = (await iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices ?? [];
    expect(devices.map((d) => d.SerialNumber)).not.toContain(mfa);
    expect(
      run.evidence.filter((p) => /access-key\.json|ssh-public-key\.json|mfa-device\.json/.test(p)),
    ).toHaveLength(3);
    expect(await caseVerifies(run.dir)).toBe(true);
  });

  it('restore-policy-version: the pre-attack version is default again, byte for byte, and the admin version is gone', async () => {
    const { iam } = bed;
    // The pre-attack document, with the owner's own formatting.
    const original =
      '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::acme-artifacts/*" } ]\n}';
    const arn = (
      await iam.send(new CreatePolicyCommand({ PolicyName: 'app-deploy-policy', PolicyDocument: original }))
    ).Policy!.Arn!;
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        SetAsDefault: true,
        PolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      }),
    );
    const run = await planAndApply(bed, [
      { action: 'restore-policy-version', account: A, params: { policyArn: arn, versionId: 'v2' } },
    ]);
    expect(run.plan.steps[0]!.change).toBe('default v2 → v1; keep and delete v2');
    expect(run.apply.verified).toBe(true);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe('v1');
    expect(
      (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!.map((v) => v.VersionId),
    ).toEqual(['v1']);
    const doc = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })))
      .PolicyVersion!.Document!;
    expect(decodeURIComponent(doc)).toBe(original);
    // The CLI reads the same default, and the attacker's document is in the evidence.
    const cli = await runAws(bed.sim, bed.responder, [
      'iam',
      'get-policy',
      '--policy-arn',
      arn,
      '--query',
      'Policy.DefaultVersionId',
      '--output',
      'text',
    ]);
    expect(cli.stdout.trim()).toBe('v1');
    const kept = run.evidence.find((p) => p.endsWith('policy-version-v2.json'))!;
    expect(readEvidence(run.dir, kept)).toContain('"Action":"*"');
    expect(await caseVerifies(run.dir)).toBe(true);
  });

  it('restore-role-trust: the prior document byte for byte; without one, only the attacker principal goes; undo puts it back', async () => {
    const { iam } = bed;
    const prior = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${A}:root"},"Action":"sts:AssumeRole"}]}`;
    const opened = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::${A}:root","arn:aws:iam::${ATTACKER}:root"]},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::${A}:oidc-provider/oidc.ci-runner.dev"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`;
    for (const name of ['deploy-role', 'ci-role']) {
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: prior }));
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: opened }));
    }
    const run = await planAndApply(bed, [
      { action: 'restore-role-trust', account: A, params: { roleName: 'deploy-role', priorDocument: prior } },
      {
        action: 'restore-role-trust',
        account: A,
        params: { roleName: 'ci-role', removePrincipals: `${ATTACKER},oidc-provider/oidc.ci-runner.dev` },
      },
    ]);
    expect(run.apply.verified).toBe(true);
    const trust = async (name: string) =>
      decodeURIComponent(
        (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!,
      );
    expect(await trust('deploy-role')).toBe(prior);
    expect(JSON.parse(await trust('ci-role'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${A}:root`] }, Action: 'sts:AssumeRole' },
      ],
    });
    expect(
      readEvidence(
        run.dir,
        run.evidence.find((p) => p.endsWith('trust-policy.json'))!,
      ),
    ).toBe(opened);

    const folder = CaseFolder.open(run.dir, { clock: systemClock });
    try {
      await undoStep(bed.env, folder, eradicationRegistry, `restore-role-trust:${A}:deploy-role`);
    } finally {
      folder.close();
    }
    expect(await trust('deploy-role')).toBe(opened);
  });

  it('refuses a trust restoration that would leave no statement', async () => {
    await bed.iam.send(
      new CreateRoleCommand({
        RoleName: 'only-attacker',
        AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ATTACKER}:root"},"Action":"sts:AssumeRole"}]}`,
      }),
    );
    const run = await planAndApply(bed, [
      {
        action: 'restore-role-trust',
        account: A,
        params: { roleName: 'only-attacker', removePrincipals: ATTACKER },
      },
    ]);
    expect(run.plan.steps[0]!.refused).toMatch(/would leave no statement/);
  });

  it('delete-role, delete-managed-policy, detach-policy, delete-inline-policy, identity providers', async () => {
    const { iam } = bed;
    const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${ATTACKER}:root"},"Action":"sts:AssumeRole"}]}`;
    await iam.send(new CreateRoleCommand({ RoleName: 'backdoor-role', AssumeRolePolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'backdoor-role',
        PolicyName: 'all',
        PolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      }),
    );
    const policy = (
      await iam.send(
        new CreatePolicyCommand({
          PolicyName: 'backdoor-policy',
          PolicyDocument:
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}',
        }),
      )
    ).Policy!.Arn!;
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'backdoor-role', PolicyArn: policy }));
    await iam.send(
      new CreateRoleCommand({ RoleName: 'app-role', AssumeRolePolicyDocument: trust.replace(ATTACKER, A) }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app-role', PolicyArn: ADMIN }));
    await iam.send(new CreateUserCommand({ UserName: 'dev' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'dev',
        PolicyName: 'sneaky',
        PolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      }),
    );
    const oidc = (
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://oidc.ci-runner.dev',
          ClientIDList: ['sts.amazonaws.com'],
          ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
        }),
      )
    ).OpenIDConnectProviderArn!;
    const saml = (
      await iam.send(
        new CreateSAMLProviderCommand({
          Name: 'evil-idp',
          SAMLMetadataDocument: `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://evil.example/idp">${'x'.repeat(1000)}</EntityDescriptor>`,
        }),
      )
    ).SAMLProviderArn!;

    const run = await planAndApply(bed, [
      { action: 'delete-role', account: A, params: { roleName: 'backdoor-role' } },
      { action: 'delete-managed-policy', account: A, params: { policyArn: policy } },
      {
        action: 'detach-policy',
        account: A,
        params: { principalType: 'role', principalName: 'app-role', policyArn: ADMIN },
      },
      {
        action: 'delete-inline-policy',
        account: A,
        params: { principalType: 'user', principalName: 'dev', policyName: 'sneaky' },
      },
      { action: 'delete-oidc-provider', account: A, params: { arn: oidc } },
      { action: 'delete-saml-provider', account: A, params: { arn: saml } },
    ]);
    expect(run.apply.results.map((r) => `${r.step.action} ${r.outcome} ${String(r.verify?.ok)}`)).toEqual([
      'delete-role applied true',
      'delete-managed-policy applied true',
      'detach-policy applied true',
      'delete-inline-policy applied true',
      'delete-oidc-provider applied true',
      'delete-saml-provider applied true',
    ]);
    expect(await outcome(() => iam.send(new GetRoleCommand({ RoleName: 'backdoor-role' })))).toBe(
      'NoSuchEntityException',
    );
    expect(await outcome(() => iam.send(new GetPolicyCommand({ PolicyArn: policy })))).toBe(
      'NoSuchEntityException',
    );
    expect(
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app-role' }))).AttachedPolicies,
    ).toEqual([]);
    expect(
      await outcome(() => iam.send(new GetUserPolicyCommand({ UserName: 'dev', PolicyName: 'sneaky' }))),
    ).toBe('NoSuchEntityException');
    const providers = await runAws(bed.sim, bed.responder, [
      'iam',
      'list-open-id-connect-providers',
      '--output',
      'text',
    ]);
    expect(providers.stdout).not.toContain('oidc.ci-runner.dev');
    expect(run.evidence.map((p) => p.split('/').at(-1))).toEqual(
      expect.arrayContaining([
        'role.json',
        'policy.json',
        'policy-document.json',
        'inline-policy.json',
        'oidc-provider.json',
        'saml-metadata.xml',
      ]),
    );

    // Undo of a restoration puts the before-state back; a removal says why it cannot.
    const folder = CaseFolder.open(run.dir, { clock: systemClock });
    try {
      await undoStep(bed.env, folder, eradicationRegistry, 'delete-inline-policy');
      await expect(undoStep(bed.env, folder, eradicationRegistry, 'delete-role')).rejects.toThrow(
        /cannot be undone: a deleted role/,
      );
    } finally {
      folder.close();
    }
    expect(
      await outcome(() => iam.send(new GetUserPolicyCommand({ UserName: 'dev', PolicyName: 'sneaky' }))),
    ).toBe('ok');
  });
});
