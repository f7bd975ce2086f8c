import { parsePolicy } from '../../core/authz.js';
import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import { addKey, emptyKms, requireKey, type KmsKey, type KmsState } from './model.js';

type Ctx = OpContext<KmsState>;
type Op = OperationDef<KmsState>;

function required(ctx: Ctx, member: string): string {
  const value = bodyString(ctx.body[member]);
  if (!value) {
    const name = member.charAt(0).toLowerCase() + member.slice(1);
    throw new SimError(
      'ValidationException',
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
      400,
    );
  }
  return value;
}

/** Resolve `KeyId`, authorize `kms:<action>` on it under its key policy, name it in the record. */
async function keyFor(ctx: Ctx, action: string): Promise<KmsKey> {
  const key = requireKey(ctx.sim, ctx.caller.accountId, ctx.region, required(ctx, 'KeyId'));
  await ctx.authorize(`kms:${action}`, key.arn, {
    resourceAccount: key.account,
    resourcePolicy: parsePolicy(key.policy),
  });
  ctx.trail.resources = [{ ARN: key.arn, accountId: key.account, type: 'AWS::KMS::Key' }];
  if (key.account !== ctx.caller.accountId) ctx.trail.alsoRecordIn = [key.account];
  return key;
}

function notUsable(key: KmsKey): SimError {
  const why = key.state === 'PendingDeletion' ? 'pending deletion' : 'disabled';
  return new SimError('KMSInvalidStateException', `${key.arn} is ${why}.`, 400);
}

function checkPolicy(text: string): string {
  try {
    const doc: unknown = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || !('Statement' in doc)) throw new Error('no Statement');
  } catch {
    throw new SimError(
      'MalformedPolicyDocumentException',
      'The new key policy will not allow you to update the key policy in the future.',
      400,
    );
  }
  return text;
}

