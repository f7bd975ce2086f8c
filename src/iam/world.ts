import { parseDocument } from './documents.js';
import type {
  AccountSnapshot,
  AttachedPolicyInput,
  BlastRadiusInput,
  InlinePolicyInput,
  OrganizationInput,
  PolicyDocumentInput,
  ResourceInput,
  ResourceType,
  TagInput,
} from './snapshot.js';

/** A policy document with the name the reports use for it. */
export interface NamedDocument {
  name: string;
  document: Record<string, unknown>;
}

interface Holder {
  arn: string;
  name: string;
  account: string;
  inline: NamedDocument[];
  /** Managed policy ARNs. */
  attached: string[];
}

export interface UserEntity extends Holder {
  kind: 'user';
  userId: string | undefined;
  /** Group ARNs. */
  groups: string[];
  boundary: string | undefined;
  tags: Record<string, string>;
}

export interface GroupEntity extends Holder {
  kind: 'group';
  /** Member user ARNs. */
  members: string[];
}

export interface RoleEntity extends Holder {
  kind: 'role';
  roleId: string | undefined;
  trust: Record<string, unknown> | undefined;
  boundary: string | undefined;
  instanceProfiles: number;
  tags: Record<string, string>;
}

export interface ManagedPolicy {
  arn: string;
  name: string;
  defaultVersionId: string | undefined;
  versions: { versionId: string; isDefault: boolean; document: Record<string, unknown> }[];
  /** The default version's document (undefined when it could not be read). */
  document: Record<string, unknown> | undefined;
  /** Users, groups and roles it is attached to. */
  attachedTo: string[];
}

export interface Resource {
  arn: string;
  type: ResourceType;
  account: string;
  region: string;
  name: string;
  /** Parsed policy; null = none; undefined = not read. */
  policy: Record<string, unknown> | null | undefined;
  role: string | undefined;
}

/** The snapshots, indexed by ARN, with what could not be read. */
export interface World {
  at: string;
  region: string;
  sourceIp: string | undefined;
  /** Accounts the responder read, with their organisation facts. */
  accounts: Map<string, OrganizationInput>;
  users: Map<string, UserEntity>;
  groups: Map<string, GroupEntity>;
  roles: Map<string, RoleEntity>;
  policies: Map<string, ManagedPolicy>;
  resources: Resource[];
  notChecked: string[];
}

const tagsOf = (tags: TagInput[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? '']));

/** The account id in an ARN (`arn:aws:iam::111122223333:user/x` → 111122223333). */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** The last path element of an IAM ARN: the user, group, role or policy name. */
export function nameOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.slice(resource.lastIndexOf('/') + 1) || resource;
}

function resourceName(r: ResourceInput): string {
  if (r.name) return r.name;
  const resource = r.arn.split(':').slice(5).join(':');
  switch (r.type) {
    case 'AWS::S3::Bucket':
      return resource;
    case 'AWS::SSM::Parameter':
      return resource.replace(/^parameter/, '') || resource;
    case 'AWS::SecretsManager::Secret':
      // Secret ARNs end in a random six-character suffix after the name.
      return resource.replace(/^secret:/, '').replace(/-[A-Za-z0-9]{6}$/, '');
    default:
      return resource.slice(resource.search(/[:/]/) + 1) || resource;
  }
}

class Builder {
  readonly world: World;
  constructor(input: BlastRadiusInput) {
    const latestIp = [...(input.events ?? [])]
      .filter((e) => e.sourceIPAddress)
      .sort((a, b) => (a.eventTime ?? '').localeCompare(b.eventTime ?? ''))
      .at(-1)?.sourceIPAddress;
    this.world = {
      at: input.at,
      region: input.region ?? 'us-east-1',
      sourceIp: input.sourceIp ?? latestIp,
      accounts: new Map(),
      users: new Map(),
      groups: new Map(),
      roles: new Map(),
      policies: new Map(),
      resources: [],
      notChecked: [],
    };
  }

  parse(input: PolicyDocumentInput | undefined, what: string): Record<string, unknown> | undefined {
    if (input === undefined || input === '') return undefined;
    const parsed = parseDocument(input);
    if (parsed.ok) return parsed.document;
    this.world.notChecked.push(`${what}: the document could not be parsed (${parsed.reason})`);
    return undefined;
  }

  inline(list: InlinePolicyInput[] | undefined, owner: string): NamedDocument[] {
    const out: NamedDocument[] = [];
    for (const p of list ?? []) {
      const name = p.PolicyName ?? 'inline';
      const document = this.parse(p.PolicyDocument, `inline policy ${name} of ${owner}`);
      if (document) out.push({ name, document });
    }
    return out;
  }

  attached = (list: AttachedPolicyInput[] | undefined): string[] =>
    (list ?? []).map((p) => p.PolicyArn).filter((a): a is string => Boolean(a));

