import { SimError } from '../../core/errors.js';
import type { OperationDef } from '../../core/service.js';
import { checkPath, getRole, getUser } from './entities.js';
import type { IamGroup, InstanceProfile } from './model.js';
import {
  byPrefix,
  checkPolicyDocument,
  d,
  groupShape,
  page,
  roleShape,
  tagsParam,
  userShape,
  type IamCtx,
} from './shapes.js';
import { userArn } from './users.js';

type Ops = Record<string, OperationDef<undefined>>;

function getGroup(ctx: IamCtx, name: string): IamGroup {
  const g = ctx.account.iam.groups[name];
  if (!g) throw new SimError('NoSuchEntity', `The group with name ${name} cannot be found.`, 404);
  return g;
}

const groupArn = (ctx: IamCtx) => {
  const name = ctx.params.require('GroupName');
  return ctx.account.iam.groups[name]?.arn ?? `arn:aws:iam::${ctx.caller.accountId}:group/${name}`;
};
const roleArn = (ctx: IamCtx) => {
  const name = ctx.params.require('RoleName');
  return ctx.account.iam.roles[name]?.arn ?? `arn:aws:iam::${ctx.caller.accountId}:role/${name}`;
};
const profileArn = (ctx: IamCtx) => {
  const name = ctx.params.require('InstanceProfileName');
  return (
    ctx.account.iam.instanceProfiles[name]?.arn ??
    `arn:aws:iam::${ctx.caller.accountId}:instance-profile/${name}`
  );
};

const conflict = (what: string) =>
  new SimError('DeleteConflict', `Cannot delete entity, must ${what} first.`, 409);

/** Groups and membership. */
export const groupOps: Ops = {
  CreateGroup: {
    auth: { resource: groupArn },
    handler(ctx) {
      const name = ctx.params.require('GroupName');
      if (ctx.account.iam.groups[name])
        throw new SimError('EntityAlreadyExists', `Group with name ${name} already exists.`, 409);
      const path = checkPath(ctx.params.get('Path'));
      const group: IamGroup = {
        groupName: name,
        groupId: ctx.sim.ids.uniqueId('AGPA'),
        arn: `arn:aws:iam::${ctx.account.accountId}:group${path}${name}`,
        path,
        createDate: ctx.sim.nowIso(),
        inlinePolicies: {},
        attachedPolicies: [],
      };
      ctx.account.iam.groups[name] = group;
      return { Group: groupShape(group) };
    },
  },
  GetGroup: {
    auth: { resource: groupArn },
    handler(ctx) {
      const g = getGroup(ctx, ctx.params.require('GroupName'));
      const members = Object.values(ctx.account.iam.users).filter((u) => u.groups.includes(g.groupName));
      const p = page(members, ctx.params);
      return {
        Group: groupShape(g),
        Users: p.items.map((u) => userShape(u)),
        IsTruncated: p.IsTruncated,
        Marker: p.Marker,
      };
    },
  },
  ListGroups: {
    handler(ctx) {
      const p = page(byPrefix(Object.values(ctx.account.iam.groups), ctx.params), ctx.params);
      return { Groups: p.items.map(groupShape), IsTruncated: p.IsTruncated, Marker: p.Marker };
    },
  },
  DeleteGroup: {
    auth: { resource: groupArn },
    handler(ctx) {
      const g = getGroup(ctx, ctx.params.require('GroupName'));
      if (Object.values(ctx.account.iam.users).some((u) => u.groups.includes(g.groupName)))
        throw conflict('remove users from group');
      if (Object.keys(g.inlinePolicies).length || g.attachedPolicies.length)
        throw conflict('delete policies');
      delete ctx.account.iam.groups[g.groupName];
      return undefined;
    },
  },
  AddUserToGroup: {
    auth: { resource: groupArn },
    handler(ctx) {
      const g = getGroup(ctx, ctx.params.require('GroupName'));
      const u = getUser(ctx.account, ctx.params.require('UserName'));
      if (!u.groups.includes(g.groupName)) u.groups.push(g.groupName);
      return undefined;
    },
  },
  RemoveUserFromGroup: {
    auth: { resource: groupArn },
    handler(ctx) {
      const g = getGroup(ctx, ctx.params.require('GroupName'));
      const u = getUser(ctx.account, ctx.params.require('UserName'));
      if (!u.groups.includes(g.groupName)) {
        throw new SimError(
          'NoSuchEntity',
          `The user with name ${u.userName} cannot be found in group ${g.groupName}.`,
          404,
        );
      }
      u.groups = u.groups.filter((x) => x !== g.groupName);
      return undefined;
    },
  },
  ListGroupsForUser: {
    auth: { resource: (ctx) => userArn(ctx, ctx.params.require('UserName')) },
    handler(ctx) {
      const u = getUser(ctx.account, ctx.params.require('UserName'));
      const p = page(
        u.groups.map((g) => ctx.account.iam.groups[g]).filter((g) => g !== undefined),
        ctx.params,
      );
      return { Groups: p.items.map(groupShape), IsTruncated: p.IsTruncated, Marker: p.Marker };
    },
  },
};

