import {
  DeleteDBSnapshotCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, listParam, removal, restoration } from './declare.js';

const rds = (pool: ClientPool, p: StepParams) => pool.get(RDSClient, p.region);

/** Who may restore the snapshot (`restore`: account ids, or `all`). */
interface RestoreShare {
  snapshot: string;
  sharedWith: string[];
}

async function readShare(pool: ClientPool, p: StepParams): Promise<RestoreShare | undefined> {
  const out = await readOrAbsent(() =>
    rds(pool, p).send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: p.snapshotId })),
  );
  if (!out) return undefined;
  const attrs = out.DBSnapshotAttributesResult?.DBSnapshotAttributes ?? [];
  return {
    snapshot: p.snapshotId ?? '',
    sharedWith: attrs.filter((a) => a.AttributeName === 'restore').flatMap((a) => a.AttributeValues ?? []),
  };
}

/** The shares to take away: the accounts named (with `all`), or every share when none is named. */
function toRemove(s: RestoreShare, p: StepParams): string[] {
  const named = listParam(p, 'accounts');
  return s.sharedWith.filter((x) => !named.length || named.includes(x));
}

const modify = (
  pool: ClientPool,
  p: StepParams,
  change: 'ValuesToAdd' | 'ValuesToRemove',
  values: string[],
) =>
  rds(pool, p).send(
    new ModifyDBSnapshotAttributeCommand({
      DBSnapshotIdentifier: p.snapshotId,
      AttributeName: 'restore',
      [change]: values,
    }),
  );

/**
 * Take the attacker's account (or `all`) off a DB snapshot's `restore` attribute, the permission
 * list kept first. Works on the company's own snapshots too: a share is restored, never deleted.
 */
export const unshareRdsSnapshot = restoration<RestoreShare>({
  name: 'unshare-rds-snapshot',
  summary:
    "keep who could restore it, then stop sharing the DB snapshot with the attacker's account(s) (or the public)",
  target: (p) => `${p.region ?? '?'}/${p.snapshotId ?? '?'}`,
  read: readShare,
  restored: (s, p) => toRemove(s, p).length === 0,
  describe: (s, p) => `keep the restore list, remove ${toRemove(s, p).join(', ')}`,
  evidence: (s) => [{ file: 'rds-snapshot-restore.json', content: asJson(s) }],
  async write(pool, p, s) {
    const gone = toRemove(s, p);
    await modify(pool, p, 'ValuesToRemove', gone);
    return { removed: gone };
  },
  async undo(pool, step, before) {
    const back = toRemove(before, step.params);
    await modify(pool, step.params, 'ValuesToAdd', back);
    return { restored: back };
  },
});

/** A snapshot as the removal keeps it: its description and who could restore it. */
interface SnapshotState {
  snapshot: DBSnapshot;
  sharedWith: string[];
}

/**
 * Delete a DB snapshot or copy the attacker made (in any region), its description and restore
 * list kept first. AWS's creation date guards the company's own snapshots (never deleted).
 */
export const deleteRdsSnapshot = removal<SnapshotState>({
  name: 'delete-rds-snapshot',
  summary: 'keep its description and restore list, then delete a DB snapshot the attacker made',
  irreversibleBecause:
    'a deleted snapshot cannot be brought back; the attacker made it to take the data out, and the kept description names its source, key and size',
  target: (p) => `${p.region ?? '?'}/${p.snapshotId ?? '?'}`,
  async read(pool, p) {
    const out = await readOrAbsent(() =>
      rds(pool, p).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: p.snapshotId })),
    );
    const snapshot = out?.DBSnapshots?.[0];
    if (!snapshot) return undefined;
    const share = await readShare(pool, p);
    return {
      state: { snapshot, sharedWith: share?.sharedWith ?? [] },
      created: snapshot.SnapshotCreateTime?.toISOString(),
      gone: snapshot.Status === 'deleting' || snapshot.Status === 'deleted',
    };
  },
  summarize: (s) => ({
    snapshot: s.snapshot.DBSnapshotIdentifier,
    arn: s.snapshot.DBSnapshotArn,
    instance: s.snapshot.DBInstanceIdentifier,
    sizeGb: s.snapshot.AllocatedStorage,
    kmsKeyId: s.snapshot.KmsKeyId,
    source: s.snapshot.SourceDBSnapshotIdentifier,
    sharedWith: s.sharedWith,
  }),
  describe: (s) =>
    `keep its description, delete the ${s.snapshot.AllocatedStorage ?? '?'} GB snapshot ${s.snapshot.DBSnapshotIdentifier ?? '?'} of ${s.snapshot.DBInstanceIdentifier ?? '?'}` +
    (s.sharedWith.length ? ` (shared with ${s.sharedWith.join(', ')})` : ''),
  refuse: (s) =>
    s.snapshot.SnapshotType === 'manual'
      ? undefined
      : `a ${s.snapshot.SnapshotType ?? '?'} snapshot is AWS's to expire`,
  preserve: (_pool, p, s, context) =>
    context.keep('rds-snapshot.json', asJson(s), `rds:DescribeDBSnapshots ${p.region} ${p.snapshotId}`),
  async remove(pool, p) {
    await readOrAbsent(() =>
      rds(pool, p).send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: p.snapshotId })),
    );
  },
});
