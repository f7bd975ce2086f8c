import {
  CreateServiceSpecificCredentialCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  GetSSHPublicKeyCommand,
  IAMClient,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  UpdateSSHPublicKeyCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import { LookupEventsCommand, CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import { runAws, sdkConfig, type Creds } from '../../test-support/aws.js';
import { createUser, createUserWithKey } from './entities.js';

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILT8JP9jZHhhrObTMUM3AKYnwXKhy8Shr4/prZiEBnU2 root@kali';
const CERT = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ2hhbmdlIG1lIGluIGEgcmVhbCBhY2NvdW50MAoGCCqGSM49
-----END CERTIFICATE-----`;

let sim: RunningSim;
let admin: Creds;
let iam: IAMClient;
beforeAll(async () => {
  sim = await startSim({
    seed: 'user-credentials',
    clock: new SimClock({ start: '2026-05-04T09:00:00Z', frozen: true }),
    lookupEventsPerSecond: 100,
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  createUser(sim.state, sim.state.accountOrThrow(VICTIM_ACCOUNT), 'dev');
  iam = new IAMClient(sdkConfig(sim, admin));
});
afterAll(() => sim.stop());

describe('IAM user credentials: SSH public keys, signing certificates, service-specific credentials', () => {
  it('SDK: upload, list, get, deactivate, and DeleteUser refuses until each is deleted', async () => {
    const ssh = await iam.send(new UploadSSHPublicKeyCommand({ UserName: 'dev', SSHPublicKeyBody: SSH_KEY }));
    expect(ssh.SSHPublicKey).toMatchObject({ UserName: 'dev', Status: 'Active', SSHPublicKeyBody: SSH_KEY });
    expect(ssh.SSHPublicKey!.SSHPublicKeyId).toMatch(/^APKA[A-Z2-7]{16}$/);
    expect(ssh.SSHPublicKey!.Fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const sshId = ssh.SSHPublicKey!.SSHPublicKeyId!;
    await iam.send(
      new UpdateSSHPublicKeyCommand({ UserName: 'dev', SSHPublicKeyId: sshId, Status: 'Inactive' }),
    );
    const got = await iam.send(
      new GetSSHPublicKeyCommand({ UserName: 'dev', SSHPublicKeyId: sshId, Encoding: 'SSH' }),
    );
    expect(got.SSHPublicKey!.Status).toBe('Inactive');
    await expect(
      iam.send(new UploadSSHPublicKeyCommand({ UserName: 'dev', SSHPublicKeyBody: 'not a key' })),
    ).rejects.toMatchObject({ name: 'InvalidPublicKeyException' });

    const cert = await iam.send(
      new UploadSigningCertificateCommand({ UserName: 'dev', CertificateBody: CERT }),
    );
    const certId = cert.Certificate!.CertificateId!;
    const cred = await iam.send(
      new CreateServiceSpecificCredentialCommand({
        UserName: 'dev',
        ServiceName: 'codecommit.amazonaws.com',
      }),
    );
    expect(cred.ServiceSpecificCredential).toMatchObject({
      ServiceUserName: `dev-at-${VICTIM_ACCOUNT}`,
      Status: 'Active',
    });
    expect(cred.ServiceSpecificCredential!.ServicePassword).toHaveLength(40);
    const credId = cred.ServiceSpecificCredential!.ServiceSpecificCredentialId!;

    expect(
      (await iam.send(new ListSSHPublicKeysCommand({ UserName: 'dev' }))).SSHPublicKeys!.map(
        (k) => k.SSHPublicKeyId,
      ),
    ).toEqual([sshId]);
    expect(
      (await iam.send(new ListSigningCertificatesCommand({ UserName: 'dev' }))).Certificates!.map(
        (c) => c.CertificateId,
      ),
    ).toEqual([certId]);
    const listed = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'dev' }));
    expect(listed.ServiceSpecificCredentials!.map((c) => c.ServiceSpecificCredentialId)).toEqual([credId]);
    expect(JSON.stringify(listed)).not.toContain(cred.ServiceSpecificCredential!.ServicePassword);

    const deleteUser = () => iam.send(new DeleteUserCommand({ UserName: 'dev' }));
    await expect(deleteUser()).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await iam.send(new DeleteSigningCertificateCommand({ UserName: 'dev', CertificateId: certId }));
    await expect(deleteUser()).rejects.toThrow(/SSH public keys/);
    await iam.send(new DeleteSSHPublicKeyCommand({ UserName: 'dev', SSHPublicKeyId: sshId }));
    await expect(deleteUser()).rejects.toThrow(/service-specific credentials/);
    await iam.send(
      new DeleteServiceSpecificCredentialCommand({ UserName: 'dev', ServiceSpecificCredentialId: credId }),
    );
    await expect(
      iam.send(new DeleteSSHPublicKeyCommand({ UserName: 'dev', SSHPublicKeyId: sshId })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await deleteUser();

    // CloudTrail has the creation but never the service password.
    const ct = new CloudTrailClient(sdkConfig(sim, admin));
    const events = await ct.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateServiceSpecificCredential' }],
      }),
    );
    const record = events.Events![0]!.CloudTrailEvent!;
    expect(record).toContain(credId);
    expect(record).not.toContain(cred.ServiceSpecificCredential!.ServicePassword);
  });

  it('the official CLI: upload-ssh-public-key, list-*, delete-* for each kind', async () => {
    createUser(sim.state, sim.state.accountOrThrow(VICTIM_ACCOUNT), 'ops');
    const up = await runAws(sim, admin, [
      'iam',
      'upload-ssh-public-key',
      '--user-name',
      'ops',
      '--ssh-public-key-body',
      SSH_KEY,
    ]);
    expect(up.stderr).toBe('');
    const sshId = (JSON.parse(up.stdout) as { SSHPublicKey: { SSHPublicKeyId: string } }).SSHPublicKey
      .SSHPublicKeyId;
    const [cert, cred] = await Promise.all([
      runAws(sim, admin, [
        'iam',
        'upload-signing-certificate',
        '--user-name',
        'ops',
        '--certificate-body',
        CERT,
      ]),
      runAws(sim, admin, [
        'iam',
        'create-service-specific-credential',
        '--user-name',
        'ops',
        '--service-name',
        'cassandra.amazonaws.com',
      ]),
    ]);
    expect(cert.code + cred.code).toBe(0);
    const certId = (JSON.parse(cert.stdout) as { Certificate: { CertificateId: string } }).Certificate
      .CertificateId;
    const credId = (
      JSON.parse(cred.stdout) as { ServiceSpecificCredential: { ServiceSpecificCredentialId: string } }
    ).ServiceSpecificCredential.ServiceSpecificCredentialId;
    const lists = await Promise.all(
      ['list-ssh-public-keys', 'list-signing-certificates', 'list-service-specific-credentials'].map((c) =>
        runAws(sim, admin, ['iam', c, '--user-name', 'ops', '--output', 'text']),
      ),
    );
    expect(lists.map((l) => l.code)).toEqual([0, 0, 0]);
    expect(lists[0]!.stdout).toContain(sshId);
    expect(lists[1]!.stdout).toContain(certId);
    expect(lists[2]!.stdout).toContain(credId);
    const deletes = await Promise.all([
      runAws(sim, admin, [
        'iam',
        'delete-ssh-public-key',
        '--user-name',
        'ops',
        '--ssh-public-key-id',
        sshId,
      ]),
      runAws(sim, admin, [
        'iam',
        'delete-signing-certificate',
        '--user-name',
        'ops',
        '--certificate-id',
        certId,
      ]),
      runAws(sim, admin, [
        'iam',
        'delete-service-specific-credential',
        '--user-name',
        'ops',
        '--service-specific-credential-id',
        credId,
      ]),
    ]);
    expect(deletes.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
      [0, ''],
    ]);
    expect((await runAws(sim, admin, ['iam', 'delete-user', '--user-name', 'ops'])).code).toBe(0);
  });
});