/** Roles and trust policies. */
export const roleOps: Ops = {
  CreateRole: {
    auth: {
      resource: (ctx) =>
        `arn:aws:iam::${ctx.caller.accountId}:role${ctx.params.get('Path') ?? '/'}${ctx.params.require('RoleName')}`,
    },
    handler(ctx) {
      const name = ctx.params.require('RoleName');
      if (ctx.account.iam.roles[name])
        throw new SimError('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
      const path = checkPath(ctx.params.get('Path'));
      const role = {
        roleName: name,
        roleId: ctx.sim.ids.uniqueId('AROA'),
        arn: `arn:aws:iam::${ctx.account.accountId}:role${path}${name}`,
        path,
        createDate: ctx.sim.nowIso(),
        assumeRolePolicyDocument: checkPolicyDocument(ctx.params.require('AssumeRolePolicyDocument')),
        description: ctx.params.get('Description'),
        maxSessionDuration: ctx.params.int('MaxSessionDuration') ?? 3600,
        tags: tagsParam(ctx.params),
        inlinePolicies: {},
        attachedPolicies: [],
        permissionsBoundary: ctx.params.get('PermissionsBoundary'),
      };
      ctx.account.iam.roles[name] = role;
      return { Role: roleShape(role) };
    },
  },
  GetRole: {
    auth: { resource: roleArn },
    handler: (ctx) => ({ Role: roleShape(getRole(ctx.account, ctx.params.require('RoleName')), true) }),
  },
  ListRoles: {
    handler(ctx) {
      const p = page(byPrefix(Object.values(ctx.account.iam.roles), ctx.params), ctx.params);
      return { Roles: p.items.map((r) => roleShape(r)), IsTruncated: p.IsTruncated, Marker: p.Marker };
    },
  },
  UpdateRole: {
    auth: { resource: roleArn },
    handler(ctx) {
      const r = getRole(ctx.account, ctx.params.require('RoleName'));
      const desc = ctx.params.get('Description');
      if (desc !== undefined) r.description = desc;
      const max = ctx.params.int('MaxSessionDuration');
      if (max !== undefined) r.maxSessionDuration = max;
      return {};
    },
  },
  UpdateAssumeRolePolicy: {
    auth: { resource: roleArn },
    handler(ctx) {
      const r = getRole(ctx.account, ctx.params.require('RoleName'));
      r.assumeRolePolicyDocument = checkPolicyDocument(ctx.params.require('PolicyDocument'));
      return undefined;
    },
  },
  DeleteRole: {
    auth: { resource: roleArn },
    handler(ctx) {
      const r = getRole(ctx.account, ctx.params.require('RoleName'));
      if (Object.keys(r.inlinePolicies).length || r.attachedPolicies.length)
        throw conflict('detach all policies');
      if (Object.values(ctx.account.iam.instanceProfiles).some((p) => p.roles.includes(r.roleName))) {
        throw conflict('remove roles from instance profile');
      }
      delete ctx.account.iam.roles[r.roleName];
      return undefined;
    },
  },
  TagRole: {
    auth: { resource: roleArn },
    handler(ctx) {
      const r = getRole(ctx.account, ctx.params.require('RoleName'));
      for (const t of tagsParam(ctx.params)) r.tags = [...r.tags.filter((x) => x.Key !== t.Key), t];
      return undefined;
    },
  },
  UntagRole: {
    auth: { resource: roleArn },
    handler(ctx) {
      const r = getRole(ctx.account, ctx.params.require('RoleName'));
      const keys = new Set(ctx.params.list('TagKeys'));
      r.tags = r.tags.filter((t) => !keys.has(t.Key));
      return undefined;
    },
  },
  ListRoleTags: {
    auth: { resource: roleArn },
    handler: (ctx) => ({
      Tags: getRole(ctx.account, ctx.params.require('RoleName')).tags,
      IsTruncated: false,
    }),
  },
};

function profileShape(ctx: IamCtx, p: InstanceProfile) {
  return {
    Path: p.path,
    InstanceProfileName: p.instanceProfileName,
    InstanceProfileId: p.instanceProfileId,
    Arn: p.arn,
    CreateDate: d(p.createDate),
    Roles: p.roles
      .map((r) => ctx.account.iam.roles[r])
      .filter((r) => r !== undefined)
      .map((r) => roleShape(r)),
  };
}

function getProfile(ctx: IamCtx): InstanceProfile {
  const name = ctx.params.require('InstanceProfileName');
  const p = ctx.account.iam.instanceProfiles[name];
  if (!p) throw new SimError('NoSuchEntity', `Instance Profile ${name} cannot be found.`, 404);
  return p;
}

/** Instance profiles. */
export const instanceProfileOps: Ops = {
  CreateInstanceProfile: {
    auth: { resource: profileArn },
    handler(ctx) {
      const name = ctx.params.require('InstanceProfileName');
      if (ctx.account.iam.instanceProfiles[name])
        throw new SimError('EntityAlreadyExists', `Instance Profile ${name} already exists.`, 409);
      const path = checkPath(ctx.params.get('Path'));
      const p: InstanceProfile = {
        instanceProfileName: name,
        instanceProfileId: ctx.sim.ids.uniqueId('AIPA'),
        arn: `arn:aws:iam::${ctx.account.accountId}:instance-profile${path}${name}`,
        path,
        createDate: ctx.sim.nowIso(),
        roles: [],
      };
      ctx.account.iam.instanceProfiles[name] = p;
      return { InstanceProfile: profileShape(ctx, p) };
    },
  },
  GetInstanceProfile: {
    auth: { resource: profileArn },
    handler: (ctx) => ({ InstanceProfile: profileShape(ctx, getProfile(ctx)) }),
  },
  ListInstanceProfiles: {
    handler(ctx) {
      const p = page(byPrefix(Object.values(ctx.account.iam.instanceProfiles), ctx.params), ctx.params);
      return {
        InstanceProfiles: p.items.map((x) => profileShape(ctx, x)),
        IsTruncated: p.IsTruncated,
        Marker: p.Marker,
      };
    },
  },
  ListInstanceProfilesForRole: {
    auth: { resource: roleArn },
    handler(ctx) {
      const r = getRole(ctx.account, ctx.params.require('RoleName'));
      const list = Object.values(ctx.account.iam.instanceProfiles).filter((p) =>
        p.roles.includes(r.roleName),
      );
      return { InstanceProfiles: list.map((x) => profileShape(ctx, x)), IsTruncated: false };
    },
  },
  DeleteInstanceProfile: {
    auth: { resource: profileArn },
    handler(ctx) {
      const p = getProfile(ctx);
      if (p.roles.length) throw conflict('remove roles from instance profile');
      delete ctx.account.iam.instanceProfiles[p.instanceProfileName];
      return undefined;
    },
  },
  AddRoleToInstanceProfile: {
    auth: { resource: profileArn },
    handler(ctx) {
      const p = getProfile(ctx);
      const r = getRole(ctx.account, ctx.params.require('RoleName'));
      if (p.roles.length >= 1)
        throw new SimError(
          'LimitExceeded',
          'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
          409,
        );
      p.roles.push(r.roleName);
      return undefined;
    },
  },
  RemoveRoleFromInstanceProfile: {
    auth: { resource: profileArn },
    handler(ctx) {
      const p = getProfile(ctx);
      const name = ctx.params.require('RoleName');
      if (!p.roles.includes(name))
        throw new SimError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
      p.roles = p.roles.filter((r) => r !== name);
      return undefined;
    },
  },
};
