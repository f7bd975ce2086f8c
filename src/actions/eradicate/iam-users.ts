import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DeleteVirtualMFADeviceCommand,
  DetachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  ListVirtualMFADevicesCommand,
  RemoveUserFromGroupCommand,
  UpdateAccessKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { decodePolicyDocument, iamList, iamOf, readOrAbsent } from '../iam-read.js';
import { asJson, removal, type Found } from './declare.js';

/** Everything hanging off an IAM user, read before it is deleted (and kept as evidence). */
export interface UserRecord {
  userName: string;
  arn: string;
  created: string | undefined;
  passwordLastUsed: string | undefined;
  accessKeys: { accessKeyId: string; status: string; created: string | undefined }[];
  loginProfile: { created: string | undefined } | null;
  mfaDevices: string[];
  sshPublicKeys: string[];
  signingCertificates: string[];
  serviceSpecificCredentials: string[];
  inlinePolicies: Record<string, unknown>;
  attachedPolicies: string[];
  groups: string[];
}

/** Read a user and every credential, policy and group it has; undefined when it is gone. */
export async function readUser(pool: ClientPool, userName: string): Promise<UserRecord | undefined> {
  const iam = iamOf(pool);
  const user = (await readOrAbsent(() => iam.send(new GetUserCommand({ UserName: userName }))))?.User;
  if (!user) return undefined;
  const q = { UserName: userName };
  const [keys, profile, mfa, ssh, certs, creds, inlineNames, attached, groups] = await Promise.all([
    iamList(
      (Marker) => iam.send(new ListAccessKeysCommand({ ...q, Marker })),
      (p) => p.AccessKeyMetadata,
    ),
    readOrAbsent(() => iam.send(new GetLoginProfileCommand(q))),
    iamList(
      (Marker) => iam.send(new ListMFADevicesCommand({ ...q, Marker })),
      (p) => p.MFADevices,
    ),
    iamList(
      (Marker) => iam.send(new ListSSHPublicKeysCommand({ ...q, Marker })),
      (p) => p.SSHPublicKeys,
    ),
    iamList(
      (Marker) => iam.send(new ListSigningCertificatesCommand({ ...q, Marker })),
      (p) => p.Certificates,
    ),
    // No pagination in this API: one answer lists every credential.
    iam.send(new ListServiceSpecificCredentialsCommand(q)),
    iamList(
      (Marker) => iam.send(new ListUserPoliciesCommand({ ...q, Marker })),
      (p) => p.PolicyNames,
    ),
    iamList(
      (Marker) => iam.send(new ListAttachedUserPoliciesCommand({ ...q, Marker })),
      (p) => p.AttachedPolicies,
    ),
    iamList(
      (Marker) => iam.send(new ListGroupsForUserCommand({ ...q, Marker })),
      (p) => p.Groups,
    ),
  ]);
  const inlinePolicies: Record<string, unknown> = {};
  for (const name of inlineNames) {
    const doc = await readOrAbsent(() =>
      iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name })),
    );
    if (doc?.PolicyDocument) inlinePolicies[name] = decodePolicyDocument(doc.PolicyDocument);
  }
  return {
    userName,
    arn: user.Arn ?? '',
    created: user.CreateDate?.toISOString(),
    passwordLastUsed: user.PasswordLastUsed?.toISOString(),
    accessKeys: keys.map((k) => ({
      accessKeyId: k.AccessKeyId ?? '',
      status: k.Status ?? 'unknown',
      created: k.CreateDate?.toISOString(),
    })),
    loginProfile: profile?.LoginProfile ? { created: profile.LoginProfile.CreateDate?.toISOString() } : null,
    mfaDevices: mfa.map((m) => m.SerialNumber ?? '').filter(Boolean),
    sshPublicKeys: ssh.map((k) => k.SSHPublicKeyId ?? '').filter(Boolean),
    signingCertificates: certs.map((c) => c.CertificateId ?? '').filter(Boolean),
    serviceSpecificCredentials: (creds.ServiceSpecificCredentials ?? [])
      .map((c) => c.ServiceSpecificCredentialId ?? '')
      .filter(Boolean),
    inlinePolicies,
    attachedPolicies: attached.map((a) => a.PolicyArn ?? '').filter(Boolean),
    groups: groups.map((g) => g.GroupName ?? '').filter(Boolean),
  };
}

