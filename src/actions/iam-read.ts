import {
  GetLoginProfileCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import { classifyAwsError } from '../aws/errors.js';
import { collectAll } from '../aws/paginate.js';
import type { ClientPool } from '../aws/pool.js';

/** IAM is global; its API is reached through us-east-1 (where its CloudTrail events land too). */
export const IAM_REGION = 'us-east-1';

/** The IAM client of a pool. */
export function iamOf(pool: ClientPool): IAMClient {
  return pool.get(IAMClient, IAM_REGION);
}

/** Run an IAM read; NoSuchEntity becomes `undefined` (absent is a result), anything else throws. */
export async function readOrAbsent<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (classifyAwsError(error).kind === 'absent') return undefined;
    throw error;
  }
}

/**
 * IAM returns policy documents URL-encoded (RFC 3986) in GetUserPolicy/GetRolePolicy and in
 * GetAccountAuthorizationDetails; the SDK does not decode them.
 */
export function decodePolicyDocument(text: string): unknown {
  const trimmed = text.trim();
  return JSON.parse(trimmed.startsWith('{') ? trimmed : decodeURIComponent(trimmed)) as unknown;
}

/** The inline policy `policyName` of a user or role, decoded; undefined when there is none. */
export async function getInlinePolicy(
  pool: ClientPool,
  principal: 'user' | 'role',
  name: string,
  policyName: string,
): Promise<{ text: string; document: unknown } | undefined> {
  const iam = iamOf(pool);
  const out = await readOrAbsent<{ PolicyDocument?: string }>(() =>
    principal === 'user'
      ? iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: policyName }))
      : iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName })),
  );
  if (!out?.PolicyDocument) return undefined;
  const document = decodePolicyDocument(out.PolicyDocument);
  return { text: JSON.stringify(document), document };
}

/** Status of one access key of a user, or undefined when the key does not exist (deleted). */
export async function accessKeyStatus(
  pool: ClientPool,
  userName: string,
  accessKeyId: string,
): Promise<{ status: string; created: string | undefined } | undefined> {
  const out = await readOrAbsent(() => iamOf(pool).send(new ListAccessKeysCommand({ UserName: userName })));
  // A user has at most two keys, so one page always holds them all.
  const key = out?.AccessKeyMetadata?.find((k) => k.AccessKeyId === accessKeyId);
  if (!key) return undefined;
  return { status: key.Status ?? 'unknown', created: key.CreateDate?.toISOString() };
}

/** The console password of a user: when it was created and last used; undefined when none. */
export async function loginProfile(
  pool: ClientPool,
  userName: string,
): Promise<{ created: string | null; lastUsed: string | null; resetRequired: boolean } | undefined> {
  const iam = iamOf(pool);
  const profile = await readOrAbsent(() => iam.send(new GetLoginProfileCommand({ UserName: userName })));
  if (!profile?.LoginProfile) return undefined;
  const user = await readOrAbsent(() => iam.send(new GetUserCommand({ UserName: userName })));
  return {
    created: profile.LoginProfile.CreateDate?.toISOString() ?? null,
    // null rather than absent: "never used" must survive into the plan file as a fact.
    lastUsed: user?.User?.PasswordLastUsed?.toISOString() ?? null,
    resetRequired: profile.LoginProfile.PasswordResetRequired ?? false,
  };
}

/** The last path segment of an IAM ARN (`arn:aws:iam::1:role/path/Name` → `Name`). */
export function nameFromArn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.split('/').at(-1) ?? resource;
}

/** Every item of a paged IAM list call (IAM pages with `Marker`); `send` asks for one page. */
export function iamList<O extends { Marker?: string }, T>(
  send: (marker: string | undefined) => Promise<O>,
  items: (page: O) => T[] | undefined,
): Promise<T[]> {
  const first: { Marker?: string } = {};
  return collectAll({
    send: (input: { Marker?: string }) => send(input.Marker),
    input: first,
    inputToken: 'Marker',
    nextToken: (page) => page.Marker,
    items,
  });
}
