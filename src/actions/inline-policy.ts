import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { ClientPool } from '../aws/pool.js';
import type { ActionDef, ApplyDetail, PlannedStep } from './action.js';
import { getInlinePolicy, iamOf, readOrAbsent } from './iam-read.js';

/** Name of our deny-all inline policy. */
export const DENY_ALL_POLICY = 'TourniquetDenyAll';
/** The name the IAM console gives its "Revoke active sessions" policy (aws-facts §3.3). */
export const REVOKE_POLICY = 'AWSRevokeOlderSessions';

/** Explicit deny of everything: overrides every allow of the principal (aws-facts §3.4). */
export function denyAllDocument(): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'TourniquetContainment', Effect: 'Deny', Action: '*', Resource: '*' }],
  };
}

/**
 * The revoke-older-sessions policy in the form the IAM documentation shows for the console's
 * "Revoke active sessions" (aws-facts §3.3). `aws:TokenIssueTime` exists only for temporary
 * credentials, so long-term keys and sessions issued after the cut-off are unaffected.
 */
export function revokeOlderSessionsDocument(cutoff: Date): object {
  return {
    Version: '2012-10-17',
    Statement: {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff.toISOString() } },
    },
  };
}

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function statementsOf(document: unknown): Statement[] {
  const s = (document as { Statement?: unknown } | null)?.Statement;
  const items: unknown[] = Array.isArray(s) ? s : s && typeof s === 'object' ? [s] : [];
  return items.filter((i): i is Statement => typeof i === 'object' && i !== null);
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const everything = (v: unknown) => list(v).some((a) => a === '*' || a === '*:*');

/** True when the document holds an unconditional `Deny * on *`. */
export function isDenyAll(document: unknown): boolean {
  return statementsOf(document).some(
    (s) => s.Effect === 'Deny' && everything(s.Action) && everything(s.Resource) && !s.Condition,
  );
}

/** The `aws:TokenIssueTime` cut-off of a deny-everything-older statement, when there is one. */
export function revokeCutoff(document: unknown): Date | undefined {
  for (const s of statementsOf(document)) {
    if (s.Effect !== 'Deny' || !everything(s.Action)) continue;
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      if (!/^DateLessThan(IfExists)?$/.test(operator)) continue;
      for (const [key, value] of Object.entries(keys)) {
        if (key.toLowerCase() !== 'aws:tokenissuetime') continue;
        const date = new Date(String(list(value)[0]));
        if (!Number.isNaN(date.getTime())) return date;
      }
    }
  }
  return undefined;
}

/** The kind of IAM principal an inline policy is put on. */
export type Principal = 'user' | 'role';
type Kind = 'deny-all' | 'revoke-sessions';

/** Put an inline policy on a user or a role. */
export async function put(
  pool: ClientPool,
  principal: Principal,
  name: string,
  policyName: string,
  doc: string,
) {
  const iam = iamOf(pool);
  if (principal === 'user')
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: policyName, PolicyDocument: doc }));
  else
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: doc }));
}

/** Delete an inline policy from a user or a role (absent is fine). */
async function remove(pool: ClientPool, principal: Principal, name: string, policyName: string) {
  const iam = iamOf(pool);
  await readOrAbsent(() =>
    principal === 'user'
      ? iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: policyName }))
      : iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policyName })),
  );
}

/** Undo of an inline-policy step: the same-named policy the plan read put back, or ours removed. */
export async function putBack(
  pool: ClientPool,
  principal: Principal,
  name: string,
  policyName: string,
  planned: unknown,
): Promise<ApplyDetail> {
  const before = planned as { exists: boolean; document?: string };
  if (before.exists && before.document) {
    await put(pool, principal, name, policyName, before.document);
    return { restored: `previous ${policyName}` };
  }
  await remove(pool, principal, name, policyName);
  return { restored: `${policyName} removed` };
}

/**
 * One inline-policy containment step, declared: which principal kind, which policy. The
 * before-state keeps the policy that had the same name (if any), so undo puts it back exactly.
 */
