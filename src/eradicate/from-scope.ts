import type { InventoryItem } from '../inventory/types.js';
import type { PersistenceItem, ScopeDocument } from '../scope/types.js';
import { LEFT_BEHIND, itemId, regionOf, type EradicationItem } from './items.js';

/** An item before its id, region and attribution are filled in. */
type Part = Pick<EradicationItem, 'kind' | 'name'> & Partial<Pick<EradicationItem, 'owner' | 'details'>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const userOf = (i: InventoryItem): string | undefined => str(i.data.userName) ?? i.parent?.id;
/** `arn:aws:iam::1:user/path/x` → `user/x`, as the calls name a principal. */
const principalPath = (owner: string | undefined): string | undefined => {
  const m = /:(user|role|group)\/(?:.*\/)?([^/]+)$/.exec(owner ?? '');
  return m ? `${m[1]}/${m[2]}` : owner;
};

/**
 * Inventory types whose attacker-created resources are removed, and the kind that removes them.
 * A type not listed here that the attacker created is a line to do by hand (kind `resource`).
 */
const CREATED: Record<string, (i: InventoryItem) => Part> = {
  'AWS::EC2::Instance': (i) => ({ kind: 'instance', name: i.id }),
  'AWS::EC2::Volume': (i) => ({
    kind: 'volume',
    name: i.id,
    details: { instance: (i.data.attachedTo as string[] | undefined)?.[0] ?? '' },
  }),
  'AWS::EC2::SecurityGroup': (i) => ({ kind: 'security-group', name: i.id }),
  'AWS::EC2::KeyPair': (i) => ({ kind: 'key-pair', name: i.id }),
  'AWS::EC2::LaunchTemplate': (i) => ({ kind: 'launch-template', name: i.id }),
  'AWS::EC2::SpotInstanceRequest': (i) => ({ kind: 'spot-request', name: i.id }),
  'AWS::GuardDuty::Filter': (i) => ({ kind: 'guardduty-filter', name: i.id }),
  'AWS::GuardDuty::IPSet': (i) => ({ kind: 'guardduty-ip-set', name: i.id }),
  'AWS::GuardDuty::ThreatIntelSet': (i) => ({ kind: 'guardduty-threat-intel-set', name: i.id }),
  'AWS::IAM::User': (i) => ({ kind: 'iam-user', name: i.id }),
  'AWS::IAM::AccessKey': (i) => ({ kind: 'access-key', name: i.id, owner: userOf(i) }),
  'AWS::IAM::LoginProfile': (i) => ({ kind: 'login-profile', name: i.id }),
  'AWS::IAM::MFADevice': (i) => ({ kind: 'mfa-device', name: i.id, owner: userOf(i) }),
  'AWS::IAM::SSHPublicKey': (i) => ({ kind: 'ssh-key', name: i.id, owner: userOf(i) }),
  'AWS::IAM::SigningCertificate': (i) => ({ kind: 'signing-certificate', name: i.id, owner: userOf(i) }),
  'AWS::IAM::ServiceSpecificCredential': (i) => ({
    kind: 'service-credential',
    name: i.id,
    owner: userOf(i),
  }),
  'AWS::IAM::Role': (i) => ({ kind: 'role', name: i.id }),
  'AWS::IAM::ManagedPolicy': (i) => ({ kind: 'managed-policy', name: i.arn ?? i.id }),
  'AWS::IAM::OIDCProvider': (i) => ({ kind: 'oidc-provider', name: i.arn ?? i.id }),
  'AWS::IAM::SAMLProvider': (i) => ({ kind: 'saml-provider', name: i.arn ?? i.id }),
  'AWS::Lambda::Function': (i) => ({ kind: 'lambda-function', name: i.id }),
  'AWS::Lambda::LayerVersion': (i) => ({ kind: 'lambda-layer', name: i.name }),
  'AWS::S3::Bucket': (i) => ({ kind: 'bucket', name: i.id }),
  'AWS::KMS::Key': (i) => ({ kind: 'kms-key', name: i.id }),
  'AWS::RDS::DBSnapshot': (i) => ({ kind: 'rds-snapshot', name: i.id }),
  'AWS::CloudFormation::Stack': (i) => ({ kind: 'stack', name: i.id }),
  'AWS::CloudFormation::StackSet': (i) => ({ kind: 'stackset', name: i.id }),
  'AWS::Events::Rule': (i) => ({ kind: 'eventbridge-rule', name: i.name }),
  'AWS::SSM::Document': (i) => ({ kind: 'ssm-document', name: i.id }),
};

