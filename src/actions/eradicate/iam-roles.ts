import {
  DeleteOpenIDConnectProviderCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteSAMLProviderCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetSAMLProviderCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand,
  RemoveRoleFromInstanceProfileCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { iamList, iamOf, readOrAbsent } from '../iam-read.js';
import { asJson, listParam, removal, restoration } from './declare.js';
import { documentText } from './iam-policies.js';

interface Trust {
  roleName: string;
  /** The trust policy exactly as IAM holds it. */
  text: string;
}

type Statement = Record<string, unknown> & { Principal?: unknown };

function statements(doc: { Statement?: unknown }): Statement[] {
  const s = doc.Statement;
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]) as Statement[];
}

/** Whether a principal value names one of the attacker's principals (an account id inside an ARN). */
function isAttackers(value: unknown, attacker: string[]): boolean {
  return typeof value === 'string' && attacker.some((a) => (a === '*' ? value === '*' : value.includes(a)));
}

/**
 * The trust policy without the attacker's principals: each of their entries is taken out of its
 * statement, and a statement left with no principal goes. Everything else is kept as it was.
 */
export function withoutPrincipals(text: string, attacker: string[]): { text: string; statements: number } {
  const doc = JSON.parse(text) as { Statement?: unknown };
  const kept: Statement[] = [];
  for (const st of statements(doc)) {
    const principal = st.Principal;
    if (isAttackers(principal, attacker)) continue;
    if (principal && typeof principal === 'object') {
      const next: Record<string, unknown> = {};
      for (const [kind, value] of Object.entries(principal as Record<string, unknown>)) {
        const values = Array.isArray(value) ? value : [value];
        const left = values.filter((v) => !isAttackers(v, attacker));
        if (left.length) next[kind] = Array.isArray(value) ? left : left[0];
      }
      if (Object.keys(next).length === 0) continue;
      kept.push({ ...st, Principal: next });
    } else kept.push(st);
  }
  return { text: JSON.stringify({ ...doc, Statement: kept }), statements: kept.length };
}

function mentionsAttacker(text: string, attacker: string[]): boolean {
  return withoutPrincipals(text, attacker).text !== JSON.stringify(JSON.parse(text));
}

async function readTrust(pool: ClientPool, p: StepParams): Promise<Trust | undefined> {
  const role = (await readOrAbsent(() => iamOf(pool).send(new GetRoleCommand({ RoleName: p.roleName }))))
    ?.Role;
  if (!role?.AssumeRolePolicyDocument) return undefined;
  return { roleName: p.roleName!, text: documentText(role.AssumeRolePolicyDocument) };
}

/**
 * Put a role's trust policy back: the prior document byte for byte when the case saw it (an
 * earlier CreateRole/UpdateAssumeRolePolicy event, or the scope snapshot), else the same document
 * with only the attacker's principals (`removePrincipals`) taken out.
 */
export const restoreRoleTrust = restoration<Trust>({
  name: 'restore-role-trust',
  summary:
    "keep the current trust policy, then put the pre-attack one back (or remove only the attacker's principals)",
  target: (p) => p.roleArn ?? p.roleName ?? '?',
  read: readTrust,
  restored(s, p) {
    if (p.priorDocument !== undefined) return s.text === p.priorDocument;
    return !mentionsAttacker(s.text, listParam(p, 'removePrincipals'));
  },
  describe(s, p) {
    if (p.priorDocument !== undefined)
      return 'keep the current trust policy, put back the pre-attack document (byte for byte)';
    const attacker = listParam(p, 'removePrincipals');
    if (!attacker.length) return "cannot: neither the prior document nor the attacker's principals are known";
    const next = withoutPrincipals(s.text, attacker);
    if (next.statements === 0)
      return `cannot: removing ${attacker.join(', ')} would leave no statement; the pre-attack document is needed`;
    return `keep the current trust policy, remove ${attacker.join(', ')} from it (no prior document known)`;
  },
  evidence: (s) => [{ file: 'trust-policy.json', content: s.text }],
  async write(pool, p, s) {
    const document = p.priorDocument ?? withoutPrincipals(s.text, listParam(p, 'removePrincipals')).text;
    await iamOf(pool).send(
      new UpdateAssumeRolePolicyCommand({ RoleName: s.roleName, PolicyDocument: document }),
    );
    return { restoredFrom: p.priorDocument !== undefined ? 'prior document' : 'attacker principals removed' };
  },
  async undo(pool, _step, before) {
    await iamOf(pool).send(
      new UpdateAssumeRolePolicyCommand({ RoleName: before.roleName, PolicyDocument: before.text }),
    );
    return { restored: 'the trust policy as it was before this step' };
  },
});

interface RoleRecord {
  roleName: string;
  arn: string;
  created: string | undefined;
  trust: string;
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
  instanceProfiles: string[];
}

