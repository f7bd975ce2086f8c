import type { LineageNode } from '../detect/lineage.js';
import type { InventoryCoverage, InventoryItem } from '../inventory/types.js';
import type {
  AccountSnapshot,
  AttackerEvent,
  InlinePolicyInput,
  OrganizationInput,
  PolicyDocumentInput,
  ResourceInput,
  ResourceType,
  BlastSubject,
} from './snapshot.js';

/** The inventory's types the blast radius reads as resources with policies. */
const RESOURCE_OF: Partial<Record<string, ResourceType>> = {
  'AWS::S3::Bucket': 'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret': 'AWS::SecretsManager::Secret',
  'AWS::SSM::Parameter': 'AWS::SSM::Parameter',
  'AWS::KMS::Key': 'AWS::KMS::Key',
  'AWS::Lambda::Function': 'AWS::Lambda::Function',
  'AWS::SNS::Topic': 'AWS::SNS::Topic',
  'AWS::SQS::Queue': 'AWS::SQS::Queue',
};

/** Listers whose unread parts make the reach short (their coverage gaps become "not checked" lines). */
const LISTERS = [
  'iam.authorization',
  's3.buckets',
  'secretsmanager.secrets',
  'ssm.parameters',
  'lambda.functions',
  'kms.',
  'sns.',
  'sqs.',
];

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * A document as the inventory keeps it (parsed; `{ unparsed }` when AWS's text was not JSON, which
 * the engine then reports as not parsable); `undefined` when it was not read, `null` when none.
 */
function documentOf(value: unknown): PolicyDocumentInput | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object') return JSON.stringify(value);
  const unparsed = (value as { unparsed?: unknown }).unparsed;
  return typeof unparsed === 'string' ? unparsed : (value as Record<string, unknown>);
}

function inlineOf(v: unknown, owner: string, leaveOut: ReadonlySet<string>): InlinePolicyInput[] {
  const list = Array.isArray(v) ? (v as { name?: string; document?: unknown }[]) : [];
  return list
    .filter((p) => !leaveOut.has(`${owner}/${p.name ?? ''}`))
    .map((p) => ({
      PolicyName: p.name,
      PolicyDocument: documentOf(p.document) ?? undefined,
    }));
}

const attachedOf = (v: unknown) => strings(v).map((PolicyArn) => ({ PolicyArn }));
const boundaryOf = (v: unknown) => (typeof v === 'string' ? { PermissionsBoundaryArn: v } : undefined);

/**
 * The account snapshot the blast radius needs, from what `tourniquet scope` already read: IAM from
 * GetAccountAuthorizationDetails (users, groups, roles, every managed policy version, the AWS
 * managed policies attached somewhere), the resources that carry policies, the organisation's
 * SCPs as read (or why not), and every coverage gap of those services as a "not checked" line.
 * Inline policies named in `leaveOut` (`principal/policy`: containment's denies) are left out.
 */
