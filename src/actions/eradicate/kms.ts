import {
  CancelKeyDeletionCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListGrantsCommand,
  ScheduleKeyDeletionCommand,
  type GrantListEntry,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import type { ClientPool } from '../../aws/pool.js';
import type { ActionDef, StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, removal } from './declare.js';

/**
 * The shortest waiting period KMS allows (7 to 30 days): the key is unusable at once, and for a
 * week CancelKeyDeletion brings it back should something of the company's turn out to need it.
 */
export const KMS_PENDING_DAYS = 7;

const kms = (pool: ClientPool, p: StepParams) => pool.get(KMSClient, p.region);

/** A key as the step keeps it: its description, key policy (who else may use it) and grants. */
interface KeyState {
  key: KeyMetadata;
  policy: string | null;
  grants: GrantListEntry[];
}

async function readKey(pool: ClientPool, p: StepParams) {
  const out = await readOrAbsent(() => kms(pool, p).send(new DescribeKeyCommand({ KeyId: p.keyId })));
  const key = out?.KeyMetadata;
  if (!key) return undefined;
  // A key pending deletion is on its way out: nothing more to read or keep.
  if (key.KeyState === 'PendingDeletion' || key.KeyState === 'PendingReplicaDeletion')
    return { state: { key, policy: null, grants: [] }, created: key.CreationDate?.toISOString(), gone: true };
  const policy = await readOrAbsent(() =>
    kms(pool, p).send(new GetKeyPolicyCommand({ KeyId: p.keyId, PolicyName: 'default' })),
  );
  const grants = await readOrAbsent(() => kms(pool, p).send(new ListGrantsCommand({ KeyId: p.keyId })));
  return {
    state: { key, policy: policy?.Policy ?? null, grants: grants?.Grants ?? [] },
    created: key.CreationDate?.toISOString(),
  };
}

/** Accounts other than the key's own that its policy names (who the attacker let use it). */
function foreignAccounts(s: KeyState): string[] {
  const own = s.key.AWSAccountId ?? '';
  const found = (s.policy ?? '').match(/\b\d{12}\b/g) ?? [];
  return [...new Set(found)].filter((a) => a !== own);
}

const removalDef = removal<KeyState>({
  name: 'schedule-kms-key-deletion',
  summary: `keep its key policy and grants, then schedule a KMS key the attacker made for deletion (${KMS_PENDING_DAYS} days)`,
  // Replaced by an undo below: cancellable for the whole waiting period.
  irreversibleBecause: `KMS deletes the key for good after ${KMS_PENDING_DAYS} days`,
  target: (p) => `${p.region ?? '?'}/${p.keyId ?? '?'}`,
  read: readKey,
  summarize: (s) => ({
    keyId: s.key.KeyId,
    arn: s.key.Arn,
    state: s.key.KeyState,
    description: s.key.Description,
    manager: s.key.KeyManager,
    admits: foreignAccounts(s),
    grants: s.grants.length,
  }),
  describe: (s) => {
    const admits = foreignAccounts(s);
    return (
      `keep its key policy and ${s.grants.length} grant(s), schedule the key ${s.key.KeyId ?? '?'} for deletion in ${KMS_PENDING_DAYS} days (unusable at once)` +
      (admits.length ? `; its policy admits ${admits.join(', ')}` : '')
    );
  },
  refuse: (s) =>
    s.key.KeyManager === 'AWS'
      ? 'an AWS managed key belongs to its service and cannot be deleted'
      : undefined,
  preserve: (_pool, p, s, context) =>
    context.keep('kms-key.json', asJson(s), `kms:DescribeKey,GetKeyPolicy,ListGrants ${p.region} ${p.keyId}`),
  async remove(pool, p) {
    const out = await readOrAbsent(() =>
      kms(pool, p).send(
        new ScheduleKeyDeletionCommand({ KeyId: p.keyId, PendingWindowInDays: KMS_PENDING_DAYS }),
      ),
    );
    return { deletionDate: out?.DeletionDate?.toISOString() ?? null };
  },
});

/**
 * Schedule a KMS key the attacker made for deletion, its metadata, key policy and grants kept
 * first. PendingDeletion counts as gone: the key can no longer encrypt or decrypt. Undo (within
 * the waiting period) cancels the deletion and enables the key again, as it was.
 */
const { irreversibleBecause: _final, ...reversible } = removalDef;
export const scheduleKmsKeyDeletion: ActionDef = {
  ...reversible,
  async undo(env, step) {
    const pool = await env.poolFor(step.account);
    await kms(pool, step.params).send(new CancelKeyDeletionCommand({ KeyId: step.params.keyId }));
    // KMS leaves a cancelled key Disabled; it was usable before the step.
    const before = step.before as { state?: string };
    if (before.state === 'Enabled')
      await kms(pool, step.params).send(new EnableKeyCommand({ KeyId: step.params.keyId }));
    return { cancelled: true, enabled: before.state === 'Enabled' };
  },
};
