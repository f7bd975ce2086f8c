import { awsPrincipals, globMatch, mayAllow, statementsOf, strings, type Statement } from './documents.js';
import type { Evaluator } from './engine.js';
import { rolePrincipal, shortName, type Principal, type PrincipalKind } from './principals.js';
import type { AttackerEvent } from './snapshot.js';
import { accountOf, type RoleEntity, type World } from './world.js';

/** A principal, role or account of the graph. */
export interface GraphNode {
  /** The principal's ARN, the role's ARN, or `account:<id>` for an account we could not read. */
  id: string;
  kind: PrincipalKind | 'account';
  name: string;
  account: string;
  /** Its policies are in the snapshot (so its own reach is known). */
  readable: boolean;
  /** One of the compromised credentials (the graph's starting points). */
  compromised: boolean;
}

/**
 * `from` may call sts:AssumeRole on `to`: the engine allowed it with the caller's policies and
 * the role's trust policy; `trust: 'not-checked'` when the role is in an account we could not
 * read (only the caller's side was evaluated), or `to` is a whole account.
 */
export interface GraphEdge {
  from: string;
  to: string;
  trust: 'checked' | 'not-checked';
}

/** How a role is reached from a compromised credential, hop by hop. */
export interface RolePath {
  to: string;
  /** Node ids, from the compromised credential to `to`. */
  hops: string[];
  /** `dev-sam → deploy-role → prod-deploy (222233334444)`. */
  text: string;
  crossAccount: boolean;
  trustChecked: boolean;
}

export interface RoleGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The shortest path to every role or account reached. */
  paths: RolePath[];
}

const ASSUME = 'sts:AssumeRole';

/** A role the attacker's events show being assumed, and by whom (user, session or its role). */
interface ObservedAssume {
  role: string;
  callers: string[];
}

/** Roles the attacker's AssumeRole calls name (`roleArn`), with the callers that made them. */
function assumedInEvents(events: AttackerEvent[]): ObservedAssume[] {
  const out = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.eventName !== 'AssumeRole') continue;
    const params =
      typeof e.requestParameters === 'string' ? safeJson(e.requestParameters) : e.requestParameters;
    const roleArn = (params as { roleArn?: unknown } | null | undefined)?.roleArn;
    if (typeof roleArn !== 'string' || !roleArn.includes(':role/')) continue;
    const callers = out.get(roleArn) ?? new Set<string>();
    for (const c of [e.caller?.arn, e.caller?.issuer]) if (c) callers.add(c);
    out.set(roleArn, callers);
  }
  return [...out].map(([role, callers]) => ({ role, callers: [...callers] }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Role ARNs (or `role/*` patterns) in accounts we cannot read, that a principal's allows name for AssumeRole. */
function foreignRolePatterns(principal: Principal, world: World): string[] {
  const out = new Set<string>();
  for (const p of principal.identity)
    for (const s of statementsOf(p.document))
      if (mayAllow(s, ASSUME, undefined))
        for (const r of strings(s.Resource)) {
          const account = accountOf(r);
          if (r.startsWith('arn:aws:iam::') && /^\d{12}$/.test(account) && !world.accounts.has(account))
            out.add(r);
        }
  return [...out];
}

/** Whether a trust statement could admit the caller (principals only; the engine decides). */
function trustMayAdmit(statement: Statement, caller: Principal): boolean {
  if (!mayAllow(statement, ASSUME, undefined)) return false;
  return awsPrincipals(statement).some(
    (p) => p === '*' || p.includes(caller.account) || globMatch(p, caller.requestArn, false),
  );
}

/** A trust policy standing in for one we could not read: only the caller's side is then judged. */
const UNREAD_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: ASSUME }],
};

interface Walk {
  graph: RoleGraph;
  /** Principals of the graph's readable nodes, by node id, in discovery order. */
  principals: Map<string, Principal>;
}

/**
 * The roles the compromised credentials can assume, transitively and across accounts: a
 * breadth-first walk where each edge is one sts:AssumeRole decision of the engine.
 */
