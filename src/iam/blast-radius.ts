import type { AccessLevel } from './catalog/data.js';
import { DATA_ACCESS } from './catalog/data.js';
import { EventIndex, succeeded, type EventRef } from './did.js';
import { Evaluator } from './engine.js';
import { adminMemo, escalationPaths, type EscalationPath } from './escalation.js';
import { walkRoleGraph, type RoleGraph } from './graph.js';
import { shortName, subjectPrincipal, type Principal, type PrincipalKind } from './principals.js';
import { severityRaisers, type SeverityRaiser } from './raisers.js';
import { dataReach, sensitiveGrants, type DataReach, type SensitiveGrant } from './reach.js';
import type { BlastRadiusInput, BlastSubject, ResourceType } from './snapshot.js';
import { buildWorld, type RoleEntity } from './world.js';

/** One principal of the reach: a compromised credential or a role it can assume. */
export interface PrincipalReach {
  /** Its node id in the graph (the credential's or role's ARN). */
  id: string;
  kind: PrincipalKind;
  name: string;
  account: string;
  compromised: boolean;
  /** How it is reached from the compromised credential (roles only). */
  path?: string | undefined;
  admin: boolean;
  /** Curated sensitive actions allowed, with the attacker's events that used each. */
  sensitive: (SensitiveGrant & { did: EventRef[] })[];
  /** Privilege-escalation methods open to it, with the attacker's events that used each. */
  escalation: (EscalationPath & { did: EventRef[] })[];
}

/** A resource's data and who in the graph can reach it, level by level, with what was done. */
export interface DataItem extends Omit<DataReach, 'access'> {
  access: { level: AccessLevel; via: string[]; did: EventRef[] }[];
}

/** "could read 12 secrets, did read 3": one line per capability. */
export interface CouldDid {
  capability: string;
  /** How many (resources, roles, methods, actions) the credential could use. */
  could: number;
  /** How many of those the attacker used successfully. */
  did: number;
  /** How many the attacker tried and AWS refused. */
  tried: number;
  eventIds: string[];
}

/** What the compromised credential could do, beside what it did (issue 12 §3). */
export interface BlastRadius {
  evaluatedAt: string;
  subject: { id: string; kind: PrincipalKind | 'unknown'; account: string };
  principals: PrincipalReach[];
  graph: RoleGraph;
  data: DataItem[];
  couldVsDid: CouldDid[];
  raisers: SeverityRaiser[];
  /** SCP status per account read: `read`, `not-in-organization`, or `not-checked` with the reason. */
  organization: { account: string; status: string; reason?: string }[];
  /** What could not be judged, one line each (`what: why`). */
  notChecked: string[];
  /**
   * Policies left out on purpose, as `principal/policy`: the deny policies the case's containment
   * put, so that the reach shown is the credential's as the attacker had it.
   */
  leftOut?: string[];
  /** Engine requests: total, simulated, answered without the engine, from cache. */
  stats: { principals: number; requests: number; simulations: number; skipped: number; cached: number };
}

const PLURAL: Record<ResourceType, string> = {
  'AWS::S3::Bucket': 'buckets',
  'AWS::SecretsManager::Secret': 'secrets',
  'AWS::SSM::Parameter': 'parameters',
  'AWS::KMS::Key': 'KMS keys',
  'AWS::Lambda::Function': 'functions',
  'AWS::SNS::Topic': 'topics',
  'AWS::SQS::Queue': 'queues',
};

function subjectId(s: BlastSubject): string {
  switch (s.type) {
    case 'root':
      return `arn:aws:iam::${s.account}:root`;
    case 'session-token':
      return s.userArn;
    default:
      return s.arn;
  }
}

/**
 * The blast radius of a compromised credential, computed from an account snapshot alone (no AWS
 * calls): effective permissions through `@cloud-copilot/iam-simulate` (identity, resource,
 * boundary, SCP/RCP and session policies, conditions on the attacker's request context), the
 * roles it can assume transitively, the privilege-escalation methods open to it, the data it can
 * reach, each beside the attacker's events, and what raises the incident's severity.
 */
