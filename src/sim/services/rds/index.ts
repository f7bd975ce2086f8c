import { queryToObject } from '../../cloudtrail/record.js';
import { namedList } from '../../core/protocols/xml.js';
import { defineService, type OperationDef } from '../../core/service.js';
import { awsManagedKey } from '../kms/model.js';
import {
  emptyRds,
  instanceNotFound,
  rdsError,
  rdsRegion,
  type RdsCtx,
  type RdsInstance,
  type RdsState,
} from './model.js';
import { dbInstance } from './shapes.js';
import { snapshotOperations, usableKey } from './snapshots.js';

type Op = OperationDef<RdsState>;

/**
 * What CloudTrail shows of an RDS request: the members in lowerCamel case (`dBInstanceIdentifier`,
 * as AWS writes them), named-item lists as arrays, the master password as `****`.
 */
export function rdsRequestParameters(ctx: RdsCtx): unknown {
  const flatten = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(flatten);
    if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      // `ValuesToAdd.AttributeValue.1` nests as {attributeValue: [...]}: AWS shows the list itself.
      if (entries.length === 1 && Array.isArray(entries[0]![1])) return flatten(entries[0]![1]);
      return Object.fromEntries(entries.map(([k, x]) => [k, flatten(x)]));
    }
    return v;
  };
  const params = flatten(queryToObject(ctx.params) ?? {}) as Record<string, unknown>;
  if ('masterUserPassword' in params) params.masterUserPassword = '****';
  return params;
}

const instanceArn = (ctx: RdsCtx, id: string) => `arn:aws:rds:${ctx.region}:${ctx.caller.accountId}:db:${id}`;

function requireInstance(ctx: RdsCtx, id: string): RdsInstance {
  const i = rdsRegion(ctx.state, ctx.region).instances[id];
  if (!i) throw instanceNotFound(id);
  ctx.trail.resources = [{ ARN: i.arn, accountId: ctx.caller.accountId, type: 'AWS::RDS::DBInstance' }];
  return i;
}

const onInstance: Op['auth'] = {
  resource: (ctx) => instanceArn(ctx, ctx.params.get('DBInstanceIdentifier') ?? '*'),
};

/** Write calls record their parameters the RDS way (`****` for the password). */
function writes(ops: Record<string, Op>): Record<string, Op> {
  return Object.fromEntries(
    Object.entries(ops).map(([name, op]) => [
      name,
      {
        ...op,
        handler(ctx: RdsCtx) {
          ctx.trail.requestParameters = rdsRequestParameters(ctx);
          return op.handler(ctx);
        },
      },
    ]),
  );
}

const instanceOperations: Record<string, Op> = {
  CreateDBInstance: {
    auth: onInstance,
    handler(ctx) {
      const id = ctx.params.require('DBInstanceIdentifier');
      const region = rdsRegion(ctx.state, ctx.region);
      if (region.instances[id]) throw rdsError('DBInstanceAlreadyExists', 'DB instance already exists');
      const engine = ctx.params.require('Engine');
      const encrypted = ctx.params.bool('StorageEncrypted') ?? false;
      const keyParam = ctx.params.get('KmsKeyId');
      const key = encrypted
        ? keyParam
          ? usableKey(ctx, ctx.region, keyParam)
          : awsManagedKey(ctx.sim, ctx.caller.accountId, ctx.region, 'rds')
        : undefined;
      const instance: RdsInstance = {
        id,
        arn: instanceArn(ctx, id),
        region: ctx.region,
        resourceId: `db-${ctx.sim.ids.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 26)}`,
        engine,
        engineVersion: ctx.params.get('EngineVersion') ?? (engine.startsWith('postgres') ? '16.4' : '8.0.39'),
        instanceClass: ctx.params.require('DBInstanceClass'),
        allocatedStorage: ctx.params.int('AllocatedStorage') ?? 20,
        masterUsername: ctx.params.get('MasterUsername') ?? 'admin',
        dbName: ctx.params.get('DBName'),
        port: ctx.params.int('Port') ?? (engine.startsWith('postgres') ? 5432 : 3306),
        publiclyAccessible: ctx.params.bool('PubliclyAccessible') ?? false,
        deletionProtection: ctx.params.bool('DeletionProtection') ?? false,
        storageEncrypted: encrypted,
        kmsKeyId: key?.arn,
        createdAt: ctx.now.toISOString(),
        passwordSetAt: ctx.now.toISOString(),
        tags: ctx.params
          .structs('Tags.Tag')
          .map((t) => ({ Key: t.get('Key') ?? '', Value: t.get('Value') ?? '' })),
      };
      region.instances[id] = instance;
      ctx.trail.resources = [
        { ARN: instance.arn, accountId: ctx.caller.accountId, type: 'AWS::RDS::DBInstance' },
      ];
      return { DBInstance: dbInstance(instance) };
    },
  },
  ModifyDBInstance: {
    auth: onInstance,
    handler(ctx) {
      const i = requireInstance(ctx, ctx.params.require('DBInstanceIdentifier'));
      const pub = ctx.params.bool('PubliclyAccessible');
      const protect = ctx.params.bool('DeletionProtection');
      if (pub !== undefined) i.publiclyAccessible = pub;
      if (protect !== undefined) i.deletionProtection = protect;
      if (ctx.params.get('MasterUserPassword') !== undefined) i.passwordSetAt = ctx.now.toISOString();
      const size = ctx.params.int('AllocatedStorage');
      if (size !== undefined) i.allocatedStorage = size;
      return { DBInstance: dbInstance(i) };
    },
  },
  DeleteDBInstance: {
    auth: onInstance,
    handler(ctx) {
      const i = requireInstance(ctx, ctx.params.require('DBInstanceIdentifier'));
      if (i.deletionProtection)
        throw rdsError(
          'InvalidParameterCombination',
          'Cannot delete protected DB Instance, please disable deletion protection and try again.',
        );
      delete rdsRegion(ctx.state, ctx.region).instances[i.id];
      return { DBInstance: { ...(dbInstance(i) as object), DBInstanceStatus: 'deleting' } };
    },
  },
};

/**
 * Amazon RDS (awsQuery, 2014-10-31): DB instances (public access, master password, deletion
 * protection), manual snapshots, copies across regions with a KMS key, the `restore` attribute
 * that shares a snapshot with other accounts, and exports of snapshots to S3.
 */
export const rdsService = defineService<RdsState>({
  signingName: 'rds',
  protocol: 'query',
  eventSource: 'rds.amazonaws.com',
  apiVersion: '2014-10-31',
  xmlNamespace: 'http://rds.amazonaws.com/doc/2014-10-31/',
  endpointHost: (region) => `rds.${region}.amazonaws.com`,
  initState: emptyRds,
  operations: {
    DescribeDBInstances: {
      handler(ctx) {
        const id = ctx.params.get('DBInstanceIdentifier');
        const all = Object.values(rdsRegion(ctx.state, ctx.region).instances);
        if (id && !all.some((i) => i.id === id)) throw instanceNotFound(id);
        return {
          DBInstances: namedList('DBInstance', all.filter((i) => !id || i.id === id).map(dbInstance)),
        };
      },
    },
    ...writes(instanceOperations),
    ...writes(snapshotOperations.writes),
    ...snapshotOperations.reads,
  },
});
