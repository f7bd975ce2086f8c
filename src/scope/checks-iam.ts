import type { InventoryItem } from '../inventory/types.js';
import { ADMIN_MANAGED, allowsAdmin, foreignAdmitted } from './principals.js';
import {
  fromItem,
  itemById,
  itemsOf,
  originOf,
  partOrigin,
  riskFor,
  type Candidate,
  type PersistenceCheck,
  type SweepContext,
} from './sweep.js';

const notPreExisting = (i: InventoryItem): boolean => originOf(i) !== 'pre-existing';

/** A user's credential of one type (key, SSH key, certificate, service credential, MFA device). */
function userCredential(
  type: string,
  what: string,
  remediation: (i: InventoryItem) => string,
  extraRisky: (i: InventoryItem, ctx: SweepContext) => string | undefined = () => undefined,
) {
  return (ctx: SweepContext): Candidate[] =>
    itemsOf(ctx, type).flatMap((i) => {
      const user = typeof i.data.userName === 'string' ? i.data.userName : (i.parent?.id ?? '');
      const risky = extraRisky(i, ctx);
      if (!notPreExisting(i) && !risky) return [];
      const origin = originOf(i);
      return [
        fromItem(i, {
          owner: user,
          principal: itemById(ctx, 'AWS::IAM::User', user)?.arn,
          why:
            origin === 'attacker'
              ? `${what} added to user ${user} by the compromised credentials`
              : (risky ?? `${what} of user ${user}, made during the incident by someone else`),
          risk: riskFor(origin, 'critical', risky ? 'low' : 'medium'),
          remediation: remediation(i),
        }),
      ];
    });
}

/** Another active key of the same user: two long-term keys at once is how a backdoor key hides. */
function secondKey(i: InventoryItem, ctx: SweepContext): string | undefined {
  if (i.data.status !== 'Active') return undefined;
  const siblings = itemsOf(ctx, 'AWS::IAM::AccessKey').filter(
    (k) => k.data.userName === i.data.userName && k.data.status === 'Active',
  );
  return siblings.length > 1
    ? `user ${String(i.data.userName)} has ${siblings.length} active access keys`
    : undefined;
}

type Principal = {
  type: 'AWS::IAM::User' | 'AWS::IAM::Role' | 'AWS::IAM::Group';
  word: string;
  put: string;
  attach: string;
};
const PRINCIPALS: Principal[] = [
  { type: 'AWS::IAM::User', word: 'user', put: 'PutUserPolicy', attach: 'AttachUserPolicy' },
  { type: 'AWS::IAM::Role', word: 'role', put: 'PutRolePolicy', attach: 'AttachRolePolicy' },
  { type: 'AWS::IAM::Group', word: 'group', put: 'PutGroupPolicy', attach: 'AttachGroupPolicy' },
];

function inlinePolicies(ctx: SweepContext): Candidate[] {
  return PRINCIPALS.flatMap((p) =>
    itemsOf(ctx, p.type).flatMap((owner) =>
      ((owner.data.inlinePolicies as { name?: string; document: unknown }[] | undefined) ?? []).flatMap(
        (policy) => {
          const name = policy.name ?? '';
          if (ctx.ourPolicies.has(`${owner.id}/${name}`)) return [];
          const writes = ctx.index.find([p.put], [name], [owner.id]);
          const origin = partOrigin(ctx, owner, writes);
          const admin = allowsAdmin(policy.document);
          // An administrator's own broad policy is account hygiene, not a way back in.
          if (origin.attribution === 'pre-existing') return [];
          return [
            {
              name: `${owner.id}/${name}`,
              region: 'global',
              account: owner.account,
              owner: owner.arn ?? owner.id,
              principal: owner.arn,
              ...origin,
              evidence: policy.document,
              risk: riskFor(origin.attribution, admin ? 'critical' : 'high', admin ? 'medium' : 'low'),
              why: `inline policy ${name} on ${p.word} ${owner.id}${admin ? ' grants administrator rights (* or iam:* on *)' : ''}`,
              remediation: `Delete the inline policy: aws iam delete-${p.word}-policy --${p.word}-name ${owner.id} --policy-name ${name} (kept in the case as evidence first).`,
              resource: { type: owner.type, id: owner.id, region: 'global' },
            },
          ];
        },
      ),
    ),
  );
}