  addAccount(snapshot: AccountSnapshot): void {
    const w = this.world;
    const account = snapshot.accountId;
    w.accounts.set(account, snapshot.organization);
    w.notChecked.push(...(snapshot.notChecked ?? []));
    const auth = snapshot.authorization;
    for (const p of auth.Policies ?? []) this.addPolicy(p);
    const groupByName = new Map<string, GroupEntity>();
    for (const g of auth.GroupDetailList ?? []) {
      const arn = g.Arn ?? `arn:aws:iam::${account}:group/${g.GroupName ?? ''}`;
      const group: GroupEntity = {
        kind: 'group',
        arn,
        name: g.GroupName ?? nameOf(arn),
        account,
        inline: this.inline(g.GroupPolicyList, arn),
        attached: this.attached(g.AttachedManagedPolicies),
        members: [],
      };
      w.groups.set(arn, group);
      groupByName.set(group.name, group);
    }
    for (const u of auth.UserDetailList ?? []) {
      const arn = u.Arn ?? `arn:aws:iam::${account}:user/${u.UserName ?? ''}`;
      const groups: string[] = [];
      for (const name of u.GroupList ?? []) {
        const group = groupByName.get(name);
        if (!group) {
          w.notChecked.push(`group ${name} of ${arn} is not in the snapshot: its policies are not counted`);
          continue;
        }
        group.members.push(arn);
        groups.push(group.arn);
      }
      w.users.set(arn, {
        kind: 'user',
        arn,
        name: u.UserName ?? nameOf(arn),
        account,
        userId: u.UserId,
        inline: this.inline(u.UserPolicyList, arn),
        attached: this.attached(u.AttachedManagedPolicies),
        groups,
        boundary: u.PermissionsBoundary?.PermissionsBoundaryArn,
        tags: tagsOf(u.Tags),
      });
    }
    for (const r of auth.RoleDetailList ?? []) {
      const arn = r.Arn ?? `arn:aws:iam::${account}:role/${r.RoleName ?? ''}`;
      w.roles.set(arn, {
        kind: 'role',
        arn,
        name: r.RoleName ?? nameOf(arn),
        account,
        roleId: r.RoleId,
        trust: this.parse(r.AssumeRolePolicyDocument, `trust policy of ${arn}`),
        inline: this.inline(r.RolePolicyList, arn),
        attached: this.attached(r.AttachedManagedPolicies),
        boundary: r.PermissionsBoundary?.PermissionsBoundaryArn,
        instanceProfiles: r.InstanceProfileList?.length ?? 0,
        tags: tagsOf(r.Tags),
      });
    }
    for (const r of snapshot.resources) {
      w.resources.push({
        arn: r.arn,
        type: r.type,
        account: r.account,
        region: r.region,
        name: resourceName(r),
        policy:
          r.policy === null
            ? null
            : r.policy === undefined
              ? undefined
              : this.parse(r.policy, `policy of ${r.arn}`),
        role: r.role,
      });
    }
  }

  addPolicy(p: NonNullable<AccountSnapshot['authorization']['Policies']>[number]): void {
    const arn = p.Arn;
    if (!arn || this.world.policies.has(arn)) return;
    const versions: ManagedPolicy['versions'] = [];
    for (const v of p.PolicyVersionList ?? []) {
      const document = this.parse(v.Document, `${arn} version ${v.VersionId ?? '?'}`);
      if (document)
        versions.push({
          versionId: v.VersionId ?? '?',
          isDefault: v.IsDefaultVersion ?? v.VersionId === p.DefaultVersionId,
          document,
        });
    }
    this.world.policies.set(arn, {
      arn,
      name: p.PolicyName ?? nameOf(arn),
      defaultVersionId: p.DefaultVersionId,
      versions,
      document: versions.find((v) => v.isDefault)?.document,
      attachedTo: [],
    });
  }

  /** Link attachments both ways and say which attached policies the snapshot lacks. */
  link(): void {
    const w = this.world;
    for (const holder of [...w.users.values(), ...w.groups.values(), ...w.roles.values()]) {
      for (const arn of holder.attached) {
        const policy = w.policies.get(arn);
        if (policy?.document) policy.attachedTo.push(holder.arn);
        else w.notChecked.push(`policy ${arn} attached to ${holder.arn} is not in the snapshot: not counted`);
      }
    }
  }
}

/** Index the input's snapshots. */
export function buildWorld(input: BlastRadiusInput): World {
  const builder = new Builder(input);
  for (const snapshot of input.accounts) builder.addAccount(snapshot);
  builder.link();
  return builder.world;
}

/** A managed policy's default document, when the snapshot has it. */
export function managedDocument(world: World, arn: string): Record<string, unknown> | undefined {
  return world.policies.get(arn)?.document;
}
