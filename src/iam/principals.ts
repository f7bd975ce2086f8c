import { parseDocument, statementsOf } from './documents.js';
import type { BlastSubject, SessionFacts } from './snapshot.js';
import {
  accountOf,
  managedDocument,
  nameOf,
  type NamedDocument,
  type RoleEntity,
  type UserEntity,
  type World,
} from './world.js';

export type PrincipalKind = 'user' | 'role' | 'role-session' | 'federated-user' | 'session-token' | 'root';

/** A principal as the engine evaluates it: its policies and the request context AWS would set. */
export interface Principal {
  /** Unique per policies and context (the evaluator's cache key). */
  id: string;
  kind: PrincipalKind;
  /** What the reports call it: the user or role ARN, or the session's ARN. */
  arn: string;
  /** The ARN AWS evaluates requests for (a role acts through `assumed-role` sessions). */
  requestArn: string;
  account: string;
  /** The IAM user or role the permissions come from. */
  entity: UserEntity | RoleEntity | undefined;
  identity: NamedDocument[];
  boundary: NamedDocument[] | undefined;
  session: Record<string, unknown> | undefined;
  context: Record<string, string | string[]>;
  /** AWS's fixed rules for some temporary credentials: a reason when the action can never work. */
  refuses: ((action: string) => string | undefined) | undefined;
}

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** The session name used for a role reached through the graph (any name the attacker picks). */
export const ANY_SESSION = 'any-session';

function baseContext(world: World, account: string): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {
    'aws:CurrentTime': new Date(world.at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(Date.parse(world.at) / 1000)),
    'aws:SecureTransport': 'true',
    'aws:PrincipalAccount': account,
  };
  if (world.sourceIp) ctx['aws:SourceIp'] = world.sourceIp;
  const org = world.accounts.get(account);
  if (org?.status === 'read' && org.organizationId) ctx['aws:PrincipalOrgID'] = org.organizationId;
  return ctx;
}

function tagContext(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
}

function sessionContext(facts: SessionFacts, at: string): Record<string, string> {
  const ctx: Record<string, string> = {
    // Only temporary credentials carry these keys (a TokenIssueTime deny never touches long-term keys).
    'aws:TokenIssueTime': facts.issuedAt ?? at,
    'aws:MultiFactorAuthPresent': facts.mfa ? 'true' : 'false',
  };
  if (facts.mfa && facts.issuedAt)
    ctx['aws:MultiFactorAuthAge'] = String(
      Math.max(0, Math.floor((Date.parse(at) - Date.parse(facts.issuedAt)) / 1000)),
    );
  if (facts.sourceIdentity) ctx['aws:SourceIdentity'] = facts.sourceIdentity;
  return ctx;
}

function holderDocuments(world: World, holder: { arn: string; inline: NamedDocument[]; attached: string[] }) {
  const out: NamedDocument[] = holder.inline.map((p) => ({
    name: `${holder.arn}#${p.name}`,
    document: p.document,
  }));
  for (const arn of holder.attached) {
    const document = managedDocument(world, arn);
    if (document) out.push({ name: `${holder.arn}#${arn}`, document });
  }
  return out;
}

/** Every identity policy of a user: inline, attached, and through its groups. */
export function userDocuments(world: World, user: UserEntity): NamedDocument[] {
  const out = holderDocuments(world, user);
  for (const g of user.groups) {
    const group = world.groups.get(g);
    if (group) out.push(...holderDocuments(world, group));
  }
  return out;
}

function boundaryOf(world: World, arn: string | undefined, owner: string): NamedDocument[] | undefined {
  if (!arn) return undefined;
  const document = managedDocument(world, arn);
  if (!document) {
    world.notChecked.push(`permissions boundary ${arn} of ${owner} is not in the snapshot: not applied`);
    return undefined;
  }
  return [{ name: `boundary ${arn}`, document }];
}

function sessionPolicy(
  world: World,
  facts: SessionFacts,
  owner: string,
): Record<string, unknown> | undefined {
  const statements: unknown[] = [];
  if (facts.sessionPolicy !== undefined) {
    const parsed = parseDocument(facts.sessionPolicy);
    if (parsed.ok) statements.push(...statementsOf(parsed.document));
    else world.notChecked.push(`session policy of ${owner}: could not be parsed (${parsed.reason})`);
  }
  for (const arn of facts.sessionPolicyArns ?? []) {
    const document = managedDocument(world, arn);
    if (document) statements.push(...statementsOf(document));
    else world.notChecked.push(`session policy ${arn} of ${owner} is not in the snapshot: not applied`);
  }
  const given = facts.sessionPolicy !== undefined || (facts.sessionPolicyArns?.length ?? 0) > 0;
  // A session policy that could not be read is taken as absent: the reach shown is then the upper bound.
  return given && statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
}

/** The principal of an IAM user using a long-term access key. */
export function userPrincipal(world: World, user: UserEntity): Principal {
  return {
    id: `user ${user.arn}`,
    kind: 'user',
    arn: user.arn,
    requestArn: user.arn,
    account: user.account,
    entity: user,
    identity: userDocuments(world, user),
    boundary: boundaryOf(world, user.boundary, user.arn),
    session: undefined,
    context: {
      ...baseContext(world, user.account),
      'aws:PrincipalArn': user.arn,
      'aws:PrincipalType': 'User',
      'aws:username': user.name,
      ...(user.userId ? { 'aws:userid': user.userId } : {}),
      ...tagContext(user.tags),
    },
    refuses: undefined,
  };
}