function policyAttachments(ctx: SweepContext): Candidate[] {
  const adminCustomer = new Set(
    itemsOf(ctx, 'AWS::IAM::ManagedPolicy')
      .filter((m) => {
        const versions = (m.data.versions as { isDefault?: boolean; document: unknown }[] | undefined) ?? [];
        return versions.some((v) => v.isDefault && allowsAdmin(v.document));
      })
      .map((m) => m.id),
  );
  return PRINCIPALS.flatMap((p) =>
    itemsOf(ctx, p.type).flatMap((owner) =>
      ((owner.data.attachedPolicies as string[] | undefined) ?? []).flatMap((arn) => {
        const writes = ctx.index.find([p.attach], [arn], [owner.id]);
        const origin = partOrigin(ctx, owner, writes);
        const admin = ADMIN_MANAGED.has(arn) || adminCustomer.has(arn);
        if (origin.attribution === 'pre-existing') return [];
        return [
          {
            name: `${owner.id}/${arn.replace(/^.*policy\//, '')}`,
            arn,
            region: 'global',
            account: owner.account,
            owner: owner.arn ?? owner.id,
            principal: owner.arn,
            ...origin,
            evidence: { policyArn: arn, attachedTo: owner.arn ?? owner.id },
            risk: riskFor(origin.attribution, admin ? 'critical' : 'high', 'low'),
            why: `${arn} attached to ${p.word} ${owner.id}${admin ? ' (administrator rights)' : ''}`,
            remediation: `Detach it: aws iam detach-${p.word}-policy --${p.word}-name ${owner.id} --policy-arn ${arn}.`,
            resource: { type: owner.type, id: owner.id, region: 'global' },
          },
        ];
      }),
    ),
  );
}

/** Existing users the compromise put into a group: the group's rights became theirs. */
function groupMemberships(ctx: SweepContext): Candidate[] {
  return itemsOf(ctx, 'AWS::IAM::User').flatMap((user) =>
    ((user.data.groups as string[] | undefined) ?? []).flatMap((group) => {
      const origin = partOrigin(ctx, user, ctx.index.find(['AddUserToGroup'], [group], [user.id]));
      // A user the attacker made leaves its groups with it: only a member that stays is a way in.
      if (origin.attribution !== 'attacker' || user.attribution?.how === 'created') return [];
      return [
        {
          name: `${user.id}/${group}`,
          region: 'global',
          account: user.account,
          owner: user.arn ?? user.id,
          principal: user.arn,
          ...origin,
          evidence: { userName: user.id, groupName: group },
          risk: 'high' as const,
          why: `the compromised credentials added user ${user.id} to group ${group}: the group's policies are its rights`,
          remediation: `Remove it: aws iam remove-user-from-group --user-name ${user.id} --group-name ${group}.`,
          resource: { type: user.type, id: user.id, region: 'global' },
        },
      ];
    }),
  );
}

function policyVersions(ctx: SweepContext): Candidate[] {
  return itemsOf(ctx, 'AWS::IAM::ManagedPolicy')
    .filter((m) => m.account !== 'aws')
    .flatMap((m) => {
      const writes = ctx.index.find(['CreatePolicyVersion', 'SetDefaultPolicyVersion'], [m.arn ?? m.id]);
      const origin = partOrigin(ctx, undefined, writes);
      if (origin.attribution !== 'attacker') return [];
      const versions =
        (m.data.versions as
          { versionId?: string; isDefault?: boolean; createdAt?: string; document: unknown }[] | undefined) ??
        [];
      const current = versions.find((v) => v.isDefault);
      return [
        {
          name: m.name,
          arn: m.arn,
          region: 'global',
          account: m.account,
          ...origin,
          evidence: { defaultVersionId: m.data.defaultVersionId, versions },
          risk: allowsAdmin(current?.document) ? 'critical' : 'high',
          why: `the compromised credentials made a version of ${m.name} or set its default (default now ${String(m.data.defaultVersionId)}${allowsAdmin(current?.document) ? ', which allows everything' : ''}); every principal it is attached to changed rights with it`,
          remediation: `Set the default back to the version before the incident (aws iam set-default-policy-version) and delete the attacker's version (aws iam delete-policy-version).`,
          resource: { type: m.type, id: m.id, region: 'global' },
        },
      ];
    });
}

function roleTrusts(ctx: SweepContext): Candidate[] {
  return itemsOf(ctx, 'AWS::IAM::Role').flatMap((role) => {
    const admits = foreignAdmitted(role.data.trust, ctx.account);
    const writes = ctx.index.find(['UpdateAssumeRolePolicy', 'CreateRole'], [role.id]);
    const origin = partOrigin(ctx, role, writes);
    if (origin.attribution === 'pre-existing' && admits.length === 0) return [];
    if (origin.attribution !== 'attacker' && admits.length === 0) return [];
    return [
      {
        name: role.id,
        arn: role.arn,
        region: 'global',
        account: role.account,
        owner: role.arn,
        principal: role.arn,
        admits,
        ...origin,
        evidence: role.data.trust,
        risk: riskFor(origin.attribution, 'critical', admits.some((a) => a.startsWith('*')) ? 'high' : 'low'),
        why: admits.length
          ? `the trust policy of role ${role.id} admits ${admits.join(', ')}`
          : `the trust policy of role ${role.id} was written by the compromised credentials`,
        remediation:
          origin.attribution === 'attacker'
            ? `Restore the trust policy the role had before the incident (aws iam update-assume-role-policy), or remove the statements admitting ${admits.join(', ') || 'the attacker'}.`
            : `Confirm the cross-account trust is expected (${admits.join(', ')}); add an ExternalId or aws:PrincipalOrgID condition.`,
        resource: { type: role.type, id: role.id, region: 'global' },
      },
    ];
  });
}

