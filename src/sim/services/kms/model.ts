import { SimError } from '../../core/errors.js';
import type { SimState } from '../../state.js';

/** A grant on a key (CreateGrant): who may use it for which operations. */
export interface KmsGrant {
  grantId: string;
  name?: string | undefined;
  granteePrincipal: string;
  retiringPrincipal?: string | undefined;
  operations: string[];
  issuingAccount: string;
  createdAt: string;
}

/** A KMS key as AWS KMS keeps it (symmetric encryption keys only). */
export interface KmsKey {
  keyId: string;
  arn: string;
  account: string;
  region: string;
  description: string;
  createdAt: string;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion';
  /** AWS-managed keys (`alias/aws/rds`) belong to the service; their policy cannot change. */
  manager: 'CUSTOMER' | 'AWS';
  /** The key policy (JSON text; KMS keys have exactly one, named `default`). */
  policy: string;
  deletionDate?: string | undefined;
  pendingWindowInDays?: number | undefined;
  grants: KmsGrant[];
  tags: { TagKey: string; TagValue: string }[];
}

/** KMS keys of one account (all regions) and their aliases (`<region> alias/name` → key id). */
export interface KmsState {
  keys: Record<string, KmsKey>;
  aliases: Record<string, string>;
}

/** Empty per-account state. */
export function emptyKms(): KmsState {
  return { keys: {}, aliases: {} };
}

/** The default key policy KMS gives a key created without one: the account may use IAM to grant it. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}

/** A new key in `account`/`region`, kept in the account's KMS state. */
export function addKey(
  sim: SimState,
  account: string,
  region: string,
  opts: { description?: string; policy?: string; manager?: KmsKey['manager']; tags?: KmsKey['tags'] },
): KmsKey {
  const keyId = sim.ids.uuid();
  const key: KmsKey = {
    keyId,
    arn: `arn:aws:kms:${region}:${account}:key/${keyId}`,
    account,
    region,
    description: opts.description ?? '',
    createdAt: sim.nowIso(),
    state: 'Enabled',
    manager: opts.manager ?? 'CUSTOMER',
    policy: opts.policy ?? defaultKeyPolicy(account),
    grants: [],
    tags: opts.tags ?? [],
  };
  sim.serviceState(account, 'kms', emptyKms).keys[keyId] = key;
  return key;
}

/** The AWS-managed key of a service in a region (`alias/aws/rds`), made on first use as AWS does. */
export function awsManagedKey(sim: SimState, account: string, region: string, service: string): KmsKey {
  const state = sim.serviceState(account, 'kms', emptyKms);
  const alias = `${region} alias/aws/${service}`;
  const existing = state.aliases[alias];
  if (existing && state.keys[existing]) return state.keys[existing];
  const key = addKey(sim, account, region, {
    manager: 'AWS',
    description: `Default key that protects my ${service.toUpperCase()} database volumes when no other key is defined`,
  });
  state.aliases[alias] = key.keyId;
  return key;
}

/**
 * The key a `KeyId` names (key id, key ARN, `alias/name` or alias ARN) in `region`, or undefined.
 * ARNs may name another account's key.
 */
export function findKey(sim: SimState, account: string, region: string, keyId: string): KmsKey | undefined {
  const arn = /^arn:aws:kms:([^:]+):(\d{12}):(key|alias)\/(.+)$/.exec(keyId);
  const [where, owner, id] = arn
    ? [arn[1]!, arn[2]!, arn[3] === 'alias' ? `alias/${arn[4]}` : arn[4]!]
    : [region, account, keyId];
  const state = sim.serviceState(owner, 'kms', emptyKms);
  const resolved = id.startsWith('alias/') ? state.aliases[`${where} ${id}`] : id;
  const key = resolved ? state.keys[resolved] : undefined;
  return key && key.region === where ? key : undefined;
}

/** The key or KMS's NotFoundException. */
export function requireKey(sim: SimState, account: string, region: string, keyId: string): KmsKey {
  const key = findKey(sim, account, region, keyId);
  if (!key) {
    const arn = keyId.startsWith('arn:')
      ? keyId
      : `arn:aws:kms:${region}:${account}:${keyId.startsWith('alias/') ? keyId : `key/${keyId}`}`;
    throw new SimError(
      'NotFoundException',
      `${keyId.startsWith('alias/') ? 'Alias' : 'Key'} '${arn}' does not exist`,
      400,
    );
  }
  return key;
}
