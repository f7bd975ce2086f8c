import {
  GetAccountAuthorizationDetailsCommand,
  GetLoginProfileCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  type PolicyDetail,
  type UserDetail,
} from '@aws-sdk/client-iam';
import { item, parsePolicy, listPages } from '../item.js';
import type { InventoryItem, ListContext, ListerDef } from '../types.js';

/** IAM is global; its API lives in us-east-1. */
const IAM_REGION = 'us-east-1';
const GLOBAL = 'global';

const inline = (list: PolicyDetail[] | undefined) =>
  (list ?? []).map((p) => ({ name: p.PolicyName, document: parsePolicy(p.PolicyDocument) }));
const attached = (list: { PolicyArn?: string | undefined }[] | undefined) =>
  (list ?? []).map((p) => p.PolicyArn).filter((a): a is string => typeof a === 'string');

/**
 * Users, groups, roles and customer managed policies (every version, with documents) from one
 * paged GetAccountAuthorizationDetails; AWS managed policies only where something is attached to
 * them (their documents are what the blast radius evaluates); then each user's credentials.
 */
export const iamLister: ListerDef = {
  id: 'iam.authorization',
  service: 'iam',
  scope: 'global',
  homeRegion: IAM_REGION,
  async list(ctx) {
    const iam = ctx.pool.get(IAMClient, IAM_REGION);
    const g = { ...ctx, region: GLOBAL };
    const pages = await listPages(
      ctx,
      'list',
      (t) =>
        iam.send(
          new GetAccountAuthorizationDetailsCommand({
            Filter: ['User', 'Group', 'Role', 'LocalManagedPolicy'],
            Marker: t,
          }),
        ),
      (o) => [[o], o.IsTruncated ? o.Marker : undefined],
    );
    if (!pages) return [];
    const users = pages.flatMap((p) => p.UserDetailList ?? []);
    const out: InventoryItem[] = [];
    for (const u of users) {
      out.push(
        item(g, {
          type: 'AWS::IAM::User',
          id: u.UserName ?? '',
          name: u.UserName ?? '',
          arn: u.Arn,
          createdAt: u.CreateDate,
          data: {
            userId: u.UserId,
            path: u.Path,
            groups: u.GroupList ?? [],
            attachedPolicies: attached(u.AttachedManagedPolicies),
            inlinePolicies: inline(u.UserPolicyList),
            permissionsBoundary: u.PermissionsBoundary?.PermissionsBoundaryArn,
          },
        }),
      );
    }
    for (const gr of pages.flatMap((p) => p.GroupDetailList ?? [])) {
      out.push(
        item(g, {
          type: 'AWS::IAM::Group',
          id: gr.GroupName ?? '',
          name: gr.GroupName ?? '',
          arn: gr.Arn,
          createdAt: gr.CreateDate,
          data: {
            attachedPolicies: attached(gr.AttachedManagedPolicies),
            inlinePolicies: inline(gr.GroupPolicyList),
          },
        }),
      );
    }
    for (const r of pages.flatMap((p) => p.RoleDetailList ?? [])) {
      out.push(
        item(g, {
          type: 'AWS::IAM::Role',
          id: r.RoleName ?? '',
          name: r.RoleName ?? '',
          arn: r.Arn,
          createdAt: r.CreateDate,
          data: {
            path: r.Path,
            trust: parsePolicy(r.AssumeRolePolicyDocument),
            attachedPolicies: attached(r.AttachedManagedPolicies),
            inlinePolicies: inline(r.RolePolicyList),
            permissionsBoundary: r.PermissionsBoundary?.PermissionsBoundaryArn,
            instanceProfiles: (r.InstanceProfileList ?? []).map((p) => p.InstanceProfileName),
            lastUsed: r.RoleLastUsed?.LastUsedDate?.toISOString(),
          },
        }),
      );
    }
    for (const p of pages.flatMap((page) => page.Policies ?? [])) {
      out.push(
        item(g, {
          type: 'AWS::IAM::ManagedPolicy',
          id: p.Arn ?? '',
          name: p.PolicyName ?? '',
          arn: p.Arn,
          createdAt: p.CreateDate,
          data: {
            defaultVersionId: p.DefaultVersionId,
            attachmentCount: p.AttachmentCount,
            versions: (p.PolicyVersionList ?? []).map((v) => ({
              versionId: v.VersionId,
              isDefault: v.IsDefaultVersion,
              createdAt: v.CreateDate?.toISOString(),
              document: parsePolicy(v.Document),
            })),
          },
        }),
      );
    }
    const awsManaged = new Set(
      out
        .flatMap((i) => (i.data.attachedPolicies as string[] | undefined) ?? [])
        .filter((a) => a.startsWith('arn:aws:iam::aws:')),
    );
    const [credentials, managed, providers] = await Promise.all([
      Promise.all(users.map((u) => userCredentials(ctx, iam, u))),
      Promise.all([...awsManaged].map((arn) => awsManagedPolicy(ctx, iam, arn))),
      identityProviders(ctx, iam),
    ]);
    out.push(
      ...credentials.flat(),
      ...managed.filter((m): m is InventoryItem => m !== undefined),
      ...providers,
    );
    return out;
  },
};