function identityProvider(type: string, word: string, verb: string) {
  return (ctx: SweepContext): Candidate[] =>
    itemsOf(ctx, type).map((p) =>
      fromItem(p, {
        admits: [typeof p.data.url === 'string' ? p.data.url : p.name],
        why: `${word} ${p.name}: its users can assume any role whose trust names it`,
        risk: riskFor(originOf(p), 'critical', 'low'),
        remediation: `Delete it if it is not yours (aws iam ${verb} ${p.arn ?? p.id}) and review the roles that trust it.`,
      }),
    );
}

/** The IAM half of the persistence checklist (ATT&CK T1136.003, T1098.001/.003/.005, T1484.002). */
export const IAM_CHECKS: PersistenceCheck[] = [
  {
    kind: 'iam-user',
    technique: 'T1136.003',
    title: 'new IAM users',
    find: (ctx) =>
      itemsOf(ctx, 'AWS::IAM::User')
        // A user the attacker only changed (a policy put on it) is not a new user: the change is
        // its own way in (inline-policy, policy-attachment), and eradication must not delete it.
        .filter((u) => notPreExisting(u) && u.attribution?.how !== 'changed')
        .map((u) =>
          fromItem(u, {
            principal: u.arn,
            why:
              originOf(u) === 'attacker'
                ? `user ${u.id} created by the compromised credentials`
                : `user ${u.id} made during the incident by someone else`,
            risk: riskFor(originOf(u), 'critical', 'medium'),
            remediation: `Delete the user in IAM's order (keys, password, MFA, SSH keys, certificates, policies, groups, then the user); eradication does it in that order.`,
          }),
        ),
  },
  {
    kind: 'access-key',
    technique: 'T1098.001',
    title: 'access keys added to users',
    find: userCredential(
      'AWS::IAM::AccessKey',
      'access key',
      (i) =>
        `Deactivate, then delete: aws iam update-access-key --user-name ${String(i.data.userName)} --access-key-id ${i.id} --status Inactive.`,
      secondKey,
    ),
  },
  {
    kind: 'login-profile',
    technique: 'T1098.001',
    title: 'console passwords',
    find: userCredential(
      'AWS::IAM::LoginProfile',
      'console password',
      (i) => `Delete it: aws iam delete-login-profile --user-name ${i.id}.`,
    ),
  },
  {
    kind: 'mfa-device',
    technique: 'T1098.005',
    title: 'MFA devices registered',
    find: userCredential(
      'AWS::IAM::MFADevice',
      'MFA device',
      (i) =>
        `Deactivate and delete: aws iam deactivate-mfa-device --user-name ${String(i.data.userName)} --serial-number ${i.id}.`,
    ),
  },
  {
    kind: 'ssh-key',
    technique: 'T1098.004',
    title: 'SSH public keys (CodeCommit)',
    find: userCredential(
      'AWS::IAM::SSHPublicKey',
      'SSH public key',
      (i) =>
        `Delete it: aws iam delete-ssh-public-key --user-name ${String(i.data.userName)} --ssh-public-key-id ${i.id}.`,
    ),
  },
  {
    kind: 'signing-certificate',
    technique: 'T1098.001',
    title: 'signing certificates',
    find: userCredential(
      'AWS::IAM::SigningCertificate',
      'signing certificate',
      (i) =>
        `Delete it: aws iam delete-signing-certificate --user-name ${String(i.data.userName)} --certificate-id ${i.id}.`,
    ),
  },
  {
    kind: 'service-credential',
    technique: 'T1098.001',
    title: 'service-specific credentials',
    find: userCredential(
      'AWS::IAM::ServiceSpecificCredential',
      'service-specific credential',
      (i) =>
        `Delete it: aws iam delete-service-specific-credential --user-name ${String(i.data.userName)} --service-specific-credential-id ${i.id}.`,
    ),
  },
  { kind: 'inline-policy', technique: 'T1098.003', title: 'inline policies', find: inlinePolicies },
  {
    kind: 'policy-attachment',
    technique: 'T1098.003',
    title: 'managed policies attached',
    find: policyAttachments,
  },
  { kind: 'group-membership', technique: 'T1098', title: 'group memberships added', find: groupMemberships },
  {
    kind: 'policy-version',
    technique: 'T1098.003',
    title: 'customer managed policy versions',
    find: policyVersions,
  },
  {
    kind: 'role-trust',
    technique: 'T1098.003',
    title: 'role trust policies admitting other principals',
    find: roleTrusts,
  },
  {
    kind: 'oidc-provider',
    technique: 'T1484.002',
    title: 'OIDC identity providers',
    find: identityProvider(
      'AWS::IAM::OIDCProvider',
      'OIDC identity provider',
      'delete-open-id-connect-provider --open-id-connect-provider-arn',
    ),
  },
  {
    kind: 'saml-provider',
    technique: 'T1484.002',
    title: 'SAML identity providers',
    find: identityProvider(
      'AWS::IAM::SAMLProvider',
      'SAML identity provider',
      'delete-saml-provider --saml-provider-arn',
    ),
  },
];
