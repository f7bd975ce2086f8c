import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';

/** A policy that applies to the principal, with where it comes from and its document. */
export interface EffectivePolicy {
  /** `attached`, `inline`, or `group:<name>` / `group-inline:<name>`. */
  via: string;
  /** Managed policy ARN, or inline policy name. */
  name: string;
  document: unknown;
}

export interface PrincipalPolicies {
  groups: string[];
  policies: EffectivePolicy[];
}

/** Prefix of AWS's own quarantine policies (aws-facts §3.5). */
export const QUARANTINE_PREFIX = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine';

/** IAM actions that let a principal escalate or persist; any of them raises the severity. */
export const ESCALATION_ACTIONS = [
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:CreateUser',
  'iam:AttachUserPolicy',
  'iam:AttachRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutRolePolicy',
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:UpdateAssumeRolePolicy',
  'iam:PassRole',
  'iam:AddUserToGroup',
];

function decode(text: string | undefined): unknown {
  if (!text) return undefined;
  const t = text.trim();
  // IAM returns documents URL-encoded; the SDK leaves them so.
  return JSON.parse(t.startsWith('{') ? t : decodeURIComponent(t)) as unknown;
}

async function managedDocument(iam: IAMClient, arn: string): Promise<unknown> {
  const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  const version = policy.Policy?.DefaultVersionId;
  if (!version) return undefined;
  const out = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }));
  return decode(out.PolicyVersion?.Document);
}

/** Every policy of a user (attached, inline, and through its groups), with documents. */
export async function userPolicies(iam: IAMClient, userName: string): Promise<PrincipalPolicies> {
  const [attached, inline, groups] = await Promise.all([
    iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName })),
    iam.send(new ListUserPoliciesCommand({ UserName: userName })),
    iam.send(new ListGroupsForUserCommand({ UserName: userName })),
  ]);
  const policies: EffectivePolicy[] = [];
  for (const p of attached.AttachedPolicies ?? [])
    policies.push({
      via: 'attached',
      name: p.PolicyArn!,
      document: await managedDocument(iam, p.PolicyArn!),
    });
  for (const name of inline.PolicyNames ?? []) {
    const out = await iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name }));
    policies.push({ via: 'inline', name, document: decode(out.PolicyDocument) });
  }
  const groupNames = (groups.Groups ?? []).map((g) => g.GroupName!).filter(Boolean);
  for (const group of groupNames) {
    const [ga, gi] = await Promise.all([
      iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group })),
      iam.send(new ListGroupPoliciesCommand({ GroupName: group })),
    ]);
    for (const p of ga.AttachedPolicies ?? [])
      policies.push({
        via: `group:${group}`,
        name: p.PolicyArn!,
        document: await managedDocument(iam, p.PolicyArn!),
      });
    for (const name of gi.PolicyNames ?? []) {
      const out = await iam.send(new GetGroupPolicyCommand({ GroupName: group, PolicyName: name }));
      policies.push({ via: `group-inline:${group}`, name, document: decode(out.PolicyDocument) });
    }
  }
  return { groups: groupNames, policies };
}

/** Every policy of a role (attached and inline), with documents. */
export async function rolePolicies(iam: IAMClient, roleName: string): Promise<PrincipalPolicies> {
  const [attached, inline] = await Promise.all([
    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })),
    iam.send(new ListRolePoliciesCommand({ RoleName: roleName })),
  ]);
  const policies: EffectivePolicy[] = [];
  for (const p of attached.AttachedPolicies ?? [])
    policies.push({
      via: 'attached',
      name: p.PolicyArn!,
      document: await managedDocument(iam, p.PolicyArn!),
    });
  for (const name of inline.PolicyNames ?? []) {
    const out = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    policies.push({ via: 'inline', name, document: decode(out.PolicyDocument) });
  }
  return { groups: [], policies };
}

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function statements(document: unknown): Statement[] {
  return asList((document as { Statement?: unknown } | null)?.Statement).filter(
    (s): s is Statement => typeof s === 'object' && s !== null,
  );
}

/** IAM action patterns are case-insensitive globs with `*` and `?`. */
function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(action);
}

/** What the policies grant that matters for severity: administrator rights, escalation actions. */
export function assessPermissions(policies: EffectivePolicy[]): { admin: boolean; escalation: string[] } {
  let admin = false;
  const escalation = new Set<string>();
  for (const p of policies) {
    if (p.name === 'arn:aws:iam::aws:policy/AdministratorAccess') admin = true;
    for (const s of statements(p.document)) {
      if (s.Effect !== 'Allow') continue;
      const actions = asList(s.Action).filter((a): a is string => typeof a === 'string');
      // Read as "could": conditions and resource scoping lower the odds, not the severity.
      if (actions.some((a) => a === '*' || a === '*:*') && asList(s.Resource).includes('*') && !s.Condition)
        admin = true;
      for (const wanted of ESCALATION_ACTIONS)
        if (actions.some((a) => actionMatches(a, wanted))) escalation.add(wanted);
    }
  }
  return { admin, escalation: [...escalation] };
}
