import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../inventory/types.js';
import type { PersistenceItem, ScopeDocument } from '../scope/types.js';
import { itemId, type EradicationItem } from './items.js';
import { choose, leftByWhy, reconcile } from './sources.js';

const ACCOUNT = '111122223333';
const SINCE = '2026-12-04T01:10:00Z';

function inventory(
  type: string,
  id: string,
  region: string,
  extra: Partial<InventoryItem> = {},
): InventoryItem {
  return { type, id, name: id, region, account: ACCOUNT, data: {}, ...extra };
}
const attacker = (how: 'created' | 'changed', ...eventIds: string[]) => ({
  attribution: { origin: 'attacker' as const, how, eventIds, writes: eventIds.length, reason: 'test' },
});

function persistence(p: Partial<PersistenceItem> & Pick<PersistenceItem, 'kind' | 'name'>): PersistenceItem {
  return {
    id: `${p.kind}/${p.region ?? 'global'}/${p.name}`,
    region: 'global',
    account: ACCOUNT,
    attribution: 'attacker',
    eventIds: ['e-scope'],
    evidence: {},
    risk: 'high',
    why: 'test',
    remediation: 'test',
    technique: 'T0000',
    ...p,
  };
}

/** The calls' reading of one item, as `itemsFromEvents` gives it. */
function call(
  kind: string,
  region: string,
  name: string,
  extra: Partial<EradicationItem> = {},
): EradicationItem {
  return {
    kind,
    id: itemId(kind, region, name, extra.owner),
    name,
    region: region,
    account: ACCOUNT,
    attribution: 'attacker',
    eventIds: [`e-${name}`],
    firstSeen: '2026-12-04T01:20:00Z',
    from: 'calls',
    ...extra,
  };
}

const coverage = (lister: string, region: string) => ({
  service: lister.split('.')[0]!,
  lister,
  region,
  status: 'complete' as const,
  items: 1,
});

function scopeDoc(items: InventoryItem[], ways: PersistenceItem[]): ScopeDocument {
  return {
    schema: 1,
    generatedAt: '2026-12-04T02:00:00Z',
    account: ACCOUNT,
    window: { since: SINCE, until: '2026-12-04T01:40:00Z' },
    regions: { enabled: ['us-east-1', 'eu-north-1'], source: 'DescribeRegions', disabled: [] },
    inventory: items,
    persistence: ways,
    coverage: [
      coverage('iam.authorization', 'us-east-1'),
      coverage('ec2.instances', 'eu-north-1'),
      coverage('ec2.key-pairs', 'eu-north-1'),
      coverage('ec2.key-pairs', 'us-east-1'),
      { ...coverage('ec2.instances', 'us-east-1'), status: 'not-checked', reason: 'AccessDenied' },
    ],
    summary: {
      resources: items.length,
      byOrigin: { attacker: 0, 'pre-existing': 0, unknown: 0 },
      responder: 0,
      persistence: { attacker: 0, preExisting: 0, unknown: 0 },
      byKind: {},
      notChecked: 1,
    },
  };
}

