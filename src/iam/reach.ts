import { DATA_ACCESS, type AccessLevel } from './catalog/data.js';
import { SENSITIVE_ACTIONS, type TargetKind } from './catalog/sensitive.js';
import { anyResource, type Evaluator, type Target } from './engine.js';
import type { Principal } from './principals.js';
import type { Resource, World } from './world.js';

/** A resource named in a result. */
export interface ResourceRef {
  arn: string;
  name: string;
  account: string;
}

/** A target the engine is asked about, with its name. */
export interface NamedTarget extends Target {
  name: string;
}

/**
 * Administrator: allowed every one of these on any resource of its account (the actions that
 * make an account yours: IAM users, policies and keys, roles, compute, data, the trail).
 */
export const ADMIN_PROBES = [
  'iam:CreateUser',
  'iam:CreateAccessKey',
  'iam:AttachUserPolicy',
  'iam:PutRolePolicy',
  'iam:CreatePolicyVersion',
  'iam:PassRole',
  'sts:AssumeRole',
  'ec2:RunInstances',
  's3:GetObject',
  's3:PutBucketPolicy',
  'secretsmanager:GetSecretValue',
  'lambda:CreateFunction',
  'cloudtrail:StopLogging',
];

const iamArnKinds: Record<string, 'user' | 'group' | 'role' | 'policy'> = {
  user: 'user',
  group: 'group',
  role: 'role',
  policy: 'policy',
};

/** The targets of a kind for a principal: IAM entities of its account, or resources of every account. */
export async function targetsOf(
  world: World,
  principal: Principal,
  kind: TargetKind,
  action: string,
  object = false,
  type?: string,
): Promise<NamedTarget[]> {
  const own = principal.account;
  switch (kind) {
    case 'user':
      return [...world.users.values()].filter((u) => u.account === own).map((u) => iamTarget(u));
    case 'group':
      return [...world.groups.values()].filter((g) => g.account === own).map((g) => iamTarget(g));
    case 'role':
      return [...world.roles.values()].filter((r) => r.account === own).map((r) => iamTarget(r));
    case 'policy':
      return [...world.policies.values()]
        .filter((p) => p.arn.split(':')[4] === own)
        .map((p) => ({ arn: p.arn, account: own, name: p.name }));
    case 'any': {
      const arn = await anyResource(action, own, world.region, type);
      return [{ arn, account: own, name: `any ${describeAny(arn)}` }];
    }
    default:
      return world.resources.filter((r) => r.type === kind).map((r) => resourceTarget(r, object));
  }
}

function describeAny(arn: string): string {
  if (arn === '*') return 'resource';
  const resource = arn.split(':').slice(5).join(':');
  return resource.split(/[/:]/)[0] || 'resource';
}

function iamTarget(entity: { arn: string; account: string; name: string }): NamedTarget {
  return { arn: entity.arn, account: entity.account, name: entity.name };
}

/** A resource as a target, with its resource policy (objects of a bucket for object-level actions). */
export function resourceTarget(r: Resource, object = false): NamedTarget {
  return {
    arn: object ? `${r.arn}/*` : r.arn,
    account: r.account,
    region: r.region,
    name: r.name,
    policy: r.policy ?? undefined,
  };
}

/** Whether a principal is an administrator of its account (every probe allowed). */
export async function isAdmin(world: World, evaluator: Evaluator, principal: Principal): Promise<boolean> {
  for (const action of ADMIN_PROBES) {
    const arn = await anyResource(action, principal.account, world.region);
    const decision = await evaluator.decide(principal, action, { arn, account: principal.account });
    if (!decision.allowed) return false;
  }
  return true;
}

/** A sensitive action the principal may perform, and on what. */
export interface SensitiveGrant {
  action: string;
  why: string;
  /** The resources allowed (for `any` kinds, one entry standing for any resource of the type). */
  resources: ResourceRef[];
}

/** The curated sensitive actions the principal is allowed, each with the resources it may act on. */
export async function sensitiveGrants(
  world: World,
  evaluator: Evaluator,
  principal: Principal,
): Promise<SensitiveGrant[]> {
  const out: SensitiveGrant[] = [];
  for (const s of SENSITIVE_ACTIONS) {
    const allowed: ResourceRef[] = [];
    for (const t of await targetsOf(world, principal, s.on, s.action, s.object, s.type)) {
      if (isUnjudgeable(world, s.on, t)) continue;
      const decision = await evaluator.decide(principal, s.action, t);
      if (decision.allowed)
        allowed.push({ arn: t.arn.replace(/\/\*$/, ''), name: t.name, account: t.account });
    }
    if (allowed.length) out.push({ action: s.action, why: s.why, resources: allowed });
  }
  return out;
}

/** A KMS key without its key policy cannot be judged: the key policy is what grants access. */
function isUnjudgeable(world: World, kind: TargetKind, t: NamedTarget): boolean {
  if (kind !== 'AWS::KMS::Key') return false;
  return world.resources.some((r) => r.arn === t.arn && r.policy === undefined);
}

/** One resource's data and which principals of the graph can reach it at each level. */
export interface DataReach extends ResourceRef {
  type: Resource['type'];
  region: string;
  /** `read`: its resource policy was evaluated; `none`: it has none; `not-read`: identity policies only. */
  policy: 'read' | 'none' | 'not-read';
  /** Levels at least one principal has, with the principals (node ids), the compromised one first. */
  access: { level: AccessLevel; via: string[] }[];
}

/** Data of the snapshot each principal can read, write, delete or manage. */
export async function dataReach(
  world: World,
  evaluator: Evaluator,
  principals: Principal[],
): Promise<DataReach[]> {
  const out: DataReach[] = [];
  for (const r of world.resources) {
    const levels = DATA_ACCESS[r.type];
    if (!levels) continue;
    if (r.type === 'AWS::KMS::Key' && r.policy === undefined) {
      world.notChecked.push(`key policy of ${r.arn} was not read: who can use the key is not known`);
      continue;
    }
    const access: DataReach['access'] = [];
    for (const level of levels) {
      const via: string[] = [];
      for (const p of principals) {
        for (const action of level.check) {
          const decision = await evaluator.decide(p, action, resourceTarget(r, level.object));
          if (decision.allowed) {
            via.push(p.arn);
            break;
          }
        }
      }
      if (via.length) access.push({ level: level.level, via });
    }
    out.push({
      arn: r.arn,
      name: r.name,
      account: r.account,
      type: r.type,
      region: r.region,
      policy: r.policy === undefined ? 'not-read' : r.policy === null ? 'none' : 'read',
      access,
    });
  }
  return out;
}

/** The IAM entity kind of an ARN (`user`, `group`, `role`, `policy`), if it is one. */
export function iamKindOf(arn: string): 'user' | 'group' | 'role' | 'policy' | undefined {
  const resource = arn.split(':').slice(5).join(':');
  return iamArnKinds[resource.split('/')[0] ?? ''];
}
