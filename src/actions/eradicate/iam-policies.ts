import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { ClientPool } from '../../aws/pool.js';
import { UsageError } from '../../errors.js';
import type { StepParams } from '../action.js';
import { iamList, iamOf, readOrAbsent } from '../iam-read.js';
import { asJson, listParam, removal, restoration } from './declare.js';

/** A policy document as IAM stores it: the exact text (IAM returns it URL-encoded). */
export function documentText(encoded: string): string {
  const trimmed = encoded.trimStart();
  return trimmed.startsWith('{') ? encoded : decodeURIComponent(encoded);
}

interface Version {
  versionId: string;
  isDefault: boolean;
  created: string | undefined;
  document?: string;
}

interface PolicyVersions {
  policyArn: string;
  defaultVersionId: string | undefined;
  versions: Version[];
}

async function readVersions(pool: ClientPool, policyArn: string): Promise<PolicyVersions | undefined> {
  const iam = iamOf(pool);
  const policy = (await readOrAbsent(() => iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))))?.Policy;
  if (!policy) return undefined;
  const listed = await iamList(
    (Marker) => iam.send(new ListPolicyVersionsCommand({ ...{ PolicyArn: policyArn }, Marker })),
    (p) => p.Versions,
  );
  const versions: Version[] = [];
  for (const v of listed) {
    const got = await readOrAbsent(() =>
      iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: v.VersionId })),
    );
    const text = got?.PolicyVersion?.Document;
    versions.push({
      versionId: v.VersionId ?? '',
      isDefault: v.IsDefaultVersion ?? false,
      created: v.CreateDate?.toISOString(),
      ...(text !== undefined ? { document: documentText(text) } : {}),
    });
  }
  return { policyArn, defaultVersionId: policy.DefaultVersionId, versions };
}

/**
 * The version to make default again: the one named, else the newest version created before the
 * attacker's first one (the default the attacker replaced).
 */
function restoreTarget(state: PolicyVersions, p: StepParams): string | undefined {
  if (p.restoreVersionId) return p.restoreVersionId;
  const attacker = new Set(listParam(p, 'versionId'));
  const theirs = state.versions.filter((v) => attacker.has(v.versionId));
  const firstTheirs = theirs.map((v) => v.created ?? '').sort()[0];
  const candidates = state.versions
    .filter((v) => !attacker.has(v.versionId))
    .filter((v) => firstTheirs === undefined || (v.created ?? '') <= firstTheirs)
    .sort((a, b) => (a.created ?? '').localeCompare(b.created ?? ''));
  return candidates.at(-1)?.versionId ?? (theirs.length ? undefined : state.defaultVersionId);
}

/**
 * Put a customer managed policy back on its pre-attack version: the previous version becomes
 * default again (its document unchanged, byte for byte) and the attacker's versions are deleted
 * once kept as evidence.
 */
export const restorePolicyVersion = restoration<PolicyVersions>({
  name: 'restore-policy-version',
  summary: "make the pre-attack version default again and delete the attacker's version(s)",
  irreversibleBecause:
    "IAM cannot re-create a deleted policy version; the attacker's document is in the evidence",
  target: (p) => p.policyArn ?? '?',
  read: (pool, p) => readVersions(pool, p.policyArn!),
  summarize: (s) => ({
    defaultVersionId: s.defaultVersionId,
    versions: s.versions.map(({ versionId, isDefault, created }) => ({ versionId, isDefault, created })),
  }),
  restored(s, p) {
    const attacker = new Set(listParam(p, 'versionId'));
    const target = restoreTarget(s, p);
    return (
      !s.versions.some((v) => attacker.has(v.versionId)) &&
      (target === undefined || s.defaultVersionId === target)
    );
  },
  describe(s, p) {
    const target = restoreTarget(s, p);
    if (!target)
      return "cannot: no version older than the attacker's is left to restore; name one with restoreVersionId";
    const theirs = s.versions
      .filter((v) => listParam(p, 'versionId').includes(v.versionId))
      .map((v) => v.versionId);
    const moves =
      s.defaultVersionId !== target
        ? `default ${s.defaultVersionId ?? '?'} → ${target}`
        : `default stays ${target}`;
    return `${moves}; keep and delete ${theirs.join(', ') || 'nothing'}`;
  },
  evidence: (s) =>
    s.versions.map((v) => ({ file: `policy-version-${v.versionId}.json`, content: v.document ?? '' })),
  async write(pool, p, s) {
    const iam = iamOf(pool);
    const target = restoreTarget(s, p)!;
    if (s.defaultVersionId !== target)
      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: s.policyArn, VersionId: target }));
    const deleted: string[] = [];
    for (const id of listParam(p, 'versionId')) {
      if (!s.versions.some((v) => v.versionId === id)) continue;
      await readOrAbsent(() =>
        iam.send(new DeletePolicyVersionCommand({ PolicyArn: s.policyArn, VersionId: id })),
      );
      deleted.push(id);
    }
    return { defaultVersionId: target, deleted };
  },
});

