import { SimError } from '../../core/errors.js';
import type { OperationDef } from '../../core/service.js';
import type { AccountState } from '../../state.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';
import { attachPolicy, checkPath, getManagedPolicy, getRole, getUser } from './entities.js';
import type { PolicyHolder } from './model.js';
import {
  attachmentCount,
  checkPolicyDocument,
  d,
  encodeDoc,
  page,
  policyShape,
  tagsParam,
  type IamCtx,
} from './shapes.js';

type Ops = Record<string, OperationDef<undefined>>;

type HolderKind = 'User' | 'Group' | 'Role';

function holder(ctx: IamCtx, kind: HolderKind): { name: string; holder: PolicyHolder; arn: string } {
  const name = ctx.params.require(`${kind}Name`);
  const account = ctx.account;
  if (kind === 'User') {
    const u = getUser(account, name);
    return { name, holder: u, arn: u.arn };
  }
  if (kind === 'Role') {
    const r = getRole(account, name);
    return { name, holder: r, arn: r.arn };
  }
  const g = account.iam.groups[name];
  if (!g) throw new SimError('NoSuchEntity', `The group with name ${name} cannot be found.`, 404);
  return { name, holder: g, arn: g.arn };
}

function holderArn(ctx: IamCtx, kind: HolderKind): string {
  const name = ctx.params.require(`${kind}Name`);
  const iam = ctx.account.iam;
  const existing = kind === 'User' ? iam.users[name] : kind === 'Role' ? iam.roles[name] : iam.groups[name];
  return existing?.arn ?? `arn:aws:iam::${ctx.caller.accountId}:${kind.toLowerCase()}/${name}`;
}