/** Delete a role the attacker created: out of its instance profiles, policies off, then it. */
export const deleteRole = removal<RoleRecord>({
  name: 'delete-role',
  summary: 'keep the role record, then delete an attacker-created role (instance profiles, policies first)',
  irreversibleBecause:
    'a deleted role cannot be restored (a new one gets a new id); its record is in the evidence',
  target: (p) => p.roleArn ?? p.roleName ?? '?',
  async read(pool, p) {
    const iam = iamOf(pool);
    const role = (await readOrAbsent(() => iam.send(new GetRoleCommand({ RoleName: p.roleName }))))?.Role;
    if (!role) return undefined;
    const q = { RoleName: p.roleName };
    const [names, attached, profiles] = await Promise.all([
      iamList(
        (Marker) => iam.send(new ListRolePoliciesCommand({ ...q, Marker })),
        (x) => x.PolicyNames,
      ),
      iamList(
        (Marker) => iam.send(new ListAttachedRolePoliciesCommand({ ...q, Marker })),
        (x) => x.AttachedPolicies,
      ),
      iamList(
        (Marker) => iam.send(new ListInstanceProfilesForRoleCommand({ ...q, Marker })),
        (x) => x.InstanceProfiles,
      ),
    ]);
    const inlinePolicies: Record<string, string> = {};
    for (const name of names) {
      const got = await readOrAbsent(() => iam.send(new GetRolePolicyCommand({ ...q, PolicyName: name })));
      if (got?.PolicyDocument) inlinePolicies[name] = documentText(got.PolicyDocument);
    }
    const created = role.CreateDate?.toISOString();
    return {
      state: {
        roleName: p.roleName!,
        arn: role.Arn ?? '',
        created,
        trust: documentText(role.AssumeRolePolicyDocument ?? ''),
        inlinePolicies,
        attachedPolicies: attached.map((a) => a.PolicyArn ?? '').filter(Boolean),
        instanceProfiles: profiles.map((x) => x.InstanceProfileName ?? '').filter(Boolean),
      },
      created,
    };
  },
  describe: (r) =>
    `keep its record, remove it from ${r.instanceProfiles.length} instance profile(s), delete ${Object.keys(r.inlinePolicies).length} inline and detach ${r.attachedPolicies.length} policy(ies), delete the role`,
  preserve: (_pool, p, r, context) =>
    context.keep('role.json', asJson(r), `iam:GetRole and lists for ${p.roleName}`),
  async remove(pool, _p, r) {
    const iam = iamOf(pool);
    const q = { RoleName: r.roleName };
    for (const profile of r.instanceProfiles)
      await readOrAbsent(() =>
        iam.send(new RemoveRoleFromInstanceProfileCommand({ ...q, InstanceProfileName: profile })),
      );
    for (const name of Object.keys(r.inlinePolicies))
      await readOrAbsent(() => iam.send(new DeleteRolePolicyCommand({ ...q, PolicyName: name })));
    for (const arn of r.attachedPolicies)
      await readOrAbsent(() => iam.send(new DetachRolePolicyCommand({ ...q, PolicyArn: arn })));
    await readOrAbsent(() => iam.send(new DeleteRoleCommand(q)));
  },
});

/** Delete an OpenID Connect identity provider the attacker registered. */
export const deleteOidcProvider = removal<Record<string, unknown>>({
  name: 'delete-oidc-provider',
  summary: 'keep its configuration, then delete an OIDC identity provider the attacker registered',
  irreversibleBecause:
    'a deleted provider can be registered again from its kept configuration, with a new trust to set up',
  target: (p) => p.arn ?? '?',
  async read(pool, p) {
    const out = await readOrAbsent(() =>
      iamOf(pool).send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.arn })),
    );
    if (!out) return undefined;
    const created = out.CreateDate?.toISOString();
    return {
      state: {
        arn: p.arn,
        url: out.Url,
        clientIds: out.ClientIDList,
        thumbprints: out.ThumbprintList,
        created,
      },
      created,
    };
  },
  describe: (s) => `keep its configuration, delete the provider for ${String(s.url)}`,
  preserve: (_pool, _p, s, context) =>
    context.keep('oidc-provider.json', asJson(s), 'iam:GetOpenIDConnectProvider'),
  async remove(pool, p) {
    await readOrAbsent(() =>
      iamOf(pool).send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.arn })),
    );
  },
});

/** Delete a SAML identity provider the attacker registered. */
export const deleteSamlProvider = removal<{ arn: string; metadata: string; created: string | undefined }>({
  name: 'delete-saml-provider',
  summary: 'keep its metadata document, then delete a SAML identity provider the attacker registered',
  irreversibleBecause: 'a deleted provider can be registered again from its kept metadata document',
  target: (p) => p.arn ?? '?',
  async read(pool, p) {
    const out = await readOrAbsent(() =>
      iamOf(pool).send(new GetSAMLProviderCommand({ SAMLProviderArn: p.arn })),
    );
    if (!out) return undefined;
    const created = out.CreateDate?.toISOString();
    return { state: { arn: p.arn!, metadata: out.SAMLMetadataDocument ?? '', created }, created };
  },
  describe: () => 'keep its metadata document, delete the provider',
  summarize: (s) => ({ arn: s.arn, created: s.created }),
  preserve: (_pool, _p, s, context) => context.keep('saml-metadata.xml', s.metadata, 'iam:GetSAMLProvider'),
  async remove(pool, p) {
    await readOrAbsent(() => iamOf(pool).send(new DeleteSAMLProviderCommand({ SAMLProviderArn: p.arn })));
  },
});