interface ManagedPolicyRecord extends PolicyVersions {
  created: string | undefined;
  users: string[];
  roles: string[];
  groups: string[];
}

/** Delete a managed policy the attacker created: detached everywhere, versions deleted, then it. */
export const deleteManagedPolicy = removal<ManagedPolicyRecord>({
  name: 'delete-managed-policy',
  summary:
    'keep every version, detach it from every user, role and group, then delete an attacker-created policy',
  irreversibleBecause: 'a deleted managed policy cannot be restored; its versions are in the evidence',
  target: (p) => p.policyArn ?? '?',
  async read(pool, p) {
    const iam = iamOf(pool);
    const policy = (await readOrAbsent(() => iam.send(new GetPolicyCommand({ PolicyArn: p.policyArn }))))
      ?.Policy;
    if (!policy) return undefined;
    const versions = await readVersions(pool, p.policyArn!);
    if (!versions) return undefined;
    const entities = await iamList(
      (Marker) => iam.send(new ListEntitiesForPolicyCommand({ ...{ PolicyArn: p.policyArn }, Marker })),
      (page) => [
        ...(page.PolicyUsers ?? []).map((u) => ['user', u.UserName ?? ''] as const),
        ...(page.PolicyRoles ?? []).map((r) => ['role', r.RoleName ?? ''] as const),
        ...(page.PolicyGroups ?? []).map((g) => ['group', g.GroupName ?? ''] as const),
      ],
    );
    const of = (kind: string) => entities.filter(([k]) => k === kind).map(([, n]) => n);
    const created = policy.CreateDate?.toISOString();
    return {
      state: { ...versions, created, users: of('user'), roles: of('role'), groups: of('group') },
      created,
    };
  },
  describe: (s) =>
    `keep ${s.versions.length} version(s), detach from ${s.users.length + s.roles.length + s.groups.length} principal(s), delete the policy`,
  summarize: (s) => ({
    ...s,
    versions: s.versions.map(({ versionId, isDefault, created }) => ({ versionId, isDefault, created })),
  }),
  preserve: (_pool, p, s, context) =>
    context.keep('policy.json', asJson(s), `iam:GetPolicyVersion for ${p.policyArn}`),
  async remove(pool, _p, s) {
    const iam = iamOf(pool);
    const arn = s.policyArn;
    for (const name of s.users)
      await readOrAbsent(() => iam.send(new DetachUserPolicyCommand({ UserName: name, PolicyArn: arn })));
    for (const name of s.roles)
      await readOrAbsent(() => iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn })));
    for (const name of s.groups)
      await readOrAbsent(() => iam.send(new DetachGroupPolicyCommand({ GroupName: name, PolicyArn: arn })));
    for (const v of s.versions.filter((x) => !x.isDefault))
      await readOrAbsent(() =>
        iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v.versionId })),
      );
    await readOrAbsent(() => iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
  },
});

type PrincipalType = 'user' | 'role' | 'group';

function principalType(p: StepParams): PrincipalType {
  const t = p.principalType;
  if (t === 'user' || t === 'role' || t === 'group') return t;
  throw new UsageError(`principalType must be user, role or group, not ${JSON.stringify(t)}.`);
}

/** The IAM calls on a principal's policies, by principal type (declared once). */
const ON: Record<
  PrincipalType,
  {
    attached(iam: IAMClient, name: string): Promise<string[]>;
    attach(iam: IAMClient, name: string, arn: string): Promise<unknown>;
    detach(iam: IAMClient, name: string, arn: string): Promise<unknown>;
    getInline(iam: IAMClient, name: string, policy: string): Promise<{ PolicyDocument?: string }>;
    putInline(iam: IAMClient, name: string, policy: string, doc: string): Promise<unknown>;
    deleteInline(iam: IAMClient, name: string, policy: string): Promise<unknown>;
  }