/** Deactivate an MFA device from its user, then delete it when it is a virtual one. */
async function removeMfaDevice(iam: IAMClient, userName: string | undefined, serial: string): Promise<void> {
  if (userName)
    await readOrAbsent(() =>
      iam.send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: serial })),
    );
  // Hardware and U2F devices have no ARN serial and nothing to delete once deactivated.
  if (serial.startsWith('arn:'))
    await readOrAbsent(() => iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })));
}

/** Deactivate, then delete an access key (deactivate before delete, DESIGN.md §3.5). */
async function removeAccessKey(iam: IAMClient, userName: string, accessKeyId: string, status: string) {
  if (status === 'Active')
    await readOrAbsent(() =>
      iam.send(
        new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }),
      ),
    );
  await readOrAbsent(() =>
    iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId })),
  );
}

function count(n: number, what: string): string | undefined {
  return n ? `${n} ${what}` : undefined;
}

/**
 * Delete a user the attacker created, in the order IAM requires (DeleteUser fails with
 * DeleteConflict while anything hangs off it, IAM API DeleteUser): access keys, console
 * password, MFA devices (deactivated, then deleted), SSH keys, signing certificates,
 * service-specific credentials, inline policies, attached policies, group memberships, the user.
 */
export const deleteIamUser = removal<UserRecord>({
  name: 'delete-iam-user',
  summary: 'keep the user record, then delete an attacker-created IAM user and everything hanging off it',
  irreversibleBecause:
    'a deleted IAM user and its keys cannot be brought back; its record is in the evidence',
  target: (p) => p.userArn ?? p.userName ?? '?',
  async read(pool, p): Promise<Found<UserRecord> | undefined> {
    const user = await readUser(pool, p.userName!);
    return user && { state: user, created: user.created };
  },
  describe(u) {
    const parts = [
      count(u.accessKeys.length, 'access key(s)'),
      u.loginProfile ? 'console password' : undefined,
      count(u.mfaDevices.length, 'MFA device(s)'),
      count(u.sshPublicKeys.length, 'SSH key(s)'),
      count(u.signingCertificates.length, 'signing certificate(s)'),
      count(u.serviceSpecificCredentials.length, 'service credential(s)'),
      count(Object.keys(u.inlinePolicies).length, 'inline policy(ies)'),
      count(u.attachedPolicies.length, 'attached policy(ies)'),
      count(u.groups.length, 'group membership(s)'),
    ].filter(Boolean);
    return `keep its record, delete ${parts.length ? parts.join(', ') + ', then ' : ''}the user`;
  },
  async preserve(_pool, p, u, context) {
    return context.keep('user.json', asJson(u), `iam:GetUser and lists for ${p.userName}`);
  },
  async remove(pool, _p, u) {
    const iam = iamOf(pool);
    const q = { UserName: u.userName };
    const gone = <T>(call: () => Promise<T>) => readOrAbsent(call);
    for (const k of u.accessKeys) await removeAccessKey(iam, u.userName, k.accessKeyId, k.status);
    if (u.loginProfile) await gone(() => iam.send(new DeleteLoginProfileCommand(q)));
    for (const serial of u.mfaDevices) await removeMfaDevice(iam, u.userName, serial);
    for (const id of u.sshPublicKeys)
      await gone(() => iam.send(new DeleteSSHPublicKeyCommand({ ...q, SSHPublicKeyId: id })));
    for (const id of u.signingCertificates)
      await gone(() => iam.send(new DeleteSigningCertificateCommand({ ...q, CertificateId: id })));
    for (const id of u.serviceSpecificCredentials)
      await gone(() =>
        iam.send(new DeleteServiceSpecificCredentialCommand({ ...q, ServiceSpecificCredentialId: id })),
      );
    for (const name of Object.keys(u.inlinePolicies))
      await gone(() => iam.send(new DeleteUserPolicyCommand({ ...q, PolicyName: name })));
    for (const arn of u.attachedPolicies)
      await gone(() => iam.send(new DetachUserPolicyCommand({ ...q, PolicyArn: arn })));
    for (const group of u.groups)
      await gone(() => iam.send(new RemoveUserFromGroupCommand({ ...q, GroupName: group })));
    await gone(() => iam.send(new DeleteUserCommand(q)));
  },
});