/** DescribeKey's KeyMetadata. */
export function keyMetadata(k: KmsKey) {
  return {
    AWSAccountId: k.account,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: new Date(k.createdAt),
    Enabled: k.state === 'Enabled',
    Description: k.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: k.state,
    DeletionDate: k.deletionDate ? new Date(k.deletionDate) : undefined,
    PendingDeletionWindowInDays: k.pendingWindowInDays,
    Origin: 'AWS_KMS',
    KeyManager: k.manager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

/** A call on one key: resolved, authorized under its key policy, named in the record. */
function onKey(action: string, apply: (key: KmsKey, ctx: Ctx) => unknown): Op {
  return {
    auth: 'handler',
    async handler(ctx) {
      const key = await keyFor(ctx, action);
      return apply(key, ctx);
    },
  };
}

function page<T>(ctx: Ctx, items: T[]): { items: T[]; NextMarker?: string; Truncated: boolean } {
  const limit = Math.min(Math.max(Number(ctx.body.Limit ?? 100) || 100, 1), 1000);
  const start = Number(bodyString(ctx.body.Marker) || '0') || 0;
  const slice = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { items: slice, ...(more ? { NextMarker: String(start + limit) } : {}), Truncated: more };
}

/**
 * AWS KMS (awsJson1.1, TrentService): symmetric keys with their key policy, grants, disable and
 * scheduled deletion. Key policies are evaluated as the resource policy of every call on a key.
 */
export const kmsService = defineService<KmsState>({
  signingName: 'kms',
  protocol: 'json',
  targetPrefix: 'TrentService',
  eventSource: 'kms.amazonaws.com',
  apiVersion: '2014-11-01',
  endpointHost: (region) => `kms.${region}.amazonaws.com`,
  initState: emptyKms,
  operations: {
    CreateKey: {
      handler(ctx) {
        const policy = bodyString(ctx.body.Policy);
        const spec = bodyString(ctx.body.KeySpec) || bodyString(ctx.body.CustomerMasterKeySpec);
        if (spec && spec !== 'SYMMETRIC_DEFAULT')
          throw new SimError(
            'UnsupportedOperationException',
            `${spec} keys are not supported by this simulator.`,
            400,
          );
        const tags = Array.isArray(ctx.body.Tags) ? (ctx.body.Tags as KmsKey['tags']) : [];
        const key = addKey(ctx.sim, ctx.caller.accountId, ctx.region, {
          description: bodyString(ctx.body.Description),
          ...(policy ? { policy: checkPolicy(policy) } : {}),
          tags,
        });
        ctx.trail.resources = [{ ARN: key.arn, accountId: key.account, type: 'AWS::KMS::Key' }];
        return { KeyMetadata: keyMetadata(key) };
      },
    },
    DescribeKey: {
      auth: 'handler',
      async handler(ctx) {
        return { KeyMetadata: keyMetadata(await keyFor(ctx, 'DescribeKey')) };
      },
    },
    ListKeys: {
      handler(ctx) {
        const keys = Object.values(ctx.state.keys).filter((k) => k.region === ctx.region);
        const { items, ...rest } = page(ctx, keys);
        return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...rest };
      },
    },
    GetKeyPolicy: onKey('GetKeyPolicy', (key) => ({ Policy: key.policy, PolicyName: 'default' })),
    PutKeyPolicy: onKey('PutKeyPolicy', (key, ctx) => {
      if (key.state === 'PendingDeletion') throw notUsable(key);
      if (key.manager === 'AWS')
        throw new SimError(
          'AccessDeniedException',
          `You cannot change the key policy of an AWS managed key: ${key.arn}`,
          400,
        );
      key.policy = checkPolicy(required(ctx, 'Policy'));
      return {};
    }),
    CreateGrant: onKey('CreateGrant', (key, ctx) => {
      if (key.state !== 'Enabled')
        throw key.state === 'Disabled'
          ? new SimError('DisabledException', `${key.arn} is disabled.`, 400)
          : notUsable(key);
      const operations = Array.isArray(ctx.body.Operations) ? ctx.body.Operations.map(bodyString) : [];
      if (!operations.length) required(ctx, 'Operations');
      const grant = {
        grantId: ctx.sim.ids.hex(64),
        name: bodyString(ctx.body.Name) || undefined,
        granteePrincipal: required(ctx, 'GranteePrincipal'),
        retiringPrincipal: bodyString(ctx.body.RetiringPrincipal) || undefined,
        operations,
        issuingAccount: `arn:aws:iam::${ctx.caller.accountId}:root`,
        createdAt: ctx.now.toISOString(),
      };
      key.grants.push(grant);
      return { GrantId: grant.grantId, GrantToken: ctx.sim.ids.token(120) };
    }),
    ListGrants: onKey('ListGrants', (key, ctx) => {
      const grantee = bodyString(ctx.body.GranteePrincipal);
      const id = bodyString(ctx.body.GrantId);
      const grants = key.grants.filter(
        (g) => (!grantee || g.granteePrincipal === grantee) && (!id || g.grantId === id),
      );
      const { items, ...rest } = page(ctx, grants);
      return {
        Grants: items.map((g) => ({
          KeyId: key.arn,
          GrantId: g.grantId,
          Name: g.name,
          CreationDate: new Date(g.createdAt),
          GranteePrincipal: g.granteePrincipal,
          RetiringPrincipal: g.retiringPrincipal,
          IssuingAccount: g.issuingAccount,
          Operations: g.operations,
        })),
        ...rest,
      };
    }),
    DisableKey: onKey('DisableKey', (key) => {
      if (key.state === 'PendingDeletion') throw notUsable(key);
      key.state = 'Disabled';
      return {};
    }),
    EnableKey: onKey('EnableKey', (key) => {
      if (key.state === 'PendingDeletion') throw notUsable(key);
      key.state = 'Enabled';
      return {};
    }),
    ScheduleKeyDeletion: onKey('ScheduleKeyDeletion', (key, ctx) => {
      if (key.state === 'PendingDeletion') throw notUsable(key);
      const days = ctx.body.PendingWindowInDays === undefined ? 30 : Number(ctx.body.PendingWindowInDays);
      if (!Number.isInteger(days) || days < 7 || days > 30)
        throw new SimError(
          'ValidationException',
          `1 validation error detected: Value '${String(ctx.body.PendingWindowInDays)}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`,
          400,
        );
      key.state = 'PendingDeletion';
      key.pendingWindowInDays = days;
      key.deletionDate = new Date(ctx.now.getTime() + days * 86_400_000).toISOString();
      return {
        KeyId: key.arn,
        DeletionDate: new Date(key.deletionDate),
        KeyState: key.state,
        PendingWindowInDays: days,
      };
    }),
    CancelKeyDeletion: onKey('CancelKeyDeletion', (key) => {
      if (key.state !== 'PendingDeletion')
        throw new SimError('KMSInvalidStateException', `${key.arn} is not pending deletion.`, 400);
      key.state = 'Disabled';
      key.deletionDate = undefined;
      key.pendingWindowInDays = undefined;
      return { KeyId: key.arn };
    }),
  },
});