> = {
  user: {
    attached: async (iam, n) =>
      ((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: n }))).AttachedPolicies ?? []).map(
        (a) => a.PolicyArn ?? '',
      ),
    attach: (iam, n, arn) => iam.send(new AttachUserPolicyCommand({ UserName: n, PolicyArn: arn })),
    detach: (iam, n, arn) => iam.send(new DetachUserPolicyCommand({ UserName: n, PolicyArn: arn })),
    getInline: (iam, n, policy) => iam.send(new GetUserPolicyCommand({ UserName: n, PolicyName: policy })),
    putInline: (iam, n, policy, doc) =>
      iam.send(new PutUserPolicyCommand({ UserName: n, PolicyName: policy, PolicyDocument: doc })),
    deleteInline: (iam, n, policy) =>
      iam.send(new DeleteUserPolicyCommand({ UserName: n, PolicyName: policy })),
  },
  role: {
    attached: async (iam, n) =>
      ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: n }))).AttachedPolicies ?? []).map(
        (a) => a.PolicyArn ?? '',
      ),
    attach: (iam, n, arn) => iam.send(new AttachRolePolicyCommand({ RoleName: n, PolicyArn: arn })),
    detach: (iam, n, arn) => iam.send(new DetachRolePolicyCommand({ RoleName: n, PolicyArn: arn })),
    getInline: (iam, n, policy) => iam.send(new GetRolePolicyCommand({ RoleName: n, PolicyName: policy })),
    putInline: (iam, n, policy, doc) =>
      iam.send(new PutRolePolicyCommand({ RoleName: n, PolicyName: policy, PolicyDocument: doc })),
    deleteInline: (iam, n, policy) =>
      iam.send(new DeleteRolePolicyCommand({ RoleName: n, PolicyName: policy })),
  },
  group: {
    attached: async (iam, n) =>
      ((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: n }))).AttachedPolicies ?? []).map(
        (a) => a.PolicyArn ?? '',
      ),
    attach: (iam, n, arn) => iam.send(new AttachGroupPolicyCommand({ GroupName: n, PolicyArn: arn })),
    detach: (iam, n, arn) => iam.send(new DetachGroupPolicyCommand({ GroupName: n, PolicyArn: arn })),
    getInline: (iam, n, policy) => iam.send(new GetGroupPolicyCommand({ GroupName: n, PolicyName: policy })),
    putInline: (iam, n, policy, doc) =>
      iam.send(new PutGroupPolicyCommand({ GroupName: n, PolicyName: policy, PolicyDocument: doc })),
    deleteInline: (iam, n, policy) =>
      iam.send(new DeleteGroupPolicyCommand({ GroupName: n, PolicyName: policy })),
  },
};

interface Attachment {
  attached: boolean;
  /** The default version's document of the policy, for the record. */
  document: string | undefined;
}

/** Detach a managed policy the attacker attached to an existing user, role or group. */
export const detachPolicy = restoration<Attachment>({
  name: 'detach-policy',
  summary:
    'keep the policy document, then detach a managed policy the attacker attached to an existing principal',
  target: (p) => `${p.principalType ?? '?'}/${p.principalName ?? '?'}/${p.policyArn ?? '?'}`,
  async read(pool, p) {
    const iam = iamOf(pool);
    const attached = await readOrAbsent(() => ON[principalType(p)].attached(iam, p.principalName!));
    if (attached === undefined) return undefined;
    const policy = (await readOrAbsent(() => iam.send(new GetPolicyCommand({ PolicyArn: p.policyArn }))))
      ?.Policy;
    const version =
      policy?.DefaultVersionId &&
      (await readOrAbsent(() =>
        iam.send(new GetPolicyVersionCommand({ PolicyArn: p.policyArn, VersionId: policy.DefaultVersionId })),
      ));
    const text = version ? version.PolicyVersion?.Document : undefined;
    return {
      attached: attached.includes(p.policyArn!),
      document: text === undefined ? undefined : documentText(text),
    };
  },
  restored: (s) => !s.attached,
  describe: (_s, p) =>
    `keep the document, detach ${p.policyArn ?? '?'} from ${p.principalType ?? '?'} ${p.principalName ?? '?'}`,
  evidence: (s) => [{ file: 'policy-document.json', content: s.document ?? '' }],
  async write(pool, p) {
    await readOrAbsent(() => ON[principalType(p)].detach(iamOf(pool), p.principalName!, p.policyArn!));
    return { detached: p.policyArn };
  },
  async undo(pool, step) {
    await ON[principalType(step.params)].attach(
      iamOf(pool),
      step.params.principalName!,
      step.params.policyArn!,
    );
    return { restored: `${step.params.policyArn} attached again` };
  },
});

interface Inline {
  document: string | null;
}

/** Delete an inline policy the attacker put on an existing user, role or group. */
export const deleteInlinePolicy = restoration<Inline>({
  name: 'delete-inline-policy',
  summary: 'keep the document, then delete an inline policy the attacker added to an existing principal',
  target: (p) => `${p.principalType ?? '?'}/${p.principalName ?? '?'}/${p.policyName ?? '?'}`,
  async read(pool, p) {
    const iam = iamOf(pool);
    const exists = await readOrAbsent(() => ON[principalType(p)].attached(iam, p.principalName!));
    if (exists === undefined) return undefined;
    const got = await readOrAbsent(() =>
      ON[principalType(p)].getInline(iam, p.principalName!, p.policyName!),
    );
    return { document: got?.PolicyDocument ? documentText(got.PolicyDocument) : null };
  },
  restored: (s) => s.document === null,
  describe: (_s, p) =>
    `keep the document, delete inline ${p.policyName ?? '?'} of ${p.principalType ?? '?'} ${p.principalName ?? '?'}`,
  evidence: (s) => [{ file: 'inline-policy.json', content: s.document ?? '' }],
  async write(pool, p) {
    await readOrAbsent(() => ON[principalType(p)].deleteInline(iamOf(pool), p.principalName!, p.policyName!));
    return { deleted: p.policyName };
  },
  async undo(pool, step, before) {
    if (before.document === null) return { restored: 'nothing: there was no such policy' };
    await ON[principalType(step.params)].putInline(
      iamOf(pool),
      step.params.principalName!,
      step.params.policyName!,
      before.document,
    );
    return { restored: `${step.params.policyName} put back` };
  },
});