/** Foreign accounts (or `all`) a share admits, as the unshare steps take them. */
const accountsOf = (p: PersistenceItem): string =>
  (p.admits ?? []).map((a) => (a === '*' ? 'all' : a)).join(',');

/** The statements of a resource policy that admit someone outside the account, by Sid. */
function foreignSids(policy: unknown, account: string): string[] {
  const statements = (policy as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? (statements as unknown[]) : statements ? [statements] : [];
  return list.flatMap((s) => {
    const st = s as { Sid?: unknown; Principal?: unknown };
    const text = JSON.stringify(st.Principal ?? '');
    const foreign = text.includes('"*"') || text === '"*"' || /\d{12}/.test(text.replaceAll(account, ''));
    return foreign && typeof st.Sid === 'string' ? [st.Sid] : [];
  });
}

/** The versions of a managed policy made since the incident began (the attacker's). */
function versionsSince(p: PersistenceItem, since: string | undefined): string {
  const versions =
    (p.evidence as { versions?: { versionId: string; createdAt?: string }[] } | null)?.versions ?? [];
  if (!since) return '';
  return versions
    .filter((v) => v.createdAt !== undefined && Date.parse(v.createdAt) >= Date.parse(since) - 5 * 60_000)
    .map((v) => v.versionId)
    .join(',');
}

type Convert = (p: PersistenceItem, doc: ScopeDocument) => Part[];
const GUARDDUTY: Record<string, string> = {
  'AWS::GuardDuty::Filter': 'guardduty-filter',
  'AWS::GuardDuty::IPSet': 'guardduty-ip-set',
  'AWS::GuardDuty::ThreatIntelSet': 'guardduty-threat-intel-set',
};
const same: Convert = (p) => [{ kind: p.kind, name: p.resource?.id ?? p.name }];
const credential: Convert = (p) => [{ kind: p.kind, name: p.resource?.id ?? p.name, owner: p.owner }];

/**
 * Every persistence kind of the scope contract, turned into the planner's items: one scope item
 * may be several (a group's open rules, a function's foreign statements) or, for a logging change,
 * the item its call leaves (`LEFT_BEHIND`).
 */
const FROM_PERSISTENCE: Record<string, Convert> = {
  'iam-user': same,
  'login-profile': same,
  'role-trust': same,
  'access-key': credential,
  'mfa-device': credential,
  'ssh-key': credential,
  'signing-certificate': credential,
  'service-credential': credential,
  'inline-policy': (p) => [
    { kind: p.kind, name: p.name.slice(p.name.indexOf('/') + 1), owner: principalPath(p.owner) },
  ],
  'group-membership': (p) => {
    const e = p.evidence as { userName?: string; groupName?: string } | null;
    return [{ kind: p.kind, name: e?.groupName ?? p.name, owner: `user/${e?.userName ?? ''}` }];
  },
  'policy-attachment': (p) => [{ kind: p.kind, name: p.arn ?? p.name, owner: principalPath(p.owner) }],
  'policy-version': (p, doc) => [
    { kind: p.kind, name: p.arn ?? p.name, details: { versionId: versionsSince(p, doc.window?.since) } },
  ],
  'oidc-provider': (p) => [{ kind: p.kind, name: p.arn ?? p.resource?.id ?? p.name }],
  'saml-provider': (p) => [{ kind: p.kind, name: p.arn ?? p.resource?.id ?? p.name }],
  // By layer name, as the calls name it (PublishLayerVersion's layerName): its versions go with it.
  'lambda-layer': (p) => [{ kind: p.kind, name: p.name }],
  'snapshot-share': (p) => [{ kind: p.kind, name: p.name, details: { accounts: accountsOf(p) } }],
  'ami-share': (p) => [{ kind: p.kind, name: p.name, details: { accounts: accountsOf(p) } }],
  'lambda-permission': (p, doc) =>
    foreignSids(p.evidence, p.account || doc.account).map((sid) => ({
      kind: p.kind,
      name: sid,
      owner: p.name,
    })),
  'security-group-ingress': (p) => {
    const open =
      (p.evidence as { open?: { protocol: string; fromPort?: number; cidrs?: string[] }[] } | null)?.open ??
      [];
    return open.flatMap((r) =>
      (r.cidrs ?? []).map((cidr) => {
        const port = String(r.fromPort ?? 0);
        return {
          kind: 'security-group-rule',
          name: `${r.protocol}:${port}:${cidr}`,
          owner: p.resource?.id ?? p.name,
          details: { protocol: r.protocol, port, cidr },
        };
      }),
    );
  },
  // One scope kind for the three GuardDuty objects that quiet detection; one step kind each.
  'guardduty-suppression': (p) => {
    const kind = GUARDDUTY[p.resource?.type ?? ''];
    return [{ kind: kind ?? p.kind, name: p.resource?.id ?? p.name }];
  },
  'logging-change': (p) => {
    const e = p.evidence as { eventName?: string; requestParameters?: unknown } | null;
    const read = LEFT_BEHIND[e?.eventName ?? ''];
    return read ? read(e?.requestParameters ?? {}, {}) : [{ kind: 'logging-change', name: p.name }];
  },
};

/** An item of scope's, with its id (the planner's) and scope's id (what `--include` may name). */
function itemOf(part: Part, from: PersistenceItem | InventoryItem, scopeId: string): EradicationItem {
  const p = 'attribution' in from && typeof from.attribution === 'string' ? from : undefined;
  const i = p ? undefined : (from as InventoryItem);
  const region = regionOf(part.kind, from.region);
  return {
    ...part,
    id: itemId(part.kind, region, part.name, part.owner),
    scopeId,
    region,
    account: from.account,
    attribution: p?.attribution ?? i?.attribution?.origin ?? 'unknown',
    eventIds: p?.eventIds ?? i?.attribution?.eventIds ?? [],
    ...((p?.firstSeen ?? i?.createdAt) ? { firstSeen: p?.firstSeen ?? i?.createdAt } : {}),
    from: 'scope',
  };
}

/** The inventory id scope gives an item that is not a persistence item: `<kind>/<region>/<id>`. */
const inventoryScopeId = (kind: string, i: InventoryItem, home: string) =>
  `${kind}/${i.region}/${i.id}${i.account && i.account !== home ? `@${i.account}` : ''}`;

/**
 * The items of `scope.json` to consider: every persistence item (whatever its attribution: the
 * planner acts on the attacker's and on what `--include` names) and every resource the attacker
 * created. A resource the attacker only changed is restored through its persistence item; when
 * it has none it is listed, to review, not acted on.
 */
export function itemsFromScope(doc: ScopeDocument): { items: EradicationItem[]; changed: EradicationItem[] } {
  const byId = new Map<string, EradicationItem>();
  const add = (item: EradicationItem) => {
    const seen = byId.get(item.id);
    if (!seen) byId.set(item.id, item);
    else seen.eventIds = [...new Set([...seen.eventIds, ...item.eventIds])];
  };
  for (const p of doc.persistence) {
    if (p.account === 'aws') continue;
    const convert = FROM_PERSISTENCE[p.kind] ?? same;
    for (const part of convert(p, doc)) add(itemOf(part, p, p.id));
  }
  const covered = new Set(
    doc.persistence.flatMap((p) => (p.resource ? [`${p.account}|${p.resource.type}|${p.resource.id}`] : [])),
  );
  const changed: EradicationItem[] = [];
  for (const i of doc.inventory) {
    const a = i.attribution;
    if (a?.origin !== 'attacker' || i.account === 'aws') continue;
    const make = CREATED[i.type];
    if (a.how === 'created') {
      const part: Part = make?.(i) ?? {
        kind: 'resource',
        name: i.id,
        details: { type: i.type },
      };
      add(itemOf(part, i, inventoryScopeId(part.kind, i, doc.account)));
    } else if (!covered.has(`${i.account}|${i.type}|${i.id}`)) {
      const part: Part = { kind: 'resource', name: i.id, details: { type: i.type } };
      changed.push(itemOf(part, i, inventoryScopeId('resource', i, doc.account)));
    }
  }
  return { items: [...byId.values()], changed };
}

/** Where an item of a removable kind lives in the inventory, to tell "already gone" from "not read". */
const LIVE: Record<string, { type: string; lister: string; live?: (i: InventoryItem) => boolean }> = {
  instance: {
    type: 'AWS::EC2::Instance',
    lister: 'ec2.instances',
    live: (i) => i.data.state !== 'terminated',
  },
  'security-group': { type: 'AWS::EC2::SecurityGroup', lister: 'ec2.security-groups' },
  'key-pair': { type: 'AWS::EC2::KeyPair', lister: 'ec2.key-pairs' },
  'launch-template': { type: 'AWS::EC2::LaunchTemplate', lister: 'ec2.launch-templates' },
  'iam-user': { type: 'AWS::IAM::User', lister: 'iam.' },
  'access-key': { type: 'AWS::IAM::AccessKey', lister: 'iam.' },
  'login-profile': { type: 'AWS::IAM::LoginProfile', lister: 'iam.' },
  'mfa-device': { type: 'AWS::IAM::MFADevice', lister: 'iam.' },
  'ssh-key': { type: 'AWS::IAM::SSHPublicKey', lister: 'iam.' },
  'signing-certificate': { type: 'AWS::IAM::SigningCertificate', lister: 'iam.' },
  'service-credential': { type: 'AWS::IAM::ServiceSpecificCredential', lister: 'iam.' },
  role: { type: 'AWS::IAM::Role', lister: 'iam.' },
  'managed-policy': { type: 'AWS::IAM::ManagedPolicy', lister: 'iam.' },
  'oidc-provider': { type: 'AWS::IAM::OIDCProvider', lister: 'iam.' },
  'saml-provider': { type: 'AWS::IAM::SAMLProvider', lister: 'iam.' },
  bucket: { type: 'AWS::S3::Bucket', lister: 's3.buckets' },
  'lambda-function': { type: 'AWS::Lambda::Function', lister: 'lambda.functions' },
  stack: { type: 'AWS::CloudFormation::Stack', lister: 'cloudformation.stacks' },
};

/** Whether scope read the lister completely where the item would be (IAM and S3: anywhere). */
function readFully(doc: ScopeDocument, lister: string, region: string, account: string): boolean {
  const global = lister.startsWith('iam.') || lister.startsWith('s3.');
  if (!global && !doc.regions.enabled.includes(region)) return false;
  // Another account's lines carry its id after the lister's name (src/scope/other-accounts.ts).
  const named = (c: string) =>
    account === doc.account ? c : c.endsWith(` ${account}`) ? c.slice(0, -account.length - 1) : undefined;
  const lines = doc.coverage.filter((c) => {
    const name = named(c.lister);
    return (
      name !== undefined &&
      (lister.endsWith('.') ? name.startsWith(lister) : name === lister) &&
      (global || c.region === region)
    );
  });
  return lines.length > 0 && lines.every((c) => c.status === 'complete' || c.status === 'skipped');
}

/** What the calls say of an item scope does not list: gone, or not something scope can tell. */
export function goneFromScope(item: EradicationItem, doc: ScopeDocument): boolean {
  const live = LIVE[item.kind];
  const account = item.account || doc.account;
  if (!live || !readFully(doc, live.lister, item.region, account)) return false;
  return !doc.inventory.some(
    (i) =>
      i.account === account &&
      i.type === live.type &&
      (i.id === item.name || i.arn === item.name) &&
      (live.live?.(i) ?? true),
  );
}
