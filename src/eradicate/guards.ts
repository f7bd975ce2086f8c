import type { StepRequest } from '../actions/engine.js';
import {
  adminsLeft,
  authorizationDetails,
  responderPrincipal,
  type Refusal,
  type Responder,
} from '../actions/guards.js';
import type { ClientPool } from '../aws/pool.js';

/** The user or role a step acts on, when it acts on a principal. */
function principalOf(r: StepRequest): { kind: 'user' | 'role'; name: string } | undefined {
  const p = r.params;
  if (p.userName && /user|access-key|login-profile|mfa|ssh|signing|service-credential/.test(r.action))
    return { kind: 'user', name: p.userName };
  if (p.roleName) return { kind: 'role', name: p.roleName };
  if (p.principalType === 'user' || p.principalType === 'role')
    return { kind: p.principalType, name: p.principalName ?? '' };
  return undefined;
}

/** Steps that would touch the credentials or the principal Tourniquet itself runs as. */
export function responderRefusals(requests: StepRequest[], responder: Responder): Refusal[] {
  const me = responderPrincipal(responder);
  const out: Refusal[] = [];
  for (const request of requests) {
    if (request.account !== responder.account) continue;
    if (request.params.accessKeyId && request.params.accessKeyId === responder.accessKeyId)
      out.push({
        request,
        reason: `${request.params.accessKeyId} is the access key Tourniquet itself runs on`,
      });
    const target = principalOf(request);
    if (target && target.kind === me.kind && target.name === me.name)
      out.push({
        request,
        reason: `${target.kind} ${target.name} is the identity Tourniquet itself runs as (${responder.arn})`,
      });
  }
  return out;
}

/** The users and roles a set of requests would delete or strip of their policies, per account. */
function removedBy(requests: StepRequest[], account: string): { users: Set<string>; roles: Set<string> } {
  const users = new Set<string>();
  const roles = new Set<string>();
  for (const r of requests) {
    if (r.account !== account) continue;
    if (r.action === 'delete-iam-user') users.add(r.params.userName!);
    if (r.action === 'delete-role') roles.add(r.params.roleName!);
  }
  return { users, roles };
}

/**
 * Never leave an account without an administrator: when deleting the users and roles of the
 * plan would leave none (from GetAccountAuthorizationDetails), those deletions are refused.
 */
export async function lastAdminRefusals(
  requests: StepRequest[],
  poolFor: (account: string) => Promise<ClientPool>,
): Promise<Refusal[]> {
  const out: Refusal[] = [];
  for (const account of new Set(requests.map((r) => r.account))) {
    const removed = removedBy(requests, account);
    if (removed.users.size === 0 && removed.roles.size === 0) continue;
    const details = await authorizationDetails(await poolFor(account));
    if (adminsLeft(details, removed).length > 0) continue;
    for (const r of requests.filter(
      (q) => q.account === account && (q.action === 'delete-iam-user' || q.action === 'delete-role'),
    ))
      out.push({
        request: r,
        reason: `deleting it would leave account ${account} without any administrator`,
      });
  }
  return out;
}
