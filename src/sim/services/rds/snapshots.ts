import { namedList } from '../../core/protocols/xml.js';
import type { OperationDef } from '../../core/service.js';
import { findKey, type KmsKey } from '../kms/model.js';
import {
  emptyRds,
  exportMinutes,
  instanceNotFound,
  rdsError,
  rdsRegion,
  snapshotNotFound,
  type RdsCtx,
  type RdsSnapshot,
  type RdsState,
} from './model.js';
import { dbSnapshot, exportTask, snapshotAttributes } from './shapes.js';

type Op = OperationDef<RdsState>;

const ACCOUNT = /^\d{12}$/;
/** AWS's limit on the accounts a manual snapshot is shared with. */
const SHARE_LIMIT = 20;

/** A KMS key RDS can use in `region`, or KMSKeyNotAccessibleFault. */
export function usableKey(ctx: RdsCtx, region: string, keyId: string): KmsKey {
  const key = findKey(ctx.sim, ctx.caller.accountId, region, keyId);
  if (!key || key.state !== 'Enabled')
    throw rdsError(
      'KMSKeyNotAccessibleFault',
      `The specified KMS key [${keyId}] does not exist, is not enabled or you do not have permissions to access it.`,
    );
  return key;
}

const snapshotArn = (account: string, region: string, id: string) =>
  `arn:aws:rds:${region}:${account}:snapshot:${id}`;

function named(ctx: RdsCtx, s: RdsSnapshot): RdsSnapshot {
  ctx.trail.resources = [{ ARN: s.arn, accountId: s.account, type: 'AWS::RDS::DBSnapshot' }];
  return s;
}

/** The caller's own snapshot in the call's region. */
function ownSnapshot(ctx: RdsCtx, id: string): RdsSnapshot {
  const s = rdsRegion(ctx.state, ctx.region).snapshots[id];
  if (!s) throw snapshotNotFound(id);
  return named(ctx, s);
}

/** A snapshot named by id (this region) or ARN (any region; another account's when shared with the caller). */
function sourceSnapshot(ctx: RdsCtx, ref: string): RdsSnapshot {
  const arn = /^arn:aws:rds:([^:]+):(\d{12}):snapshot:(.+)$/.exec(ref);
  if (!arn) return ownSnapshot(ctx, ref);
  const [, region, owner, id] = arn as unknown as [string, string, string, string];
  const s = ctx.sim.serviceState(owner, 'rds', emptyRds).regions[region]?.snapshots[id];
  const visible =
    s &&
    (owner === ctx.caller.accountId || s.restore.includes(ctx.caller.accountId) || s.restore.includes('all'));
  if (!visible) throw snapshotNotFound(ref);
  return named(ctx, s);
}

function tagsOf(ctx: RdsCtx): { Key: string; Value: string }[] {
  return ctx.params
    .structs('Tags.Tag')
    .map((t) => ({ Key: t.get('Key') ?? '', Value: t.get('Value') ?? '' }));
}

function addSnapshot(
  ctx: RdsCtx,
  s: Omit<RdsSnapshot, 'arn' | 'account' | 'region' | 'createdAt' | 'restore'>,
): RdsSnapshot {
  const region = rdsRegion(ctx.state, ctx.region);
  if (region.snapshots[s.id])
    throw rdsError(
      'DBSnapshotAlreadyExists',
      `Cannot create the snapshot because a snapshot with the identifier ${s.id} already exists.`,
    );
  const snapshot: RdsSnapshot = {
    ...s,
    arn: snapshotArn(ctx.caller.accountId, ctx.region, s.id),
    account: ctx.caller.accountId,
    region: ctx.region,
    createdAt: ctx.now.toISOString(),
    restore: [],
  };
  region.snapshots[s.id] = snapshot;
  return named(ctx, snapshot);
}