function inlinePolicyAction(name: string, principal: Principal, kind: Kind, summary: string): ActionDef {
  const policyName = kind === 'deny-all' ? DENY_ALL_POLICY : REVOKE_POLICY;
  const principalName = (step: Pick<PlannedStep, 'params'>) => step.params.name!;
  return {
    name,
    summary,
    target: (p) => p.arn ?? p.name ?? '?',
    async plan(env, account, params, prior) {
      const pool = await env.poolFor(account);
      const existing = await getInlinePolicy(pool, principal, params.name!, policyName);
      const before = existing ? { exists: true, document: existing.text } : { exists: false };
      if (kind === 'deny-all') {
        if (existing && isDenyAll(existing.document))
          return { before, change: `${policyName} already denies everything`, noop: true };
        return {
          before,
          change: `${existing ? 'replace' : 'add'} inline ${policyName} (Deny * on *)`,
          noop: false,
        };
      }
      // Re-running the console's revoke refreshes the cut-off; here a second run in the same case
      // is a no-op when the policy still holds a cut-off at least as late as the one we applied.
      const cutoff = existing ? revokeCutoff(existing.document) : undefined;
      const priorCutoff =
        typeof prior?.detail.cutoff === 'string' ? new Date(prior.detail.cutoff) : undefined;
      if (cutoff && priorCutoff && cutoff.getTime() >= priorCutoff.getTime())
        return {
          before,
          change: `sessions issued before ${cutoff.toISOString()} already denied`,
          noop: true,
        };
      return {
        before,
        change: `${existing ? 'refresh' : 'add'} inline ${policyName}: deny sessions issued before the moment of apply`,
        noop: false,
      };
    },
    async apply(env, step, context) {
      const pool = await env.poolFor(step.account);
      const document = kind === 'deny-all' ? denyAllDocument() : revokeOlderSessionsDocument(context.at);
      await put(pool, principal, principalName(step), policyName, JSON.stringify(document));
      return kind === 'deny-all' ? { policyName } : { policyName, cutoff: context.at.toISOString() };
    },
    async verify(env, step, applied: ApplyDetail | undefined) {
      const pool = await env.poolFor(step.account);
      const existing = await getInlinePolicy(pool, principal, principalName(step), policyName);
      if (!existing) return { ok: false, observed: `no inline ${policyName}` };
      if (kind === 'deny-all')
        return isDenyAll(existing.document)
          ? { ok: true, observed: `${policyName} denies everything` }
          : { ok: false, observed: `${policyName} does not deny everything` };
      const cutoff = revokeCutoff(existing.document);
      const wanted = typeof applied?.cutoff === 'string' ? new Date(applied.cutoff) : undefined;
      const ok = cutoff !== undefined && (wanted === undefined || cutoff.getTime() >= wanted.getTime());
      return {
        ok,
        observed: cutoff ? `denies sessions issued before ${cutoff.toISOString()}` : 'no TokenIssueTime deny',
      };
    },
    async undo(env, step) {
      return putBack(
        await env.poolFor(step.account),
        principal,
        principalName(step),
        policyName,
        step.before,
      );
    },
  };
}

export const userDenyAll = inlinePolicyAction(
  'user-deny-all',
  'user',
  'deny-all',
  'attach an inline deny-all policy to the user (stops its keys, console and sessions)',
);
export const userRevokeSessions = inlinePolicyAction(
  'user-revoke-sessions',
  'user',
  'revoke-sessions',
  "deny the user's sessions issued before now (GetSessionToken/GetFederationToken), even once deny-all is lifted",
);
export const roleRevokeSessions = inlinePolicyAction(
  'role-revoke-sessions',
  'role',
  'revoke-sessions',
  "revoke the role's active sessions: AWSRevokeOlderSessions, as the IAM console does",
);
export const roleDenyAll = inlinePolicyAction(
  'role-deny-all',
  'role',
  'deny-all',
  'attach an inline deny-all policy to the role (also blocks new sessions)',
);
