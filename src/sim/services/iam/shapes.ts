import { SimError } from '../../core/errors.js';
import type { OpContext } from '../../core/service.js';
import type { QueryParams } from '../../core/params.js';
import type { XmlValue } from '../../core/protocols/xml.js';
import type { AccountState } from '../../state.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';
import type { AccessKey, IamGroup, IamRole, IamUser, ManagedPolicy, Tag } from './model.js';

/** IAM handlers' context (IAM keeps its state in `account.iam`, not a service slice). */
export type IamCtx = OpContext<undefined>;

/**
 * IAM returns policy documents URL-encoded (RFC 3986) inside the XML; the CLI decodes them, the
 * JS SDK hands the encoded text to the caller (IAM API reference, "PolicyDocument").
 */
export function encodeDoc(doc: string): string {
  return encodeURIComponent(doc);
}

/** A date stored as ISO text, as a Date for the XML writer and CloudTrail's Java-style dates. */
export function d(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(iso);
}

function tags(list: Tag[]): XmlValue {
  return list.length ? list.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined;
}

function boundary(arn: string | undefined): XmlValue {
  return arn ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn } : undefined;
}

export function userShape(u: IamUser, full = false): Record<string, XmlValue> {
  return {
    Path: u.path,
    UserName: u.userName,
    UserId: u.userId,
    Arn: u.arn,
    CreateDate: d(u.createDate),
    PasswordLastUsed: d(u.passwordLastUsed),
    ...(full ? { PermissionsBoundary: boundary(u.permissionsBoundary), Tags: tags(u.tags) } : {}),
  };
}

export function keyShape(k: AccessKey): Record<string, XmlValue> {
  return { UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: d(k.createDate) };
}

export function groupShape(g: IamGroup): Record<string, XmlValue> {
  return {
    Path: g.path,
    GroupName: g.groupName,
    GroupId: g.groupId,
    Arn: g.arn,
    CreateDate: d(g.createDate),
  };
}

export function roleShape(r: IamRole, full = false): Record<string, XmlValue> {
  return {
    Path: r.path,
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: d(r.createDate),
    AssumeRolePolicyDocument: encodeDoc(r.assumeRolePolicyDocument),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    ...(full
      ? {
          PermissionsBoundary: boundary(r.permissionsBoundary),
          Tags: tags(r.tags),
          RoleLastUsed: r.lastUsed ? { LastUsedDate: d(r.lastUsed.date), Region: r.lastUsed.region } : {},
        }
      : {}),
  };
}

/** How many users, groups and roles a managed policy is attached to. */
export function attachmentCount(account: AccountState, arn: string): number {
  const { users, groups, roles } = account.iam;
  return [...Object.values(users), ...Object.values(groups), ...Object.values(roles)].filter((h) =>
    h.attachedPolicies.includes(arn),
  ).length;
}

function boundaryCount(account: AccountState, arn: string): number {
  return [...Object.values(account.iam.users), ...Object.values(account.iam.roles)].filter(
    (h) => h.permissionsBoundary === arn,
  ).length;
}

/** Policy metadata (customer or AWS managed). */
export function policyShape(account: AccountState, arn: string): Record<string, XmlValue> | undefined {
  const own: ManagedPolicy | undefined = account.iam.policies[arn];
  if (own) {
    return {
      PolicyName: own.policyName,
      PolicyId: own.policyId,
      Arn: own.arn,
      Path: own.path,
      DefaultVersionId: own.defaultVersionId,
      AttachmentCount: attachmentCount(account, arn),
      PermissionsBoundaryUsageCount: boundaryCount(account, arn),
      IsAttachable: true,
      Description: own.description,
      CreateDate: d(own.createDate),
      UpdateDate: d(own.updateDate),
      Tags: tags(own.tags),
    };
  }
  const aws = AWS_MANAGED_POLICIES[arn];
  if (!aws) return undefined;
  return {
    PolicyName: aws.name,
    PolicyId: aws.policyId,
    Arn: arn,
    Path: aws.path,
    DefaultVersionId: aws.versionId,
    AttachmentCount: attachmentCount(account, arn),
    PermissionsBoundaryUsageCount: boundaryCount(account, arn),
    IsAttachable: true,
    Description: aws.description,
    CreateDate: d(aws.createDate),
    UpdateDate: d(aws.updateDate),
  };
}

/**
 * One page of a Marker/MaxItems listing (IAM default and maximum page sizes: 100 / 1000). The
 * marker is an opaque token holding the next index.
 */
export function page<T>(
  items: T[],
  params: QueryParams,
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const max = Math.min(Math.max(params.int('MaxItems') ?? 100, 1), 1000);
  const marker = params.get('Marker');
  let start = 0;
  if (marker) {
    start = Number(Buffer.from(marker, 'base64').toString('utf8').replace(/^tq:/, ''));
    if (!Number.isInteger(start) || start < 0) throw new SimError('InvalidInput', 'Invalid Marker.', 400);
  }
  const slice = items.slice(start, start + max);
  const next = start + max;
  return next < items.length
    ? { items: slice, IsTruncated: true, Marker: Buffer.from(`tq:${next}`).toString('base64') }
    : { items: slice, IsTruncated: false };
}

/** Entries whose path starts with PathPrefix (IAM list filters). */
export function byPrefix<T extends { path: string }>(items: T[], params: QueryParams): T[] {
  const prefix = params.get('PathPrefix') ?? '/';
  return items.filter((i) => i.path.startsWith(prefix));
}

/**
 * The user an operation is about: `UserName` if given, else the caller's own user (IAM infers
 * it from the signing key; root's own keys when root calls; aws-facts §3.1).
 */
export function targetUser(ctx: IamCtx): string | undefined {
  const named = ctx.params.get('UserName');
  if (named) return named;
  if (ctx.caller.type === 'Root') return undefined;
  if (ctx.caller.type === 'IAMUser' && ctx.caller.userName) return ctx.caller.userName;
  throw new SimError('ValidationError', 'Must specify userName when calling with non-User credentials', 400);
}

/** `arn:aws:iam::<acct>:<kind>/<name>` for authorization when the entity may not exist yet. */
export function iamArn(ctx: IamCtx, kind: string, name: string | undefined, path = '/'): string {
  if (name === undefined) return `arn:aws:iam::${ctx.caller.accountId}:root`;
  return `arn:aws:iam::${ctx.caller.accountId}:${kind}${path}${name}`;
}

/** Check a policy document is JSON with a Statement (MalformedPolicyDocument otherwise). */
export function checkPolicyDocument(text: string): string {
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    if (doc && typeof doc === 'object' && doc.Statement !== undefined) return text;
  } catch {
    // fall through to the AWS error
  }
  throw new SimError('MalformedPolicyDocument', 'Syntax errors in policy.', 400);
}

/** Tags from `Tags.member.N.Key/Value`. */
export function tagsParam(params: QueryParams): Tag[] {
  return params.structs('Tags').map((t) => ({ Key: t.require('Key'), Value: t.get('Value') ?? '' }));
}