interface KeyRecord {
  userName: string;
  accessKeyId: string;
  status: string;
  created: string | undefined;
  lastUsed: { date: string | undefined; service: string | undefined; region: string | undefined } | null;
}

async function readKey(pool: ClientPool, p: StepParams): Promise<KeyRecord | undefined> {
  const iam = iamOf(pool);
  const listed = await readOrAbsent(() => iam.send(new ListAccessKeysCommand({ UserName: p.userName })));
  // A user has at most two keys: one page holds them.
  const key = listed?.AccessKeyMetadata?.find((k) => k.AccessKeyId === p.accessKeyId);
  if (!key) return undefined;
  const used = await readOrAbsent(() =>
    iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: p.accessKeyId })),
  );
  const last = used?.AccessKeyLastUsed;
  return {
    userName: p.userName!,
    accessKeyId: p.accessKeyId!,
    status: key.Status ?? 'unknown',
    created: key.CreateDate?.toISOString(),
    lastUsed: last?.LastUsedDate
      ? { date: last.LastUsedDate.toISOString(), service: last.ServiceName, region: last.Region }
      : null,
  };
}

/** Delete a key the attacker made for a user that stays (a second key for an existing admin). */
export const deleteAccessKey = removal<KeyRecord>({
  name: 'delete-access-key',
  summary: 'keep the key record, deactivate, then delete an access key the attacker created (the user stays)',
  irreversibleBecause: 'a deleted access key cannot be restored; create a new one if it was needed',
  target: (p) => p.accessKeyId ?? '?',
  async read(pool, p) {
    const key = await readKey(pool, p);
    return key && { state: key, created: key.created };
  },
  describe: (k) =>
    `keep its record (last used ${k.lastUsed?.date ?? 'never'}), ${k.status === 'Active' ? 'deactivate, ' : ''}delete the key of ${k.userName}`,
  preserve: (_pool, p, k, context) =>
    context.keep('access-key.json', asJson(k), `iam:ListAccessKeys for ${p.userName}`),
  async remove(pool, _p, k) {
    await removeAccessKey(iamOf(pool), k.userName, k.accessKeyId, k.status);
  },
});

interface MfaRecord {
  serialNumber: string;
  userName: string | undefined;
  enabled: string | undefined;
}

/** Remove an MFA device the attacker registered (on an attacker user or an existing one). */
export const deleteMfaDevice = removal<MfaRecord>({
  name: 'delete-mfa-device',
  summary: "deactivate and delete an MFA device the attacker registered (the user's own stay)",
  irreversibleBecause: 'a deleted virtual MFA device cannot be restored; the owner registers a new one',
  target: (p) => p.serialNumber ?? '?',
  async read(pool, p) {
    const iam = iamOf(pool);
    const virtual = await iamList(
      (Marker) => iam.send(new ListVirtualMFADevicesCommand({ ...{}, Marker })),
      (page) => page.VirtualMFADevices,
    );
    const v = virtual.find((d) => d.SerialNumber === p.serialNumber);
    let userName = v?.User?.UserName ?? p.userName;
    let enabled = v?.EnableDate?.toISOString();
    if (!v && p.userName) {
      const listed = await readOrAbsent(() => iam.send(new ListMFADevicesCommand({ UserName: p.userName })));
      const m = listed?.MFADevices?.find((d) => d.SerialNumber === p.serialNumber);
      if (!m) return undefined;
      userName = m.UserName;
      enabled = m.EnableDate?.toISOString();
    } else if (!v) return undefined;
    return { state: { serialNumber: p.serialNumber!, userName, enabled }, created: enabled };
  },
  describe: (m) => `deactivate from ${m.userName ?? 'no user'} and delete ${m.serialNumber}`,
  preserve: (_pool, _p, m, context) =>
    context.keep('mfa-device.json', asJson(m), 'iam:ListVirtualMFADevices'),
  async remove(pool, _p, m) {
    await removeMfaDevice(iamOf(pool), m.userName, m.serialNumber);
  },
});