export async function walkRoleGraph(
  world: World,
  evaluator: Evaluator,
  starts: Principal[],
  events: AttackerEvent[],
): Promise<Walk> {
  const home = starts[0]?.account ?? '';
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const parent = new Map<string, { from: string; trust: GraphEdge['trust'] }>();
  const principals = new Map<string, Principal>();
  const queue: Principal[] = [];
  for (const p of starts) {
    if (nodes.has(p.arn)) continue;
    nodes.set(p.arn, {
      id: p.arn,
      kind: p.kind,
      name: shortName(p.arn, home),
      account: p.account,
      readable: true,
      compromised: true,
    });
    principals.set(p.arn, p);
    queue.push(p);
  }
  // Roles of accounts we cannot read are known only by name: from the attacker's calls (linked to
  // the caller that made them), or from a caller's policies naming them.
  const observed = assumedInEvents(events).filter((o) => !world.accounts.has(accountOf(o.role)));
  const roles = [...world.roles.values()];

  const addEdge = (from: string, to: GraphNode, trust: GraphEdge['trust']) => {
    if (!nodes.has(to.id)) nodes.set(to.id, to);
    edges.push({ from, to: to.id, trust });
    if (!parent.has(to.id) && !principals.has(to.id)) parent.set(to.id, { from, trust });
  };

  while (queue.length) {
    const caller = queue.shift()!;
    const self = caller.entity?.kind === 'role' ? caller.entity.arn : undefined;
    for (const role of roles) {
      if (role.arn === self || !role.trust) continue;
      if (!statementsOf(role.trust).some((s) => trustMayAdmit(s, caller))) continue;
      const decision = await evaluator.decide(caller, ASSUME, {
        arn: role.arn,
        account: role.account,
        policy: role.trust,
        trust: true,
      });
      if (!decision.allowed) continue;
      const known = nodes.has(role.arn);
      addEdge(caller.arn, roleNode(role, home), 'checked');
      if (!known) {
        const p = rolePrincipal(world, role);
        principals.set(role.arn, p);
        queue.push(p);
      }
    }
    const patterns = foreignRolePatterns(caller, world);
    const callerIds = [caller.arn, caller.requestArn, caller.entity?.arn];
    const foreign = new Set([
      ...observed.filter((o) => o.callers.some((c) => callerIds.includes(c))).map((o) => o.role),
      ...patterns.filter((p) => !p.includes('*') && !p.includes('?')),
    ]);
    for (const arn of foreign) {
      const decision = await evaluator.decide(caller, ASSUME, {
        arn,
        account: accountOf(arn),
        policy: UNREAD_TRUST,
        trust: true,
      });
      if (decision.allowed)
        addEdge(
          caller.arn,
          {
            id: arn,
            kind: 'role',
            name: shortName(arn, home),
            account: accountOf(arn),
            readable: false,
            compromised: false,
          },
          'not-checked',
        );
    }
    for (const pattern of patterns.filter((p) => p.includes('*') || p.includes('?'))) {
      const account = accountOf(pattern);
      const decision = await evaluator.decide(caller, ASSUME, {
        arn: `arn:aws:iam::${account}:role/any`,
        account,
        policy: UNREAD_TRUST,
        trust: true,
      });
      if (decision.allowed)
        addEdge(
          caller.arn,
          {
            id: `account:${account}`,
            kind: 'account',
            name: `any role of ${account}`,
            account,
            readable: false,
            compromised: false,
          },
          'not-checked',
        );
    }
  }
  return { graph: { nodes: [...nodes.values()], edges, paths: pathsOf(nodes, parent, home) }, principals };
}

function roleNode(role: RoleEntity, home: string): GraphNode {
  return {
    id: role.arn,
    kind: 'role',
    name: shortName(role.arn, home),
    account: role.account,
    readable: true,
    compromised: false,
  };
}

function pathsOf(
  nodes: Map<string, GraphNode>,
  parent: Map<string, { from: string; trust: GraphEdge['trust'] }>,
  home: string,
): RolePath[] {
  const out: RolePath[] = [];
  for (const to of parent.keys()) {
    const hops = [to];
    let trustChecked = true;
    for (let at = parent.get(to); at; at = parent.get(at.from)) {
      if (at.trust !== 'checked') trustChecked = false;
      hops.unshift(at.from);
    }
    const names = hops.map((id) => nodes.get(id)?.name ?? id);
    out.push({
      to,
      hops,
      text: names.join(' → '),
      crossAccount: hops.some((id) => (nodes.get(id)?.account ?? home) !== home),
      trustChecked,
    });
  }
  return out;
}