/** A user's keys, password, MFA devices, SSH keys, signing certificates and service credentials. */
async function userCredentials(ctx: ListContext, iam: IAMClient, u: UserDetail): Promise<InventoryItem[]> {
  const UserName = u.UserName ?? '';
  const g = { ...ctx, region: GLOBAL };
  const parent = { type: 'AWS::IAM::User', id: UserName };
  const [keys, profile, mfa, ssh, certs, creds] = await Promise.all([
    ctx.read('access-keys', () => iam.send(new ListAccessKeysCommand({ UserName }))),
    ctx.read('login-profile', () => iam.send(new GetLoginProfileCommand({ UserName }))),
    ctx.read('mfa-devices', () => iam.send(new ListMFADevicesCommand({ UserName }))),
    ctx.read('ssh-keys', () => iam.send(new ListSSHPublicKeysCommand({ UserName }))),
    ctx.read('signing-certificates', () => iam.send(new ListSigningCertificatesCommand({ UserName }))),
    ctx.read('service-credentials', () => iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))),
  ]);
  const out: InventoryItem[] = [];
  for (const k of keys?.AccessKeyMetadata ?? []) {
    out.push(
      item(g, {
        type: 'AWS::IAM::AccessKey',
        id: k.AccessKeyId ?? '',
        name: k.AccessKeyId ?? '',
        parent,
        createdAt: k.CreateDate,
        data: { userName: UserName, status: k.Status },
      }),
    );
  }
  if (profile?.LoginProfile) {
    out.push(
      item(g, {
        type: 'AWS::IAM::LoginProfile',
        id: UserName,
        name: UserName,
        parent,
        createdAt: profile.LoginProfile.CreateDate,
        data: { userName: UserName, passwordResetRequired: profile.LoginProfile.PasswordResetRequired },
      }),
    );
  }
  for (const d of mfa?.MFADevices ?? []) {
    out.push(
      item(g, {
        type: 'AWS::IAM::MFADevice',
        id: d.SerialNumber ?? '',
        name: d.SerialNumber ?? '',
        parent,
        createdAt: d.EnableDate,
        data: { userName: UserName },
      }),
    );
  }
  for (const k of ssh?.SSHPublicKeys ?? []) {
    out.push(
      item(g, {
        type: 'AWS::IAM::SSHPublicKey',
        id: k.SSHPublicKeyId ?? '',
        name: k.SSHPublicKeyId ?? '',
        parent,
        createdAt: k.UploadDate,
        data: { userName: UserName, status: k.Status },
      }),
    );
  }
  for (const c of certs?.Certificates ?? []) {
    out.push(
      item(g, {
        type: 'AWS::IAM::SigningCertificate',
        id: c.CertificateId ?? '',
        name: c.CertificateId ?? '',
        parent,
        createdAt: c.UploadDate,
        data: { userName: UserName, status: c.Status },
      }),
    );
  }
  for (const c of creds?.ServiceSpecificCredentials ?? []) {
    out.push(
      item(g, {
        type: 'AWS::IAM::ServiceSpecificCredential',
        id: c.ServiceSpecificCredentialId ?? '',
        name: c.ServiceUserName ?? c.ServiceSpecificCredentialId ?? '',
        parent,
        createdAt: c.CreateDate,
        data: { userName: UserName, serviceName: c.ServiceName, status: c.Status },
      }),
    );
  }
  return out;
}

/** An AWS managed policy's default document (the blast radius evaluates it). */
async function awsManagedPolicy(
  ctx: ListContext,
  iam: IAMClient,
  arn: string,
): Promise<InventoryItem | undefined> {
  const policy = await ctx.read('aws-managed-policies', () =>
    iam.send(new GetPolicyCommand({ PolicyArn: arn })),
  );
  const versionId = policy?.Policy?.DefaultVersionId;
  if (!versionId) return undefined;
  const version = await ctx.read('aws-managed-policies', () =>
    iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
  );
  if (!version?.PolicyVersion) return undefined;
  return {
    type: 'AWS::IAM::ManagedPolicy',
    id: arn,
    name: policy.Policy?.PolicyName ?? arn,
    arn,
    region: GLOBAL,
    account: 'aws',
    data: {
      awsManaged: true,
      defaultVersionId: versionId,
      versions: [{ versionId, isDefault: true, document: parsePolicy(version.PolicyVersion.Document) }],
    },
  };
}

/** OIDC and SAML identity providers (who may federate into the account's roles). */
async function identityProviders(ctx: ListContext, iam: IAMClient): Promise<InventoryItem[]> {
  const g = { ...ctx, region: GLOBAL };
  const [oidc, saml] = await Promise.all([
    ctx.read('oidc-providers', () => iam.send(new ListOpenIDConnectProvidersCommand({}))),
    ctx.read('saml-providers', () => iam.send(new ListSAMLProvidersCommand({}))),
  ]);
  const out: InventoryItem[] = [];
  for (const p of oidc?.OpenIDConnectProviderList ?? []) {
    const arn = p.Arn ?? '';
    const detail = await ctx.read('oidc-providers', () =>
      iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    );
    out.push(
      item(g, {
        type: 'AWS::IAM::OIDCProvider',
        id: arn,
        name: detail?.Url ?? arn.replace(/^.*oidc-provider\//, ''),
        arn,
        createdAt: detail?.CreateDate,
        data: { url: detail?.Url, clientIds: detail?.ClientIDList, thumbprints: detail?.ThumbprintList },
      }),
    );
  }
  for (const p of saml?.SAMLProviderList ?? []) {
    const arn = p.Arn ?? '';
    out.push(
      item(g, {
        type: 'AWS::IAM::SAMLProvider',
        id: arn,
        name: arn.replace(/^.*saml-provider\//, ''),
        arn,
        createdAt: p.CreateDate,
        data: { validUntil: p.ValidUntil?.toISOString() },
      }),
    );
  }
  return out;
}