/** Other credentials of a user that stays: SSH keys, signing certificates, service passwords. */
const CREDENTIAL_KINDS = {
  'delete-ssh-public-key': {
    what: 'SSH public key',
    list: async (iam: IAMClient, userName: string) =>
      ((await iam.send(new ListSSHPublicKeysCommand({ UserName: userName }))).SSHPublicKeys ?? []).map(
        (k) => ({
          id: k.SSHPublicKeyId,
          status: k.Status,
          created: k.UploadDate?.toISOString(),
        }),
      ),
    remove: (iam: IAMClient, userName: string, id: string) =>
      iam.send(new DeleteSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: id })),
  },
  'delete-signing-certificate': {
    what: 'signing certificate',
    list: async (iam: IAMClient, userName: string) =>
      ((await iam.send(new ListSigningCertificatesCommand({ UserName: userName }))).Certificates ?? []).map(
        (c) => ({
          id: c.CertificateId,
          status: c.Status,
          created: c.UploadDate?.toISOString(),
          body: c.CertificateBody,
        }),
      ),
    remove: (iam: IAMClient, userName: string, id: string) =>
      iam.send(new DeleteSigningCertificateCommand({ UserName: userName, CertificateId: id })),
  },
  'delete-service-credential': {
    what: 'service-specific credential',
    list: async (iam: IAMClient, userName: string) =>
      (
        (await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: userName })))
          .ServiceSpecificCredentials ?? []
      ).map((c) => ({
        id: c.ServiceSpecificCredentialId,
        status: c.Status,
        created: c.CreateDate?.toISOString(),
        service: c.ServiceName,
        serviceUserName: c.ServiceUserName,
      })),
    remove: (iam: IAMClient, userName: string, id: string) =>
      iam.send(
        new DeleteServiceSpecificCredentialCommand({ UserName: userName, ServiceSpecificCredentialId: id }),
      ),
  },
};

type CredentialRecord = { id: string | undefined; status: string | undefined; created: string | undefined };

/** One removal per kind of user credential, from the table above. */
export const deleteUserCredentials = Object.entries(CREDENTIAL_KINDS).map(([name, kind]) =>
  removal<CredentialRecord>({
    name,
    summary: `keep its record, then delete a ${kind.what} the attacker added to a user (the user stays)`,
    irreversibleBecause: `a deleted ${kind.what} cannot be restored`,
    target: (p) => `${p.userName ?? '?'}/${p.id ?? '?'}`,
    async read(pool, p) {
      const listed = await readOrAbsent(() => kind.list(iamOf(pool), p.userName!));
      const found = listed?.find((c) => c.id === p.id);
      return found && { state: found, created: found.created };
    },
    describe: (c, p) => `keep its record, delete ${kind.what} ${c.id ?? '?'} of ${p.userName ?? '?'}`,
    preserve: (_pool, p, c, context) =>
      context.keep(
        `${name.replace(/^delete-/, '')}.json`,
        asJson({ userName: p.userName, ...c }),
        `iam list for ${p.userName}`,
      ),
    async remove(pool, p) {
      await readOrAbsent(() => kind.remove(iamOf(pool), p.userName!, p.id!));
    },
  }),
);