describe('eradication plans from scope, cross-checked with the calls', () => {
  const doc = scopeDoc(
    [
      inventory('AWS::IAM::User', 'svc-backup', 'global', attacker('created', 'e-user')),
      inventory('AWS::IAM::AccessKey', 'AKIAKEEP', 'global', {
        parent: { type: 'AWS::IAM::User', id: 'ops-admin' },
        data: { userName: 'ops-admin' },
        ...attacker('created', 'e-key'),
      }),
      inventory('AWS::EC2::Instance', 'i-miner', 'eu-north-1', {
        data: { state: 'running' },
        ...attacker('created', 'e-run'),
      }),
      inventory('AWS::EC2::Volume', 'vol-miner', 'eu-north-1', {
        data: { attachedTo: ['i-miner'] },
        ...attacker('created', 'e-run'),
      }),
      inventory('AWS::EC2::LaunchTemplate', 'lt-1', 'eu-north-1', attacker('created', 'e-lt')),
      inventory('AWS::S3::Bucket', 'acme-data', 'us-east-1', attacker('changed', 'e-acl')),
      inventory('AWS::IAM::Role', 'deploy-role', 'global', attacker('changed', 'e-trust')),
    ],
    [
      persistence({
        kind: 'iam-user',
        name: 'svc-backup',
        resource: { type: 'AWS::IAM::User', id: 'svc-backup', region: 'global' },
      }),
      persistence({
        kind: 'access-key',
        name: 'AKIAKEEP',
        owner: 'ops-admin',
        resource: { type: 'AWS::IAM::AccessKey', id: 'AKIAKEEP', region: 'global' },
      }),
      persistence({
        kind: 'policy-attachment',
        name: 'svc-backup/AdministratorAccess',
        arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        owner: `arn:aws:iam::${ACCOUNT}:user/svc-backup`,
      }),
      persistence({
        kind: 'role-trust',
        name: 'deploy-role',
        resource: { type: 'AWS::IAM::Role', id: 'deploy-role', region: 'global' },
      }),
      // Scope found it and says the attacker's, but no call of the case made it.
      persistence({
        kind: 'oidc-provider',
        name: 'oidc.example',
        arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.example`,
      }),
      // A legitimate partner trust, older than the incident.
      persistence({
        kind: 'saml-provider',
        name: 'okta',
        arn: `arn:aws:iam::${ACCOUNT}:saml-provider/okta`,
        attribution: 'pre-existing',
        eventIds: [],
      }),
      persistence({
        kind: 'security-group-ingress',
        name: 'default (sg-1)',
        region: 'eu-north-1',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-1', region: 'eu-north-1' },
        evidence: { open: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'] }] },
      }),
    ],
  );
  const calls = [
    call('iam-user', 'us-east-1', 'svc-backup'),
    call('access-key', 'us-east-1', 'AKIAKEEP', { owner: 'ops-admin' }),
    call('policy-attachment', 'us-east-1', 'arn:aws:iam::aws:policy/AdministratorAccess', {
      owner: 'user/svc-backup',
    }),
    call('role-trust', 'us-east-1', 'deploy-role', { details: { document: '{}' } }),
    call('instance', 'eu-north-1', 'i-miner'),
    call('launch-template', 'eu-north-1', 'lt-1'),
    call('security-group-rule', 'eu-north-1', 'tcp:22:0.0.0.0/0', {
      owner: 'sg-1',
      details: { protocol: 'tcp', port: '22', cidr: '0.0.0.0/0' },
    }),
    // Made, then removed by the owner: scope read eu-north-1's key pairs and did not find it.
    call('key-pair', 'eu-north-1', 'gone-key'),
    // Made in a region whose instances scope could not read: planned from the calls.
    call('instance', 'us-east-1', 'i-unread'),
    // A part scope does not list (a rule on a port it does not flag): planned from the calls.
    call('security-group-rule', 'eu-north-1', 'tcp:8443:203.0.113.9/32', {
      owner: 'sg-1',
      details: { protocol: 'tcp', port: '8443', cidr: '203.0.113.9/32' },
    }),
  ];
  const found = reconcile(doc, calls);
  const byId = (id: string) => found.items.find((i) => i.id === id);

  it('plans what both know with scope’s id and the calls’ details', () => {
    expect(byId('iam-user/global/svc-backup')).toMatchObject({
      from: 'both',
      scopeId: 'iam-user/global/svc-backup',
    });
    expect(byId('access-key/global/AKIAKEEP')).toMatchObject({ owner: 'ops-admin', from: 'both' });
    expect(byId('role-trust/global/deploy-role')?.details).toEqual({ document: '{}' });
    expect(byId('role-trust/global/deploy-role')?.eventIds.sort()).toEqual(['e-deploy-role', 'e-scope']);
    expect(
      byId('policy-attachment/global/user/svc-backup/arn:aws:iam::aws:policy/AdministratorAccess'),
    ).toMatchObject({ from: 'both', scopeId: 'policy-attachment/global/svc-backup/AdministratorAccess' });
    expect(byId('security-group-rule/eu-north-1/sg-1/tcp:22:0.0.0.0/0')?.from).toBe('both');
    expect(byId('instance/eu-north-1/i-miner')).toMatchObject({
      from: 'both',
      scopeId: 'instance/eu-north-1/i-miner',
    });
  });

  it('says where they disagree: made but already gone, found but not explained', () => {
    expect(found.disagreements.map((d) => [d.item.id, d.why.split(':')[0]])).toEqual([
      [
        `oidc-provider/global/arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.example`,
        'scope attributes it to the attacker but no call of the case made it',
      ],
      ['key-pair/eu-north-1/gone-key', 'the calls made it, scope did not find it in the account'],
    ]);
    // Not read (AccessDenied) is not "gone"; a part scope does not flag is not "gone" either.
    expect(byId('instance/us-east-1/i-unread')?.from).toBe('calls');
    expect(byId('security-group-rule/eu-north-1/sg-1/tcp:8443:203.0.113.9/32')?.from).toBe('calls');
    // Changed with no way in listed on it: shown, to review.
    expect(found.changed.map((c) => c.scopeId)).toEqual(['resource/us-east-1/acme-data']);
  });

  it('acts on the attacker’s explained items only; --include (scope’s id) and --exclude', () => {
    const plain = choose(found, new Set(), new Set(), ACCOUNT);
    const chosen = [...plain.chosen.keys()];
    expect(chosen).toContain('iam-user/global/svc-backup');
    expect(chosen).toContain('access-key/global/AKIAKEEP');
    expect(chosen).toContain('instance/eu-north-1/i-miner');
    expect(chosen).toContain('launch-template/eu-north-1/lt-1');
    expect(chosen.some((id) => id.startsWith('oidc-provider/'))).toBe(false);
    expect(chosen.some((id) => id.startsWith('saml-provider/'))).toBe(false);
    expect(chosen).not.toContain('key-pair/eu-north-1/gone-key');
    const why = (prefix: string) => plain.left.find((l) => l.item.id.startsWith(prefix))?.why;
    expect(why('policy-attachment/global/user/svc-backup/')).toBe('removed with iam-user/global/svc-backup');
    expect(why('volume/eu-north-1/vol-miner')).toBe('removed with instance/eu-north-1/i-miner');
    expect(why('oidc-provider/')).toMatch(/^scope and the calls disagree: no call/);
    expect(why('saml-provider/')).toMatch(/^attributed pre-existing/);
    expect(why('key-pair/eu-north-1/gone-key')).toMatch(/already gone/);
    expect(why('resource/us-east-1/acme-data')).toMatch(/^changed by the attacker/);

    const named = choose(
      found,
      new Set(['oidc-provider/global/oidc.example', 'saml-provider/global/okta']),
      new Set(['access-key/global/AKIAKEEP']),
      ACCOUNT,
    );
    expect([...named.chosen.keys()].filter((id) => /provider/.test(id)).length).toBe(2);
    expect(named.chosen.has('access-key/global/AKIAKEEP')).toBe(false);
    expect(named.left.find((l) => l.item.id === 'access-key/global/AKIAKEEP')?.why).toBe(
      'excluded (--exclude)',
    );
    // The paragraph and the CLI tell what was left apart: excluded attacker items are not "eradicated".
    const by = leftByWhy(named.left);
    expect(by.excluded.map((l) => l.item.id)).toEqual(['access-key/global/AKIAKEEP']);
    expect(by.covered.some((l) => l.item.id.startsWith('volume/eu-north-1/vol-miner'))).toBe(true);
    expect(leftByWhy(plain.left).notAttacker.map((l) => l.item.id)).toContain(
      plain.left.find((l) => l.item.id.startsWith('saml-provider/'))?.item.id,
    );
    expect(leftByWhy(plain.left).excluded).toEqual([]);
    expect(leftByWhy(plain.left).review.some((l) => l.item.id === 'resource/us-east-1/acme-data')).toBe(true);
  });

  it('names an item the case does not list in scope’s form, or says how', () => {
    const out = choose(found, new Set(['instance/eu-west-1/i-0abc']), new Set(), ACCOUNT);
    expect(out.chosen.get('instance/eu-west-1/i-0abc')).toMatchObject({
      kind: 'instance',
      region: 'eu-west-1',
      name: 'i-0abc',
    });
    expect(() => choose(found, new Set(['instance:i-0abc']), new Set(), ACCOUNT)).toThrow(/not an item id/);
  });
});