/** Put/Get/Delete/List<Kind>Policies and Attach/Detach/ListAttached<Kind>Policies for one kind. */
function holderOps(kind: HolderKind): Ops {
  const on = { resource: (ctx: IamCtx) => holderArn(ctx, kind) };
  return {
    [`Put${kind}Policy`]: {
      auth: on,
      handler(ctx) {
        const { holder: h } = holder(ctx, kind);
        h.inlinePolicies[ctx.params.require('PolicyName')] = checkPolicyDocument(
          ctx.params.require('PolicyDocument'),
        );
        return undefined;
      },
    },
    [`Get${kind}Policy`]: {
      auth: on,
      handler(ctx) {
        const { name, holder: h } = holder(ctx, kind);
        const policyName = ctx.params.require('PolicyName');
        const doc = h.inlinePolicies[policyName];
        if (doc === undefined) {
          throw new SimError(
            'NoSuchEntity',
            `The ${kind.toLowerCase()} policy with name ${policyName} cannot be found.`,
            404,
          );
        }
        return { [`${kind}Name`]: name, PolicyName: policyName, PolicyDocument: encodeDoc(doc) };
      },
    },
    [`Delete${kind}Policy`]: {
      auth: on,
      handler(ctx) {
        const { holder: h } = holder(ctx, kind);
        const policyName = ctx.params.require('PolicyName');
        if (!(policyName in h.inlinePolicies)) {
          throw new SimError(
            'NoSuchEntity',
            `The ${kind.toLowerCase()} policy with name ${policyName} cannot be found.`,
            404,
          );
        }
        delete h.inlinePolicies[policyName];
        return undefined;
      },
    },
    [`List${kind}Policies`]: {
      auth: on,
      handler(ctx) {
        const p = page(Object.keys(holder(ctx, kind).holder.inlinePolicies), ctx.params);
        return { PolicyNames: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
      },
    },
    [`Attach${kind}Policy`]: {
      auth: on,
      handler(ctx) {
        attachPolicy(ctx.account, holder(ctx, kind).holder, ctx.params.require('PolicyArn'));
        return undefined;
      },
    },
    [`Detach${kind}Policy`]: {
      auth: on,
      handler(ctx) {
        const { holder: h } = holder(ctx, kind);
        const arn = ctx.params.require('PolicyArn');
        if (!h.attachedPolicies.includes(arn))
          throw new SimError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
        h.attachedPolicies = h.attachedPolicies.filter((a) => a !== arn);
        return undefined;
      },
    },
    [`ListAttached${kind}Policies`]: {
      auth: on,
      handler(ctx) {
        const { holder: h } = holder(ctx, kind);
        const p = page(h.attachedPolicies, ctx.params);
        return {
          AttachedPolicies: p.items.map((arn) => ({
            PolicyName: arn.slice(arn.lastIndexOf('/') + 1),
            PolicyArn: arn,
          })),
          IsTruncated: p.IsTruncated,
          Marker: p.Marker,
        };
      },
    },
  };
}

function boundaryOps(kind: 'User' | 'Role'): Ops {
  const on = { resource: (ctx: IamCtx) => holderArn(ctx, kind) };
  return {
    [`Put${kind}PermissionsBoundary`]: {
      auth: on,
      handler(ctx) {
        const arn = ctx.params.require('PermissionsBoundary');
        if (!AWS_MANAGED_POLICIES[arn] && !ctx.account.iam.policies[arn]) {
          throw new SimError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`, 404);
        }
        holder(ctx, kind).holder.permissionsBoundary = arn;
        return undefined;
      },
    },
    [`Delete${kind}PermissionsBoundary`]: {
      auth: on,
      handler(ctx) {
        holder(ctx, kind).holder.permissionsBoundary = undefined;
        return undefined;
      },
    },
  };
}

function policyArnOf(ctx: IamCtx): string {
  return ctx.params.require('PolicyArn');
}

function versionShape(account: AccountState, arn: string, versionId: string) {
  const aws = AWS_MANAGED_POLICIES[arn];
  if (aws) {
    if (versionId !== aws.versionId)
      throw new SimError(
        'NoSuchEntity',
        `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
        404,
      );
    return {
      Document: encodeDoc(JSON.stringify(aws.document)),
      VersionId: versionId,
      IsDefaultVersion: true,
      CreateDate: d(aws.updateDate),
    };
  }
  const p = getManagedPolicy(account, arn);
  const v = p.versions.find((x) => x.versionId === versionId);
  if (!v)
    throw new SimError(
      'NoSuchEntity',
      `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
      404,
    );
  return {
    Document: encodeDoc(v.document),
    VersionId: v.versionId,
    IsDefaultVersion: v.versionId === p.defaultVersionId,
    CreateDate: d(v.createDate),
  };
}

const onPolicy = { resource: policyArnOf };

/** Customer managed policies and their versions; AWS managed policies are readable. */
const managedOps: Ops = {
  CreatePolicy: {
    auth: {
      resource: (ctx) =>
        `arn:aws:iam::${ctx.caller.accountId}:policy${ctx.params.get('Path') ?? '/'}${ctx.params.require('PolicyName')}`,
    },
    handler(ctx) {
      const name = ctx.params.require('PolicyName');
      const path = checkPath(ctx.params.get('Path'));
      const arn = `arn:aws:iam::${ctx.account.accountId}:policy${path}${name}`;
      if (ctx.account.iam.policies[arn])
        throw new SimError(
          'EntityAlreadyExists',
          `A policy called ${name} already exists. Duplicate names are not allowed.`,
          409,
        );
      const now = ctx.sim.nowIso();
      ctx.account.iam.policies[arn] = {
        policyName: name,
        policyId: ctx.sim.ids.uniqueId('ANPA'),
        arn,
        path,
        description: ctx.params.get('Description'),
        defaultVersionId: 'v1',
        versions: [
          {
            versionId: 'v1',
            document: checkPolicyDocument(ctx.params.require('PolicyDocument')),
            createDate: now,
          },
        ],
        nextVersion: 2,
        createDate: now,
        updateDate: now,
        tags: tagsParam(ctx.params),
      };
      return { Policy: policyShape(ctx.account, arn) };
    },
  },
  GetPolicy: {
    auth: onPolicy,
    handler(ctx) {
      const arn = policyArnOf(ctx);
      const shape = policyShape(ctx.account, arn);
      if (!shape) throw new SimError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
      return { Policy: shape };
    },
  },
  ListPolicies: {
    handler(ctx) {
      // Scope: All (default) | AWS | Local (customer managed); OnlyAttached; PathPrefix.
      const scope = ctx.params.get('Scope') ?? 'All';
      const arns = [
        ...(scope === 'Local' ? [] : Object.keys(AWS_MANAGED_POLICIES)),
        ...(scope === 'AWS' ? [] : Object.keys(ctx.account.iam.policies)),
      ];
      const prefix = ctx.params.get('PathPrefix') ?? '/';
      const onlyAttached = ctx.params.bool('OnlyAttached') ?? false;
      const shapes = arns
        .map((a) => policyShape(ctx.account, a)!)
        .filter(
          (s) => (s.Path as string).startsWith(prefix) && (!onlyAttached || Number(s.AttachmentCount) > 0),
        );
      const p = page(shapes, ctx.params);
      return { Policies: p.items, IsTruncated: p.IsTruncated, Marker: p.Marker };
    },
  },
  DeletePolicy: {
    auth: onPolicy,
    handler(ctx) {
      const arn = policyArnOf(ctx);
      const p = getManagedPolicy(ctx.account, arn);
      if (attachmentCount(ctx.account, arn) > 0) {
        throw new SimError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
      }
      if (p.versions.length > 1) {
        throw new SimError(
          'DeleteConflict',
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
          409,
        );
      }
      delete ctx.account.iam.policies[arn];
      return undefined;
    },
  },
  CreatePolicyVersion: {
    auth: onPolicy,
    handler(ctx) {
      const p = getManagedPolicy(ctx.account, policyArnOf(ctx));
      if (p.versions.length >= 5) {
        throw new SimError(
          'LimitExceeded',
          `A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.`,
          409,
        );
      }
      const versionId = `v${p.nextVersion++}`;
      const now = ctx.sim.nowIso();
      p.versions.push({
        versionId,
        document: checkPolicyDocument(ctx.params.require('PolicyDocument')),
        createDate: now,
      });
      if (ctx.params.bool('SetAsDefault')) p.defaultVersionId = versionId;
      p.updateDate = now;
      return { PolicyVersion: versionShape(ctx.account, p.arn, versionId) };
    },
  },
  GetPolicyVersion: {
    auth: onPolicy,
    handler: (ctx) => ({
      PolicyVersion: versionShape(ctx.account, policyArnOf(ctx), ctx.params.require('VersionId')),
    }),
  },
  ListPolicyVersions: {
    auth: onPolicy,
    handler(ctx) {
      const arn = policyArnOf(ctx);
      const aws = AWS_MANAGED_POLICIES[arn];
      const ids = aws
        ? [aws.versionId]
        : getManagedPolicy(ctx.account, arn)
            .versions.map((v) => v.versionId)
            .reverse();
      const p = page(ids, ctx.params);
      return {
        Versions: p.items.map((id) => {
          const { Document: _doc, ...meta } = versionShape(ctx.account, arn, id);
          return meta;
        }),
        IsTruncated: p.IsTruncated,
        Marker: p.Marker,
      };
    },
  },
  SetDefaultPolicyVersion: {
    auth: onPolicy,
    handler(ctx) {
      const p = getManagedPolicy(ctx.account, policyArnOf(ctx));
      const versionId = ctx.params.require('VersionId');
      if (!p.versions.some((v) => v.versionId === versionId)) {
        throw new SimError(
          'NoSuchEntity',
          `Policy ${p.arn} version ${versionId} does not exist or is not attachable.`,
          404,
        );
      }
      p.defaultVersionId = versionId;
      p.updateDate = ctx.sim.nowIso();
      return undefined;
    },
  },
  DeletePolicyVersion: {
    auth: onPolicy,
    handler(ctx) {
      const p = getManagedPolicy(ctx.account, policyArnOf(ctx));
      const versionId = ctx.params.require('VersionId');
      if (versionId === p.defaultVersionId) {
        throw new SimError('DeleteConflict', 'Cannot delete the default version of a policy.', 409);
      }
      if (!p.versions.some((v) => v.versionId === versionId)) {
        throw new SimError(
          'NoSuchEntity',
          `Policy ${p.arn} version ${versionId} does not exist or is not attachable.`,
          404,
        );
      }
      p.versions = p.versions.filter((v) => v.versionId !== versionId);
      return undefined;
    },
  },
  ListEntitiesForPolicy: {
    auth: onPolicy,
    handler(ctx) {
      const arn = policyArnOf(ctx);
      const { users, groups, roles } = ctx.account.iam;
      const has = (h: PolicyHolder) => h.attachedPolicies.includes(arn);
      return {
        PolicyGroups: Object.values(groups)
          .filter(has)
          .map((g) => ({ GroupName: g.groupName, GroupId: g.groupId })),
        PolicyUsers: Object.values(users)
          .filter(has)
          .map((u) => ({ UserName: u.userName, UserId: u.userId })),
        PolicyRoles: Object.values(roles)
          .filter(has)
          .map((r) => ({ RoleName: r.roleName, RoleId: r.roleId })),
        IsTruncated: false,
      };
    },
  },
};

/** Every policy operation. */
export const policyOps: Ops = {
  ...holderOps('User'),
  ...holderOps('Group'),
  ...holderOps('Role'),
  ...boundaryOps('User'),
  ...boundaryOps('Role'),
  ...managedOps,
};
