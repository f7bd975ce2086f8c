import {
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import type { ClientPool } from '../aws/pool.js';
import type { StepRequest } from './engine.js';
import { decodePolicyDocument, iamOf } from './iam-read.js';

/** Who the tool runs as: the identity and, for static or session keys, the key id. */
export interface Responder {
  arn: string;
  account: string;
  accessKeyId: string | undefined;
}

/** A step the guards refuse, and why. */
export interface Refusal {
  request: StepRequest;
  reason: string;
}

/** The user or role the responder's credentials belong to. */
export function responderPrincipal(r: Responder): { kind: 'user' | 'role' | 'other'; name: string } {
  const resource = r.arn.split(':').slice(5).join(':');
  if (resource.startsWith('user/')) return { kind: 'user', name: resource.split('/').at(-1)! };
  // arn:aws:sts::<acct>:assumed-role/<role>/<session>
  if (resource.startsWith('assumed-role/')) return { kind: 'role', name: resource.split('/')[1]! };
  return { kind: 'other', name: resource };
}

/**
 * Steps that would cut off the credentials the tool runs on (DESIGN.md §3.5): its own key, a
 * deny on its own user, a revocation or deny on the role its own session belongs to (its session
 * was issued before the cut-off).
 */
export function selfRefusals(requests: StepRequest[], responder: Responder): Refusal[] {
  const me = responderPrincipal(responder);
  const out: Refusal[] = [];
  for (const request of requests) {
    if (request.account !== responder.account) continue;
    const p = request.params;
    if (request.action === 'deactivate-access-key' && p.accessKeyId === responder.accessKeyId) {
      out.push({ request, reason: `${p.accessKeyId} is the access key Tourniquet itself runs on` });
    } else if (request.action.startsWith('user-') || request.action === 'delete-login-profile') {
      if (me.kind === 'user' && (p.name ?? p.userName) === me.name)
        out.push({
          request,
          reason: `user ${me.name} is the identity Tourniquet itself runs as (${responder.arn})`,
        });
    } else if (request.action.startsWith('role-')) {
      if (me.kind === 'role' && p.name === me.name)
        out.push({ request, reason: `Tourniquet runs on a session of role ${me.name} (${responder.arn})` });
    }
  }
  return out;
}

type Details = Pick<
  GetAccountAuthorizationDetailsCommandOutput,
  'UserDetailList' | 'GroupDetailList' | 'RoleDetailList' | 'Policies'
>;

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

const ADMIN_ARNS = new Set(['arn:aws:iam::aws:policy/AdministratorAccess']);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** An unconditional `Allow *` on `*`: full administrator rights. */
export function grantsAdmin(document: unknown): boolean {
  const s = (document as { Statement?: unknown } | null)?.Statement;
  return asList(s).some((raw) => {
    const st = raw as Statement;
    return (
      st.Effect === 'Allow' &&
      asList(st.Action).some((a) => a === '*' || a === '*:*') &&
      asList(st.Resource).includes('*') &&
      st.Condition === undefined
    );
  });
}

function inlineAdmin(list: { PolicyDocument?: string }[] | undefined): boolean {
  return (list ?? []).some(
    (p) => p.PolicyDocument !== undefined && grantsAdmin(decodePolicyDocument(p.PolicyDocument)),
  );
}

/**
 * The users and roles with administrator rights (attached, inline, or through a group) that stay
 * usable when the given users and roles receive a deny-all. Pure: works on the output of
 * GetAccountAuthorizationDetails. Service-linked roles are not counted (nobody signs in as them).
 */
export function adminsLeft(details: Details, denied: { users: Set<string>; roles: Set<string> }): string[] {
  const adminPolicies = new Set(ADMIN_ARNS);
  for (const p of details.Policies ?? []) {
    const version = p.PolicyVersionList?.find((v) => v.IsDefaultVersion);
    if (p.Arn && version?.Document && grantsAdmin(decodePolicyDocument(version.Document)))
      adminPolicies.add(p.Arn);
  }
  const attachedAdmin = (list: { PolicyArn?: string }[] | undefined) =>
    (list ?? []).some((a) => a.PolicyArn !== undefined && adminPolicies.has(a.PolicyArn));
  const adminGroups = new Set(
    (details.GroupDetailList ?? [])
      .filter((g) => attachedAdmin(g.AttachedManagedPolicies) || inlineAdmin(g.GroupPolicyList))
      .map((g) => g.GroupName),
  );
  const left: string[] = [];
  for (const u of details.UserDetailList ?? []) {
    const admin =
      attachedAdmin(u.AttachedManagedPolicies) ||
      inlineAdmin(u.UserPolicyList) ||
      (u.GroupList ?? []).some((g) => adminGroups.has(g));
    if (admin && u.UserName && !denied.users.has(u.UserName)) left.push(u.Arn ?? u.UserName);
  }
  for (const r of details.RoleDetailList ?? []) {
    if (r.Path?.startsWith('/aws-service-role/')) continue;
    const admin = attachedAdmin(r.AttachedManagedPolicies) || inlineAdmin(r.RolePolicyList);
    if (admin && r.RoleName && !denied.roles.has(r.RoleName)) left.push(r.Arn ?? r.RoleName);
  }
  return left;
}

/** Read the whole authorization picture of an account (one paged call). */
export async function authorizationDetails(pool: ClientPool): Promise<Details> {
  const iam = iamOf(pool);
  const all: Required<Details> = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  let marker: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const out = await iam.send(
      new GetAccountAuthorizationDetailsCommand({ ...(marker ? { Marker: marker } : {}) }),
    );
    all.UserDetailList.push(...(out.UserDetailList ?? []));
    all.GroupDetailList.push(...(out.GroupDetailList ?? []));
    all.RoleDetailList.push(...(out.RoleDetailList ?? []));
    all.Policies.push(...(out.Policies ?? []));
    if (!out.IsTruncated || !out.Marker) break;
    marker = out.Marker;
  }
  return all;
}

/** The users and roles a set of requests would deny everything to, per account. */
export function deniedBy(
  requests: StepRequest[],
  account: string,
): { users: Set<string>; roles: Set<string> } {
  const users = new Set<string>();
  const roles = new Set<string>();
  for (const r of requests) {
    if (r.account !== account) continue;
    if (r.action === 'user-deny-all') users.add(r.params.name!);
    if (r.action === 'role-deny-all') roles.add(r.params.name!);
  }
  return { users, roles };
}