function shareChange(ctx: RdsCtx, s: RdsSnapshot): void {
  const attribute = ctx.params.require('AttributeName');
  if (attribute !== 'restore')
    throw rdsError(
      'InvalidParameterValue',
      `Invalid snapshot attribute name: ${attribute}. Valid attribute names: restore`,
    );
  if (s.type !== 'manual')
    throw rdsError(
      'InvalidDBSnapshotState',
      'Automated snapshots cannot be shared; copy the snapshot first.',
    );
  const add = ctx.params.list('ValuesToAdd.AttributeValue');
  const remove = new Set(ctx.params.list('ValuesToRemove.AttributeValue'));
  for (const v of [...add, ...remove]) {
    if (v !== 'all' && !ACCOUNT.test(v))
      throw rdsError('InvalidParameterValue', `Invalid account identifier: ${v}`);
  }
  if (s.encrypted && add.includes('all'))
    throw rdsError(
      'InvalidParameterValue',
      'Encrypted snapshots cannot be shared publicly (restore attribute value all).',
    );
  const key = s.kmsKeyId ? findKey(ctx.sim, s.account, s.region, s.kmsKeyId) : undefined;
  if (key?.manager === 'AWS' && add.length)
    throw rdsError(
      'InvalidParameterValue',
      'Snapshots encrypted with the AWS managed key aws/rds cannot be shared; copy the snapshot with a customer managed key.',
    );
  const next = [...new Set([...s.restore.filter((v) => !remove.has(v)), ...add])];
  if (next.filter((v) => v !== 'all').length > SHARE_LIMIT)
    throw rdsError(
      'SharedSnapshotQuotaExceeded',
      `You have exceeded the maximum number of accounts (${SHARE_LIMIT}) that the snapshot can be shared with.`,
    );
  s.restore = next;
}

const writes: Record<string, Op> = {
  CreateDBSnapshot: {
    handler(ctx) {
      const instanceId = ctx.params.require('DBInstanceIdentifier');
      const id = ctx.params.require('DBSnapshotIdentifier');
      const i = rdsRegion(ctx.state, ctx.region).instances[instanceId];
      if (!i) throw instanceNotFound(instanceId);
      const s = addSnapshot(ctx, {
        id,
        instanceId,
        resourceId: i.resourceId,
        engine: i.engine,
        engineVersion: i.engineVersion,
        allocatedStorage: i.allocatedStorage,
        masterUsername: i.masterUsername,
        port: i.port,
        type: 'manual',
        instanceCreatedAt: i.createdAt,
        encrypted: i.storageEncrypted,
        kmsKeyId: i.kmsKeyId,
        tags: tagsOf(ctx),
      });
      return { DBSnapshot: dbSnapshot(s) };
    },
  },
  CopyDBSnapshot: {
    handler(ctx) {
      const source = sourceSnapshot(ctx, ctx.params.require('SourceDBSnapshotIdentifier'));
      const target = ctx.params.require('TargetDBSnapshotIdentifier');
      const keyId = ctx.params.get('KmsKeyId');
      const crossRegion = source.region !== ctx.region;
      if (source.encrypted && (crossRegion || source.account !== ctx.caller.accountId) && !keyId)
        throw rdsError(
          'InvalidParameterValue',
          'KmsKeyId is required to copy an encrypted snapshot to another Region or from another account.',
        );
      const key = keyId ? usableKey(ctx, ctx.region, keyId) : undefined;
      const s = addSnapshot(ctx, {
        id: target,
        instanceId: source.instanceId,
        resourceId: source.resourceId,
        engine: source.engine,
        engineVersion: source.engineVersion,
        allocatedStorage: source.allocatedStorage,
        masterUsername: source.masterUsername,
        port: source.port,
        type: 'manual',
        instanceCreatedAt: source.instanceCreatedAt,
        encrypted: source.encrypted || Boolean(key),
        kmsKeyId: key?.arn ?? source.kmsKeyId,
        sourceRegion: crossRegion ? source.region : undefined,
        sourceSnapshotArn: source.arn,
        tags: ctx.params.bool('CopyTags') ? source.tags : tagsOf(ctx),
      });
      return { DBSnapshot: dbSnapshot(s) };
    },
  },
  ModifyDBSnapshotAttribute: {
    handler(ctx) {
      const s = ownSnapshot(ctx, ctx.params.require('DBSnapshotIdentifier'));
      shareChange(ctx, s);
      return { DBSnapshotAttributesResult: snapshotAttributes(s) };
    },
  },
  DeleteDBSnapshot: {
    handler(ctx) {
      const s = ownSnapshot(ctx, ctx.params.require('DBSnapshotIdentifier'));
      delete rdsRegion(ctx.state, ctx.region).snapshots[s.id];
      return { DBSnapshot: { ...(dbSnapshot(s) as object), Status: 'deleted' } };
    },
  },
  StartExportTask: {
    auth: 'handler',
    async handler(ctx) {
      const id = ctx.params.require('ExportTaskIdentifier');
      const sourceArn = ctx.params.require('SourceArn');
      const bucket = ctx.params.require('S3BucketName');
      const roleArn = ctx.params.require('IamRoleArn');
      const keyId = ctx.params.require('KmsKeyId');
      await ctx.authorize('rds:StartExportTask', sourceArn);
      await ctx.authorize('iam:PassRole', roleArn);
      const s = sourceSnapshot(ctx, sourceArn);
      if (s.account !== ctx.caller.accountId || s.region !== ctx.region) throw snapshotNotFound(sourceArn);
      const region = rdsRegion(ctx.state, ctx.region);
      if (region.exports[id])
        throw rdsError('ExportTaskAlreadyExists', `An export task with the identifier ${id} already exists.`);
      const roleName = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
      if (!roleName || roleName[1] !== ctx.caller.accountId || !ctx.account.iam.roles[roleName[2]!])
        throw rdsError('IamRoleNotFound', `The IAM role ${roleArn} is not found.`, 404);
      if (!ctx.sim.objectStore?.bucketOwner(bucket))
        throw rdsError('InvalidS3BucketFault', `The S3 bucket ${bucket} doesn't exist.`);
      const key = usableKey(ctx, ctx.region, keyId);
      const task = {
        id,
        sourceArn: s.arn,
        bucket,
        prefix: ctx.params.get('S3Prefix') ?? '',
        iamRoleArn: roleArn,
        kmsKeyId: key.arn,
        exportOnly: ctx.params.list('ExportOnly'),
        snapshotTime: s.createdAt,
        startedAt: ctx.now.toISOString(),
        snapshotGb: s.allocatedStorage,
        minutes: exportMinutes(s.allocatedStorage),
      };
      region.exports[id] = task;
      return exportTask(task, ctx.now);
    },
  },
};

