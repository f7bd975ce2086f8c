import {
  ESCALATION_METHODS,
  type EscalationMethod,
  type Gain,
  type Requirement,
} from './catalog/escalation.js';
import { servicePrincipals, statementsOf, strings } from './documents.js';
import { anyResource, type Evaluator } from './engine.js';
import { rolePrincipal, userPrincipal, type Principal } from './principals.js';
import { isAdmin, type NamedTarget } from './reach.js';
import type { ManagedPolicy, RoleEntity, UserEntity, World } from './world.js';

/** A target of an open escalation method and whether it leads to administrator rights. */
export interface EscalationTarget {
  arn: string;
  name: string;
  reachesAdmin: boolean;
}

/** An escalation method open to a principal: every required action allowed on these targets. */
export interface EscalationPath {
  method: string;
  title: string;
  reference: string;
  gains: Gain;
  /** The actions it takes (what a reader looks for in CloudTrail). */
  actions: string[];
  targets: EscalationTarget[];
  reachesAdmin: boolean;
}

/** What escalation needs to know beyond the policies: the roles each principal can assume, and admin verdicts. */
export interface EscalationContext {
  world: World;
  evaluator: Evaluator;
  /** Roles (same account) the principal can assume, from the graph. */
  assumable: (principal: Principal) => RoleEntity[];
  /** Administrator verdict, memoised per principal. */
  admin: (principal: Principal) => Promise<boolean>;
}

/** A memoised admin verdict for the principals escalation reaches. */
export function adminMemo(world: World, evaluator: Evaluator): (p: Principal) => Promise<boolean> {
  const memo = new Map<string, Promise<boolean>>();
  return (p) => {
    let known = memo.get(p.id);
    if (!known) {
      known = isAdmin(world, evaluator, p);
      memo.set(p.id, known);
    }
    return known;
  };
}

type Candidate = NamedTarget & { gain: () => Promise<boolean> };

const user = (p: Principal): UserEntity | undefined => (p.entity?.kind === 'user' ? p.entity : undefined);

function attachedPolicies(world: World, p: Principal): ManagedPolicy[] {
  const holders = [p.entity?.arn, ...(user(p)?.groups ?? [])].filter(Boolean);
  return [...world.policies.values()].filter(
    (policy) => policy.arn.split(':')[4] === p.account && policy.attachedTo.some((h) => holders.includes(h)),
  );
}

function trustsService(role: RoleEntity, services: string[]): boolean {
  return statementsOf(role.trust).some(
    (s) => s.Effect === 'Allow' && servicePrincipals(s).some((sp) => services.includes(sp)),
  );
}

/** The principal with one managed policy's document replaced (another version of it). */
function withVersion(
  p: Principal,
  policyArn: string,
  versionId: string,
  document: Record<string, unknown>,
): Principal {
  return {
    ...p,
    id: `${p.id} with ${policyArn}:${versionId}`,
    identity: p.identity.map((d) => (d.name.endsWith(`#${policyArn}`) ? { name: d.name, document } : d)),
  };
}

