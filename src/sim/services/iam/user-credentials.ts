import { createHash } from 'node:crypto';
import { SimError } from '../../core/errors.js';
import type { OperationDef } from '../../core/service.js';
import type { XmlValue } from '../../core/protocols/xml.js';
import { getUser } from './entities.js';
import type { IamUser, ServiceSpecificCredential, SigningCertificate, SshPublicKey } from './model.js';
import { d, page, targetUser, type IamCtx } from './shapes.js';
import { userArn } from './users.js';

type Ops = Record<string, OperationDef<undefined>>;
type Status = 'Active' | 'Inactive';

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function statusParam(ctx: IamCtx): Status {
  const status = ctx.params.require('Status');
  if (status !== 'Active' && status !== 'Inactive')
    throw new SimError('ValidationError', `Invalid status: ${status}. Valid values: Active, Inactive.`, 400);
  return status;
}

/** The user a call names (or the caller), which must exist. */
function owner(ctx: IamCtx, required: boolean): IamUser {
  const name = required ? ctx.params.require('UserName') : targetUser(ctx);
  if (name === undefined)
    throw new SimError('ValidationError', 'Root has no SSH keys or service credentials here.', 400);
  return getUser(ctx.account, name);
}

/**
 * MD5 fingerprint of an OpenSSH public key's blob, colon-separated (what IAM shows); the key
 * types CodeCommit accepts (IAM API UploadSSHPublicKey).
 */
function sshFingerprint(body: string): string {
  const match = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)) ([A-Za-z0-9+/]+={0,2})(\s.*)?$/.exec(
    body.trim(),
  );
  const blob = match ? Buffer.from(match[2]!, 'base64') : undefined;
  if (!blob || blob.length < 16)
    throw new SimError('InvalidPublicKey', 'The public key is malformed or otherwise invalid.', 400);
  return createHash('md5')
    .update(blob)
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}

/** One kind of user credential declared once: its list, the way to make one, its shapes. */
interface CredentialKind<C extends { id: string; status: Status }> {
  /** Noun in the API names (`SSHPublicKey`), the id parameter and the list member. */
  noun: string;
  idParam: string;
  listMember: string;
  /** What IAM calls the thing in its NoSuchEntity message. */
  label: string;
  /** Per-user quota (IAM quotas, "IAM object quotas"). */
  quota: number;
  quotaName: string;
  /** Whether UserName is required (true) or defaults to the caller (false). */
  userRequired: boolean;
  list(user: IamUser): C[];
  make(ctx: IamCtx, user: IamUser): C;
  /** Full shape (create/get); `listed` is the list entry's shape. */
  full(user: IamUser, c: C): Record<string, XmlValue>;
  listed(user: IamUser, c: C): Record<string, XmlValue>;
  /** The list filter a call may give (ServiceName). */
  filter?(ctx: IamCtx, c: C): boolean;
  /** What CloudTrail records of the create's answer (never a password). */
  trailed?(user: IamUser, c: C): unknown;
}

function kindOps<C extends { id: string; status: Status }>(
  k: CredentialKind<C>,
  createOp: string,
  names: { list: string; update: string; remove: string; get?: string },
): Ops {
  const on = {
    resource: (ctx: IamCtx) =>
      userArn(ctx, k.userRequired ? ctx.params.require('UserName') : targetUser(ctx)),
  };
  const find = (ctx: IamCtx, user: IamUser): C => {
    const id = ctx.params.require(k.idParam);
    const found = k.list(user).find((c) => c.id === id);
    if (!found) throw new SimError('NoSuchEntity', `The ${k.label} with id ${id} cannot be found.`, 404);
    return found;
  };
  const ops: Ops = {
    [createOp]: {
      auth: on,
      handler(ctx) {
        const user = owner(ctx, k.userRequired);
        const list = k.list(user);
        if (list.filter((c) => !k.filter || k.filter(ctx, c)).length >= k.quota)
          throw new SimError('LimitExceeded', `Cannot exceed quota for ${k.quotaName}: ${k.quota}`, 409);
        const made = k.make(ctx, user);
        list.push(made);
        if (k.trailed) ctx.trail.responseElements = k.trailed(user, made);
        return { [k.noun]: k.full(user, made) };
      },
    },
    [names.list]: {
      auth: on,
      handler(ctx) {
        const user = owner(ctx, false);
        const items = k.list(user).filter((c) => !k.filter || k.filter(ctx, c));
        const p = page(items, ctx.params);
        return {
          [k.listMember]: p.items.map((c) => k.listed(user, c)),
          IsTruncated: p.IsTruncated,
          Marker: p.Marker,
        };
      },
    },
    [names.update]: {
      auth: on,
      handler(ctx) {
        find(ctx, owner(ctx, k.userRequired)).status = statusParam(ctx);
        return undefined;
      },
    },
    [names.remove]: {
      auth: on,
      handler(ctx) {
        const user = owner(ctx, k.userRequired);
        const gone = find(ctx, user);
        const list = k.list(user);
        list.splice(list.indexOf(gone), 1);
        return undefined;
      },
    },
  };
  if (names.get)
    ops[names.get] = {
      auth: on,
      handler(ctx) {
        const user = owner(ctx, true);
        return { [k.noun]: k.full(user, find(ctx, user)) };
      },
    };
  return ops;
}