export async function computeBlastRadius(input: BlastRadiusInput): Promise<BlastRadius> {
  const world = buildWorld(input);
  const evaluator = new Evaluator(world);
  const starts: Principal[] = [];
  for (const s of [input.subject, ...(input.sessions ?? [])]) {
    const p = subjectPrincipal(world, s);
    if ('missing' in p) world.notChecked.push(`${subjectId(s)}: ${p.missing}; its reach is not known`);
    else starts.push(p);
  }
  const events = new EventIndex(input.events ?? []);
  const walk = await walkRoleGraph(world, evaluator, starts, input.events ?? []);
  const { graph } = walk;
  const principals = [...walk.principals.values()];
  const home = starts[0]?.account ?? input.accounts[0]?.accountId ?? '';

  const assumable = (p: Principal): RoleEntity[] =>
    graph.edges
      .filter((e) => e.from === p.arn && e.trust === 'checked')
      .map((e) => world.roles.get(e.to))
      .filter((r) => r !== undefined);
  const admin = adminMemo(world, evaluator);
  const ctx = { world, evaluator, assumable, admin };
  const pathTo = new Map(graph.paths.map((p) => [p.to, p.text]));

  const reach: PrincipalReach[] = [];
  for (const p of principals) {
    const sensitive = await sensitiveGrants(world, evaluator, p);
    const escalation = await escalationPaths(ctx, p);
    reach.push({
      id: p.arn,
      kind: p.kind,
      name: shortName(p.arn, home),
      account: p.account,
      compromised: starts.includes(p),
      path: pathTo.get(p.arn),
      admin: await admin(p),
      sensitive: sensitive.map((g) => ({ ...g, did: events.used([g.action], anyOr(g.resources)) })),
      escalation: escalation.map((e) => ({
        ...e,
        did: events.used(e.actions, e.targets.some((t) => t.arn === '*') ? 'any' : e.targets),
      })),
    });
  }

  const data: DataItem[] = (await dataReach(world, evaluator, principals)).map((d) => {
    const levels = DATA_ACCESS[d.type] ?? [];
    return {
      ...d,
      access: levels
        .map((l) => ({
          level: l.level,
          via: d.access.find((a) => a.level === l.level)?.via ?? [],
          did: events.used(l.events, [d]),
        }))
        .filter((a) => a.via.length || a.did.length),
    };
  });

  const first = starts[0];
  const result: BlastRadius = {
    evaluatedAt: input.at,
    subject: { id: subjectId(input.subject), kind: first?.kind ?? 'unknown', account: home },
    principals: reach,
    graph,
    data,
    couldVsDid: couldVsDid(reach, graph, data, events),
    raisers: [],
    organization: [...world.accounts].map(([account, org]) => ({
      account,
      status: org.status,
      ...(org.status === 'not-checked' ? { reason: org.reason } : {}),
    })),
    notChecked: [...new Set(world.notChecked)],
    stats: { principals: principals.length, ...evaluator.stats },
  };
  for (const [account, org] of world.accounts)
    if (org.status === 'not-checked')
      result.notChecked.push(`SCPs of ${account} not checked (${org.reason}): the reach shown ignores them`);
  result.raisers = severityRaisers(result);
  return result;
}

/** Resources of a grant for event matching: an "any resource" grant matches any event of the action. */
function anyOr(resources: { arn: string; name: string }[]): { arn: string; name: string }[] | 'any' {
  return resources.some((r) => r.name.startsWith('any ')) ? 'any' : resources;
}

function line(capability: string, could: number, refsByThing: EventRef[][]): CouldDid {
  const did = refsByThing.filter((refs) => succeeded(refs).length).length;
  const tried = refsByThing.filter((refs) => refs.length && !succeeded(refs).length).length;
  const eventIds = [...new Set(refsByThing.flat().map((r) => r.eventId))];
  return { capability, could, did, tried, eventIds };
}

function couldVsDid(
  reach: PrincipalReach[],
  graph: RoleGraph,
  data: DataItem[],
  events: EventIndex,
): CouldDid[] {
  const out: CouldDid[] = [];
  const types = [...new Set(data.map((d) => d.type))];
  for (const type of types)
    for (const level of ['read', 'write', 'delete', 'manage'] as const) {
      const items = data.filter((d) => d.type === type);
      const could = items.filter((d) => d.access.some((a) => a.level === level && a.via.length)).length;
      const refs = items.map((d) => d.access.find((a) => a.level === level)?.did ?? []);
      if (could || refs.some((r) => r.length)) out.push(line(`${level} ${PLURAL[type]}`, could, refs));
    }
  const reached = graph.nodes.filter((n) => !n.compromised);
  out.push(
    line(
      'assume roles',
      reached.length,
      reached.map((n) => events.used(['sts:AssumeRole'], [{ arn: n.id, name: n.id }])),
    ),
  );
  const methods = new Map<string, EventRef[]>();
  const actions = new Map<string, EventRef[]>();
  for (const p of reach) {
    for (const e of p.escalation) methods.set(e.method, [...(methods.get(e.method) ?? []), ...e.did]);
    for (const s of p.sensitive) actions.set(s.action, [...(actions.get(s.action) ?? []), ...s.did]);
  }
  out.push(line('escalation methods', methods.size, [...methods.values()]));
  out.push(line('sensitive actions', actions.size, [...actions.values()]));
  return out;
}
