import { SimError } from '../../core/errors.js';
import type { OperationDef } from '../../core/service.js';
import { createAccessKey, createUser, getUser, keysOf, noSuchUser } from './entities.js';
import { otherCredentialsConflict } from './user-credentials.js';
import { byPrefix, keyShape, page, tagsParam, targetUser, userShape, type IamCtx } from './shapes.js';

type Ops = Record<string, OperationDef<undefined>>;

/** ARN of a user for authorization (its real path when it exists). */
export function userArn(ctx: IamCtx, name: string | undefined): string {
  if (name === undefined) return `arn:aws:iam::${ctx.caller.accountId}:root`;
  return ctx.account.iam.users[name]?.arn ?? `arn:aws:iam::${ctx.caller.accountId}:user/${name}`;
}

const onUser = { resource: (ctx: IamCtx) => userArn(ctx, ctx.params.require('UserName')) };
const onTargetUser = { resource: (ctx: IamCtx) => userArn(ctx, targetUser(ctx)) };

function keyOf(ctx: IamCtx, userName: string | undefined, keyId: string) {
  const key = ctx.account.iam.accessKeys[keyId];
  if (!key || key.userName !== userName) {
    throw new SimError('NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`, 404);
  }
  return key;
}

/** Users, access keys, login profiles and user tags. */
export const userOps: Ops = {
  CreateUser: {
    auth: {
      resource: (ctx) =>
        `arn:aws:iam::${ctx.caller.accountId}:user${ctx.params.get('Path') ?? '/'}${ctx.params.require('UserName')}`,
    },
    handler(ctx) {
      const user = createUser(
        ctx.sim,
        ctx.account,
        ctx.params.require('UserName'),
        ctx.params.get('Path') ?? '/',
        tagsParam(ctx.params),
      );
      const pb = ctx.params.get('PermissionsBoundary');
      if (pb) user.permissionsBoundary = pb;
      return { User: userShape(user, true) };
    },
  },
  GetUser: {
    auth: onTargetUser,
    handler(ctx) {
      const name = targetUser(ctx);
      if (name === undefined) {
        // Root calling GetUser without a name gets its own identity.
        return {
          User: {
            UserId: ctx.caller.accountId,
            Arn: ctx.caller.arn,
            CreateDate: new Date(0),
            PasswordLastUsed: undefined,
          },
        };
      }
      return { User: userShape(getUser(ctx.account, name), true) };
    },
  },
  ListUsers: {
    handler(ctx) {
      const users = byPrefix(Object.values(ctx.account.iam.users), ctx.params);
      const p = page(users, ctx.params);
      return { Users: p.items.map((u) => userShape(u)), IsTruncated: p.IsTruncated, Marker: p.Marker };
    },
  },
  UpdateUser: {
    auth: onUser,
    handler(ctx) {
      const iam = ctx.account.iam;
      const user = getUser(ctx.account, ctx.params.require('UserName'));
      const newName = ctx.params.get('NewUserName');
      const newPath = ctx.params.get('NewPath');
      if (newPath) user.path = newPath;
      if (newName && newName !== user.userName) {
        if (iam.users[newName])
          throw new SimError('EntityAlreadyExists', `User with name ${newName} already exists.`, 409);
        delete iam.users[user.userName];
        for (const k of keysOf(ctx.account, user.userName)) k.userName = newName;
        user.userName = newName;
        iam.users[newName] = user;
      }
      user.arn = `arn:aws:iam::${ctx.account.accountId}:user${user.path}${user.userName}`;
      return undefined;
    },
  },
  DeleteUser: {
    auth: onUser,
    handler(ctx) {
      const name = ctx.params.require('UserName');
      const user = getUser(ctx.account, name);
      // IAM refuses while anything hangs off the user (DeleteConflict 409, IAM API DeleteUser).
      const conflict = (what: string) =>
        new SimError('DeleteConflict', `Cannot delete entity, must ${what} first.`, 409);
      if (keysOf(ctx.account, name).length) throw conflict('delete access keys');
      if (user.loginProfile) throw conflict('delete login profile');
      if (user.mfaDevices.length) throw conflict('delete MFA device');
      if (Object.keys(user.inlinePolicies).length || user.attachedPolicies.length)
        throw conflict('detach all policies');
      if (user.groups.length) throw conflict('remove users from group');
      const other = otherCredentialsConflict(user);
      if (other) throw conflict(other);
      delete ctx.account.iam.users[name];
      return undefined;
    },
  },
  CreateAccessKey: {
    auth: onTargetUser,
    handler(ctx) {
      const name = targetUser(ctx);
      const key = createAccessKey(ctx.sim, ctx.account, name);
      // A caller creating its own key is recorded with requestParameters null (aws-facts §1.4).
      if (!ctx.params.get('UserName')) ctx.trail.requestParameters = null;
      return {
        AccessKey: {
          ...keyShape(key),
          UserName: name ?? ctx.caller.accountId,
          SecretAccessKey: key.secretAccessKey,
        },
      };
    },
  },
  ListAccessKeys: {
    auth: onTargetUser,
    handler(ctx) {
      const name = targetUser(ctx);
      if (name !== undefined) getUser(ctx.account, name);
      const p = page(keysOf(ctx.account, name), ctx.params);
      return { AccessKeyMetadata: p.items.map(keyShape), IsTruncated: p.IsTruncated, Marker: p.Marker };
    },
  },
  UpdateAccessKey: {
    auth: onTargetUser,
    handler(ctx) {
      const status = ctx.params.require('Status');
      if (status !== 'Active' && status !== 'Inactive') {
        throw new SimError(
          'ValidationError',
          `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]`,
          400,
        );
      }
      const name = targetUser(ctx);
      if (name !== undefined) getUser(ctx.account, name);
      keyOf(ctx, name, ctx.params.require('AccessKeyId')).status = status;
      return undefined;
    },
  },
  DeleteAccessKey: {
    auth: onTargetUser,
    handler(ctx) {
      const name = targetUser(ctx);
      if (name !== undefined) getUser(ctx.account, name);
      const key = keyOf(ctx, name, ctx.params.require('AccessKeyId'));
      delete ctx.account.iam.accessKeys[key.accessKeyId];
      return undefined;
    },
  },
  GetAccessKeyLastUsed: {
    handler(ctx) {
      const id = ctx.params.require('AccessKeyId');
      const key = ctx.account.iam.accessKeys[id];
      // Only the account's own keys are visible; another account's key is "not found" (AccessDenied on AWS).
      if (!key)
        throw new SimError(
          'AccessDenied',
          `User: ${ctx.caller.arn} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key ${id}`,
          403,
        );
      return {
        UserName: key.userName ?? '',
        AccessKeyLastUsed: key.lastUsed
          ? {
              LastUsedDate: new Date(key.lastUsed.date),
              ServiceName: key.lastUsed.serviceName,
              Region: key.lastUsed.region,
            }
          : { ServiceName: 'N/A', Region: 'N/A' },
      };
    },
  },
  CreateLoginProfile: {
    auth: onTargetUser,
    handler(ctx) {
      const name = targetUser(ctx) ?? '';
      const user = getUser(ctx.account, name);
      if (user.loginProfile)
        throw new SimError('EntityAlreadyExists', `Login Profile for user ${name} already exists.`, 409);
      const password = ctx.params.require('Password');
      const reset = ctx.params.bool('PasswordResetRequired') ?? false;
      user.loginProfile = { createDate: ctx.sim.nowIso(), passwordResetRequired: reset, password };
      return {
        LoginProfile: {
          UserName: name,
          CreateDate: new Date(user.loginProfile.createDate),
          PasswordResetRequired: reset,
        },
      };
    },
  },
  GetLoginProfile: {
    auth: onTargetUser,
    handler(ctx) {
      const name = targetUser(ctx) ?? '';
      const lp = getUser(ctx.account, name).loginProfile;
      if (!lp) throw new SimError('NoSuchEntity', `Login Profile for User ${name} cannot be found.`, 404);
      return {
        LoginProfile: {
          UserName: name,
          CreateDate: new Date(lp.createDate),
          PasswordResetRequired: lp.passwordResetRequired,
        },
      };
    },
  },
  UpdateLoginProfile: {
    auth: onTargetUser,
    handler(ctx) {
      const name = targetUser(ctx) ?? '';
      const lp = getUser(ctx.account, name).loginProfile;
      if (!lp) throw new SimError('NoSuchEntity', `Login Profile for User ${name} cannot be found.`, 404);
      const password = ctx.params.get('Password');
      if (password) lp.password = password;
      const reset = ctx.params.bool('PasswordResetRequired');
      if (reset !== undefined) lp.passwordResetRequired = reset;
      return undefined;
    },
  },
  DeleteLoginProfile: {
    auth: onTargetUser,
    handler(ctx) {
      const name = targetUser(ctx) ?? '';
      const user = getUser(ctx.account, name);
      if (!user.loginProfile)
        throw new SimError('NoSuchEntity', `Login Profile for User ${name} cannot be found.`, 404);
      user.loginProfile = undefined;
      return undefined;
    },
  },
  TagUser: {
    auth: onUser,
    handler(ctx) {
      const user = getUser(ctx.account, ctx.params.require('UserName'));
      for (const t of tagsParam(ctx.params)) {
        user.tags = user.tags.filter((x) => x.Key !== t.Key);
        user.tags.push(t);
      }
      return undefined;
    },
  },
  UntagUser: {
    auth: onUser,
    handler(ctx) {
      const user = getUser(ctx.account, ctx.params.require('UserName'));
      const keys = new Set(ctx.params.list('TagKeys'));
      user.tags = user.tags.filter((t) => !keys.has(t.Key));
      return undefined;
    },
  },
  ListUserTags: {
    auth: onUser,
    handler(ctx) {
      const name = ctx.params.require('UserName');
      const user = ctx.account.iam.users[name];
      if (!user) throw noSuchUser(name);
      return { Tags: user.tags, IsTruncated: false };
    },
  },
};