const sshKeys: CredentialKind<SshPublicKey> = {
  noun: 'SSHPublicKey',
  idParam: 'SSHPublicKeyId',
  listMember: 'SSHPublicKeys',
  label: 'Public Key',
  quota: 5,
  quotaName: 'PublicKeysPerUser',
  userRequired: true,
  list: (u) => (u.sshPublicKeys ??= []),
  make(ctx) {
    const body = ctx.params.require('SSHPublicKeyBody');
    return {
      id: ctx.sim.ids.iamId('APKA'),
      body,
      fingerprint: sshFingerprint(body),
      status: 'Active',
      uploadDate: ctx.sim.nowIso(),
    };
  },
  listed: (u, c) => ({
    UserName: u.userName,
    SSHPublicKeyId: c.id,
    Status: c.status,
    UploadDate: d(c.uploadDate),
  }),
  full: (u, c) => ({
    UserName: u.userName,
    SSHPublicKeyId: c.id,
    Fingerprint: c.fingerprint,
    SSHPublicKeyBody: c.body,
    Status: c.status,
    UploadDate: d(c.uploadDate),
  }),
};

const signingCertificates: CredentialKind<SigningCertificate> = {
  noun: 'Certificate',
  idParam: 'CertificateId',
  listMember: 'Certificates',
  label: 'Signing Certificate',
  quota: 2,
  quotaName: 'SigningCertificatesPerUser',
  userRequired: false,
  list: (u) => (u.signingCertificates ??= []),
  make(ctx) {
    const body = ctx.params.require('CertificateBody');
    if (!/^-----BEGIN CERTIFICATE-----\s[\s\S]+\s-----END CERTIFICATE-----\s*$/.test(body.trim() + '\n'))
      throw new SimError('MalformedCertificate', 'The certificate body is not a valid PEM certificate.', 400);
    return { id: ctx.sim.ids.chars(ID_CHARS, 24), body, status: 'Active', uploadDate: ctx.sim.nowIso() };
  },
  full: (u, c) => ({
    UserName: u.userName,
    CertificateId: c.id,
    CertificateBody: c.body,
    Status: c.status,
    UploadDate: d(c.uploadDate),
  }),
  listed: (u, c) => signingCertificates.full(u, c),
};

/** Services that issue service-specific credentials (IAM API CreateServiceSpecificCredential). */
const CREDENTIAL_SERVICES = new Set(['codecommit.amazonaws.com', 'cassandra.amazonaws.com']);

const serviceCredentials: CredentialKind<ServiceSpecificCredential> = {
  noun: 'ServiceSpecificCredential',
  idParam: 'ServiceSpecificCredentialId',
  listMember: 'ServiceSpecificCredentials',
  label: 'Service Specific Credential',
  quota: 2,
  quotaName: 'ServiceSpecificCredentialsPerUserPerService',
  userRequired: true,
  list: (u) => (u.serviceSpecificCredentials ??= []),
  filter: (ctx, c) => {
    const service = ctx.params.get('ServiceName');
    return service === undefined || c.serviceName === service;
  },
  make(ctx, user) {
    const serviceName = ctx.params.require('ServiceName');
    if (!CREDENTIAL_SERVICES.has(serviceName))
      throw new SimError('NotSupportedService', `The service ${serviceName} is not supported.`, 404);
    return {
      id: ctx.sim.ids.iamId('ACCA'),
      serviceName,
      serviceUserName: `${user.userName}-at-${ctx.account.accountId}`,
      password: ctx.sim.ids.secret(),
      status: 'Active',
      createDate: ctx.sim.nowIso(),
    };
  },
  listed: (u, c) => ({
    UserName: u.userName,
    Status: c.status,
    ServiceUserName: c.serviceUserName,
    CreateDate: d(c.createDate),
    ServiceSpecificCredentialId: c.id,
    ServiceName: c.serviceName,
  }),
  full: (u, c) => ({ ...serviceCredentials.listed(u, c), ServicePassword: c.password }),
  // The password is a secret: CloudTrail records the credential without it.
  trailed: (u, c) => ({
    serviceSpecificCredential: {
      userName: u.userName,
      status: c.status,
      serviceUserName: c.serviceUserName,
      serviceSpecificCredentialId: c.id,
      serviceName: c.serviceName,
      createDate: c.createDate,
    },
  }),
};

/** Why DeleteUser must refuse while one of these credentials remains (DeleteConflict). */
export function otherCredentialsConflict(user: IamUser): string | undefined {
  if (user.signingCertificates?.length) return 'delete signing certificates';
  if (user.sshPublicKeys?.length) return 'delete SSH public keys';
  if (user.serviceSpecificCredentials?.length) return 'delete service-specific credentials';
  return undefined;
}

/** SSH public keys, signing certificates and service-specific credentials of IAM users. */
export const userCredentialOps: Ops = {
  ...kindOps(sshKeys, 'UploadSSHPublicKey', {
    list: 'ListSSHPublicKeys',
    get: 'GetSSHPublicKey',
    update: 'UpdateSSHPublicKey',
    remove: 'DeleteSSHPublicKey',
  }),
  ...kindOps(signingCertificates, 'UploadSigningCertificate', {
    list: 'ListSigningCertificates',
    update: 'UpdateSigningCertificate',
    remove: 'DeleteSigningCertificate',
  }),
  ...kindOps(serviceCredentials, 'CreateServiceSpecificCredential', {
    list: 'ListServiceSpecificCredentials',
    update: 'UpdateServiceSpecificCredential',
    remove: 'DeleteServiceSpecificCredential',
  }),
};