/** The principal of a role session: a new one (the graph) or a live one with its facts. */
export function rolePrincipal(
  world: World,
  role: RoleEntity,
  sessionName = ANY_SESSION,
  facts: SessionFacts = {},
): Principal {
  const requestArn = `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`;
  const live = facts.issuedAt !== undefined || facts.sessionPolicy !== undefined || facts.sessionPolicyArns;
  return {
    id: live ? `session ${requestArn} ${JSON.stringify(facts)}` : `role ${role.arn}`,
    kind: live ? 'role-session' : 'role',
    arn: live ? requestArn : role.arn,
    requestArn,
    account: role.account,
    entity: role,
    identity: holderDocuments(world, role),
    boundary: boundaryOf(world, role.boundary, role.arn),
    session: sessionPolicy(world, facts, requestArn),
    context: {
      ...baseContext(world, role.account),
      'aws:PrincipalArn': role.arn,
      'aws:PrincipalType': 'AssumedRole',
      ...(role.roleId ? { 'aws:userid': `${role.roleId}:${sessionName}` } : {}),
      ...tagContext(role.tags),
      ...sessionContext(facts, world.at),
    },
    refuses: undefined,
  };
}

/** Actions GetSessionToken credentials may call in STS; IAM needs MFA (IAM UG, "Comparing the AWS STS API operations"). */
const SESSION_TOKEN_STS = new Set(['sts:assumerole', 'sts:getcalleridentity']);

function findRole(world: World, account: string, name: string): RoleEntity | undefined {
  for (const role of world.roles.values()) if (role.account === account && role.name === name) return role;
  return undefined;
}

/** The principal a compromised credential acts as, or why it cannot be evaluated. */
export function subjectPrincipal(world: World, subject: BlastSubject): Principal | { missing: string } {
  switch (subject.type) {
    case 'root': {
      const arn = `arn:aws:iam::${subject.account}:root`;
      return {
        id: `root ${subject.account}`,
        kind: 'root',
        arn,
        requestArn: arn,
        account: subject.account,
        entity: undefined,
        identity: [{ name: 'root', document: ALLOW_ALL }],
        boundary: undefined,
        session: undefined,
        context: {
          ...baseContext(world, subject.account),
          'aws:PrincipalArn': arn,
          'aws:PrincipalType': 'Account',
        },
        refuses: undefined,
      };
    }
    case 'user': {
      const user = world.users.get(subject.arn);
      return user ? userPrincipal(world, user) : { missing: `user ${subject.arn} is not in the snapshot` };
    }
    case 'role': {
      const role = world.roles.get(subject.arn);
      return role ? rolePrincipal(world, role) : { missing: `role ${subject.arn} is not in the snapshot` };
    }
    case 'role-session': {
      // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
      const [, roleName = '', sessionName = ANY_SESSION] = subject.arn
        .split(':')
        .slice(5)
        .join(':')
        .split('/');
      const role = findRole(world, accountOf(subject.arn), roleName);
      if (!role) return { missing: `role ${roleName} of session ${subject.arn} is not in the snapshot` };
      return rolePrincipal(world, role, sessionName, { ...subject, issuedAt: subject.issuedAt ?? world.at });
    }
    case 'federated-user':
    case 'session-token': {
      const user = world.users.get(subject.userArn);
      if (!user) return { missing: `user ${subject.userArn} of the session is not in the snapshot` };
      const base = userPrincipal(world, user);
      const federated = subject.type === 'federated-user';
      const arn = federated ? subject.arn : user.arn;
      const session = federated ? sessionPolicy(world, subject, arn) : undefined;
      return {
        ...base,
        id: `${subject.type} ${arn} ${JSON.stringify(subject)}`,
        kind: subject.type,
        arn,
        requestArn: arn,
        session,
        context: {
          ...base.context,
          'aws:PrincipalArn': arn,
          ...(federated ? { 'aws:PrincipalType': 'FederatedUser' } : {}),
          ...sessionContext(subject, world.at),
        },
        refuses: federated
          ? (action) =>
              // Federated users cannot call IAM nor STS (but GetCallerIdentity), and have no
              // permissions without a session policy (STS API reference, GetFederationToken).
              action.startsWith('iam:') || (action.startsWith('sts:') && action !== 'sts:GetCallerIdentity')
                ? 'a federated user cannot call IAM or STS'
                : session
                  ? undefined
                  : 'a federated user without a session policy has no permissions'
          : (action) =>
              (action.startsWith('iam:') && !subject.mfa) ||
              (action.startsWith('sts:') && !SESSION_TOKEN_STS.has(action.toLowerCase()))
                ? 'GetSessionToken credentials cannot call IAM without MFA, nor STS but AssumeRole'
                : undefined,
      };
    }
  }
}

/** The short name the reports use: `dev-sam`, `deploy-role (222233334444)`. */
export function shortName(arn: string, home?: string): string {
  const account = accountOf(arn);
  const name = arn.endsWith(':root')
    ? `root`
    : arn.includes(':assumed-role/')
      ? arn.split('/').slice(1).join('/')
      : nameOf(arn);
  return home && account && account !== home ? `${name} (${account})` : name;
}