/** The targets of a method for a principal, each with how to tell whether it reaches admin. */
function candidates(ctx: EscalationContext, m: EscalationMethod, p: Principal): Candidate[] {
  const { world } = ctx;
  const own = p.account;
  const noBoundary = (q: Principal) => () => Promise.resolve(q.boundary === undefined);
  const u = user(p);
  const t = m.targets;
  if (typeof t === 'object') {
    const services = strings(t.service);
    return [...world.roles.values()]
      .filter(
        (r) =>
          r.account === own && trustsService(r, services) && (!t.instanceProfile || r.instanceProfiles > 0),
      )
      .map((r) => ({
        arn: r.arn,
        account: own,
        name: r.name,
        gain: () => ctx.admin(rolePrincipal(world, r)),
      }));
  }
  switch (t) {
    case 'self-user':
      if (!u || (m.gains === 'unbounded' && !u.boundary)) return [];
      return [
        {
          arn: u.arn,
          account: own,
          name: u.name,
          gain:
            m.gains === 'unbounded'
              ? () => ctx.admin({ ...p, id: `${p.id} unbounded`, boundary: undefined })
              : noBoundary(p),
        },
      ];
    case 'self-groups':
      return (u?.groups ?? [])
        .map((g) => world.groups.get(g))
        .filter((g) => g !== undefined)
        .map((g) => ({ arn: g.arn, account: own, name: g.name, gain: noBoundary(p) }));
    case 'groups':
      if (!u) return [];
      return [...world.groups.values()]
        .filter((g) => g.account === own && !u.groups.includes(g.arn))
        .map((g) => ({
          arn: g.arn,
          account: own,
          name: g.name,
          gain: () => ctx.admin(userPrincipal(world, { ...u, groups: [...u.groups, g.arn] })),
        }));
    case 'other-users':
      return [...world.users.values()]
        .filter((other) => other.account === own && other.arn !== u?.arn)
        .map((other) => ({
          arn: other.arn,
          account: own,
          name: other.name,
          gain: () => ctx.admin(userPrincipal(world, other)),
        }));
    case 'assumable-roles': {
      const self = p.entity?.kind === 'role' ? [p.entity] : [];
      const roles = [
        ...self,
        ...ctx.assumable(p).filter((r) => r.account === own && r.arn !== self[0]?.arn),
      ].filter((r) => m.gains !== 'unbounded' || r.boundary);
      return roles.map((r) => {
        const rp = rolePrincipal(world, r);
        return {
          arn: r.arn,
          account: own,
          name: r.name,
          gain:
            m.gains === 'unbounded'
              ? () => ctx.admin({ ...rp, id: `${rp.id} unbounded`, boundary: undefined })
              : noBoundary(rp),
        };
      });
    }
    case 'roles':
      return [...world.roles.values()]
        .filter((r) => r.account === own && r.arn !== p.entity?.arn)
        .map((r) => ({
          arn: r.arn,
          account: own,
          name: r.name,
          gain: () => ctx.admin(rolePrincipal(world, r)),
        }));
    case 'attached-policies':
      return attachedPolicies(world, p).map((policy) => ({
        arn: policy.arn,
        account: own,
        name: policy.name,
        gain: noBoundary(p),
      }));
    case 'policies-with-versions':
      return attachedPolicies(world, p)
        .filter((policy) => policy.versions.length > 1)
        .map((policy) => ({
          arn: policy.arn,
          account: own,
          name: policy.name,
          gain: async () => {
            for (const v of policy.versions.filter((v) => !v.isDefault))
              if (await ctx.admin(withVersion(p, policy.arn, v.versionId, v.document))) return true;
            return false;
          },
        }));
    case 'functions':
      return world.resources
        .filter((r) => r.type === 'AWS::Lambda::Function' && r.account === own)
        .map((r) => {
          const role = r.role ? world.roles.get(r.role) : undefined;
          return {
            arn: r.arn,
            account: own,
            region: r.region,
            name: r.name,
            policy: r.policy ?? undefined,
            gain: () => (role ? ctx.admin(rolePrincipal(world, role)) : Promise.resolve(false)),
          };
        });
    case 'any':
      return [
        {
          arn: '*',
          account: own,
          name: 'any (not listed in the snapshot)',
          gain: () => Promise.resolve(false),
        },
      ];
  }
}

async function allowed(
  ctx: EscalationContext,
  p: Principal,
  r: Requirement,
  target: NamedTarget,
): Promise<boolean> {
  const { world, evaluator } = ctx;
  if (r.on === 'any') {
    const arn = await anyResource(r.action, p.account, world.region, r.type);
    return (await evaluator.decide(p, r.action, { arn, account: p.account })).allowed;
  }
  if (r.trustRewritten) {
    // The method writes the trust first: any trust the attacker likes, so only the caller's side counts.
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: r.action }],
    };
    return (await evaluator.decide(p, r.action, { ...target, policy: trust, trust: true })).allowed;
  }
  const extra: Record<string, string> = r.passedTo ? { 'iam:PassedToService': r.passedTo } : {};
  return (await evaluator.decide(p, r.action, target, extra)).allowed;
}

/** The escalation methods open to a principal, each with its concrete targets. */
export async function escalationPaths(ctx: EscalationContext, p: Principal): Promise<EscalationPath[]> {
  const out: EscalationPath[] = [];
  for (const m of ESCALATION_METHODS) {
    const targets: EscalationTarget[] = [];
    for (const c of candidates(ctx, m, p)) {
      let open = true;
      for (const r of m.requires) {
        if (!(await allowed(ctx, p, r, c))) {
          open = false;
          break;
        }
      }
      if (open) targets.push({ arn: c.arn, name: c.name, reachesAdmin: await c.gain() });
    }
    if (targets.length)
      out.push({
        method: m.id,
        title: m.title,
        reference: m.reference,
        gains: m.gains,
        actions: m.requires.map((r) => r.action),
        targets,
        reachesAdmin: targets.some((t) => t.reachesAdmin),
      });
  }
  return out;
}