export function snapshotFromInventory(input: {
  account: string;
  items: InventoryItem[];
  coverage: InventoryCoverage[];
  organization: OrganizationInput;
  leaveOut?: ReadonlySet<string>;
}): AccountSnapshot {
  const leaveOut = input.leaveOut ?? new Set<string>();
  const of = (type: string) => input.items.filter((i) => i.type === type);
  const resources: ResourceInput[] = [];
  for (const i of input.items) {
    const type = RESOURCE_OF[i.type];
    if (!type || !i.arn) continue;
    const hasPolicy = 'policy' in i.data || type === 'AWS::SSM::Parameter';
    resources.push({
      arn: i.arn,
      type,
      account: i.account,
      region: i.region,
      name: i.name,
      // Parameters have no resource policies; elsewhere an absent field means it was not read.
      policy: hasPolicy ? (documentOf(i.data.policy) ?? null) : undefined,
      ...(typeof i.data.role === 'string' ? { role: i.data.role } : {}),
    });
  }
  return {
    accountId: input.account,
    authorization: {
      UserDetailList: of('AWS::IAM::User').map((u) => ({
        UserName: u.id,
        UserId: typeof u.data.userId === 'string' ? u.data.userId : undefined,
        Arn: u.arn,
        GroupList: strings(u.data.groups),
        UserPolicyList: inlineOf(u.data.inlinePolicies, u.id, leaveOut),
        AttachedManagedPolicies: attachedOf(u.data.attachedPolicies),
        PermissionsBoundary: boundaryOf(u.data.permissionsBoundary),
      })),
      GroupDetailList: of('AWS::IAM::Group').map((g) => ({
        GroupName: g.id,
        Arn: g.arn,
        GroupPolicyList: inlineOf(g.data.inlinePolicies, g.id, leaveOut),
        AttachedManagedPolicies: attachedOf(g.data.attachedPolicies),
      })),
      RoleDetailList: of('AWS::IAM::Role').map((r) => ({
        RoleName: r.id,
        Arn: r.arn,
        AssumeRolePolicyDocument: documentOf(r.data.trust) ?? undefined,
        RolePolicyList: inlineOf(r.data.inlinePolicies, r.id, leaveOut),
        AttachedManagedPolicies: attachedOf(r.data.attachedPolicies),
        PermissionsBoundary: boundaryOf(r.data.permissionsBoundary),
        InstanceProfileList: strings(r.data.instanceProfiles).map((InstanceProfileName) => ({
          InstanceProfileName,
        })),
      })),
      Policies: of('AWS::IAM::ManagedPolicy').map((p) => ({
        PolicyName: p.name,
        Arn: p.arn ?? p.id,
        DefaultVersionId: typeof p.data.defaultVersionId === 'string' ? p.data.defaultVersionId : undefined,
        PolicyVersionList: (Array.isArray(p.data.versions)
          ? (p.data.versions as { versionId?: string; isDefault?: boolean; document?: unknown }[])
          : []
        ).map((v) => ({
          VersionId: v.versionId,
          IsDefaultVersion: v.isDefault,
          Document: documentOf(v.document) ?? undefined,
        })),
      })),
    },
    resources,
    organization: input.organization,
    notChecked: input.coverage
      .filter(
        (c) =>
          (c.status === 'not-checked' || c.status === 'failed') &&
          LISTERS.some((l) => c.lister.startsWith(l)),
      )
      .map((c) => `${c.lister} in ${c.region}: ${c.reason ?? c.status}`),
  };
}

/** The case's subject as triage recorded it (src/case/schema.ts). */
export interface CaseSubject {
  input: string;
  kind: string;
  accessKeyId?: string | undefined;
  userName?: string | undefined;
  roleName?: string | undefined;
  arn?: string | undefined;
}

/** A lineage node's minting record carries its session policy (`policy`, `policyArns`). */
function sessionPolicyOf(event: AttackerEvent | undefined): {
  sessionPolicy?: PolicyDocumentInput;
  sessionPolicyArns?: string[];
} {
  let params = event?.requestParameters;
  if (typeof params === 'string') {
    try {
      params = JSON.parse(params) as Record<string, unknown>;
    } catch {
      params = null;
    }
  }
  if (!params || typeof params !== 'object') return {};
  const policy = params.policy;
  const arns = Array.isArray(params.policyArns)
    ? (params.policyArns as { arn?: unknown }[]).map((p) => p.arn).filter((a) => typeof a === 'string')
    : [];
  return {
    ...(typeof policy === 'string' ? { sessionPolicy: policy } : {}),
    ...(arns.length ? { sessionPolicyArns: arns } : {}),
  };
}

function flatten(
  nodes: LineageNode[],
  parent: LineageNode | null = null,
): [LineageNode, LineageNode | null][] {
  return nodes.flatMap((n) => [[n, parent] as [LineageNode, LineageNode | null], ...flatten(n.children, n)]);
}