const reads: Record<string, Op> = {
  DescribeDBSnapshots: {
    handler(ctx) {
      const id = ctx.params.get('DBSnapshotIdentifier');
      const instance = ctx.params.get('DBInstanceIdentifier');
      const type = ctx.params.get('SnapshotType');
      const own = Object.values(rdsRegion(ctx.state, ctx.region).snapshots);
      const shared =
        ctx.params.bool('IncludeShared') || type === 'shared'
          ? ctx.sim
              .accounts()
              .filter((a) => a.accountId !== ctx.caller.accountId)
              .flatMap((a) =>
                Object.values(
                  ctx.sim.serviceState(a.accountId, 'rds', emptyRds).regions[ctx.region]?.snapshots ?? {},
                ),
              )
              .filter((s) => s.restore.includes(ctx.caller.accountId))
          : [];
      const all = [...(type === 'shared' ? [] : own), ...shared].filter(
        (s) =>
          (!id || s.id === id || s.arn === id) &&
          (!instance || s.instanceId === instance) &&
          (!type || type === 'shared' || s.type === type),
      );
      if (id && !all.length) throw snapshotNotFound(id);
      return { DBSnapshots: namedList('DBSnapshot', all.map(dbSnapshot)) };
    },
  },
  DescribeDBSnapshotAttributes: {
    handler(ctx) {
      return {
        DBSnapshotAttributesResult: snapshotAttributes(
          ownSnapshot(ctx, ctx.params.require('DBSnapshotIdentifier')),
        ),
      };
    },
  },
  DescribeExportTasks: {
    handler(ctx) {
      const id = ctx.params.get('ExportTaskIdentifier');
      const source = ctx.params.get('SourceArn');
      const all = Object.values(rdsRegion(ctx.state, ctx.region).exports).filter(
        (e) => (!id || e.id === id) && (!source || e.sourceArn === source),
      );
      if (id && !all.length)
        throw rdsError('ExportTaskNotFound', `Cannot find export task with ID ${id}`, 404);
      return {
        ExportTasks: namedList(
          'ExportTask',
          all.map((e) => exportTask(e, ctx.now)),
        ),
      };
    },
  },
};

/** Snapshot, share and export operations (write calls record their parameters the RDS way). */
export const snapshotOperations = { writes, reads };