/**
 * Who the compromised credential acts as, and the live credentials minted from it, as blast
 * radius subjects: the ARN that signed the subject key's events (`signer`), else the case's
 * subject resolved against the inventory (a key's user, a user or role by name); then each
 * lineage node that is still valid (`live`: key ids of the sessions scope found unexpired, and
 * access keys still in the inventory), with its session policy and issue time.
 */
export function subjectsOf(input: {
  account: string;
  items: InventoryItem[];
  caseSubject: CaseSubject | null;
  signer: string | undefined;
  lineage: { roots: LineageNode[] } | null;
  live: Set<string>;
  events: AttackerEvent[];
}): { subject: BlastSubject; sessions: BlastSubject[] } | { unknown: string } {
  const arnOf = (type: string, id: string | undefined | null) =>
    id ? input.items.find((i) => i.type === type && i.id === id)?.arn : undefined;
  const keyUser = (key: string | undefined) =>
    input.items.find((i) => i.type === 'AWS::IAM::AccessKey' && i.id === key)?.data.userName as
      string | undefined;
  const s = input.caseSubject;
  const subject = toSubject(
    input.account,
    input.signer ??
      (s?.kind === 'root'
        ? `arn:aws:iam::${input.account}:root`
        : (s?.arn ??
          arnOf('AWS::IAM::User', s?.userName ?? keyUser(s?.accessKeyId)) ??
          arnOf('AWS::IAM::Role', s?.roleName))),
  );
  if (!subject)
    return {
      unknown: `the compromised credential's principal is not known (case subject ${s?.input ?? 'none'}, no event signed by it)`,
    };
  const byId = new Map(input.events.map((e) => [e.eventId, e]));
  const principalOf = (n: LineageNode | null) =>
    n === null || n.via === 'subject' ? subjectArn(subject) : (n.principal ?? undefined);
  const sessions: BlastSubject[] = [];
  for (const [node, parent] of flatten(input.lineage?.roots ?? [])) {
    const stillThere =
      node.via === 'CreateAccessKey'
        ? input.items.some((i) => i.type === 'AWS::IAM::AccessKey' && i.id === node.key)
        : input.live.has(node.key);
    if (node.via === 'subject' || node.via === 'ConsoleLogin' || !stillThere) continue;
    const facts = {
      issuedAt: node.createdAt ?? undefined,
      ...sessionPolicyOf(byId.get(node.createdBy ?? '')),
    };
    if (node.via === 'CreateAccessKey') {
      const arn = arnOf('AWS::IAM::User', node.target);
      if (arn) sessions.push({ type: 'user', arn });
    } else if (node.via === 'GetFederationToken' && node.principal) {
      const userArn = principalOf(parent);
      if (userArn) sessions.push({ type: 'federated-user', arn: node.principal, userArn, ...facts });
    } else if (node.via === 'GetSessionToken') {
      const userArn = principalOf(parent);
      if (userArn) sessions.push({ type: 'session-token', userArn, ...facts });
    } else if (node.principal) sessions.push({ type: 'role-session', arn: node.principal, ...facts });
  }
  return { subject, sessions };
}

function subjectArn(s: BlastSubject): string | undefined {
  return s.type === 'root'
    ? `arn:aws:iam::${s.account}:root`
    : s.type === 'session-token'
      ? s.userArn
      : s.arn;
}

/** An ARN as a subject: user, role, role session (`sts … assumed-role`), federated user or root. */
function toSubject(account: string, arn: string | undefined): BlastSubject | undefined {
  if (!arn) return undefined;
  if (arn.endsWith(':root')) return { type: 'root', account: arn.split(':')[4] ?? account };
  if (/^arn:aws[\w-]*:sts::\d+:assumed-role\//.test(arn)) return { type: 'role-session', arn };
  if (/^arn:aws[\w-]*:iam::\d+:role\//.test(arn)) return { type: 'role', arn };
  if (/^arn:aws[\w-]*:iam::\d+:user\//.test(arn)) return { type: 'user', arn };
  return undefined;
}
