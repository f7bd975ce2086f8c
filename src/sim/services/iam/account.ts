import { SimError } from '../../core/errors.js';
import type { OperationDef } from '../../core/service.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';
import { keysOf } from './entities.js';
import type { PasswordPolicy, PolicyHolder } from './model.js';
import { credentialReportCsv } from './report.js';
import { d, encodeDoc, groupShape, page, policyShape, roleShape, userShape, type IamCtx } from './shapes.js';

type Ops = Record<string, OperationDef<undefined>>;

/** IAM keeps one credential report per account and regenerates it at most every 4 hours. */
const REPORT_REUSE_MS = 4 * 3600 * 1000;

function inline(h: PolicyHolder) {
  return Object.entries(h.inlinePolicies).map(([PolicyName, doc]) => ({
    PolicyName,
    PolicyDocument: encodeDoc(doc),
  }));
}

function attached(h: PolicyHolder) {
  return h.attachedPolicies.map((arn) => ({
    PolicyName: arn.slice(arn.lastIndexOf('/') + 1),
    PolicyArn: arn,
  }));
}

function authorizationDetails(ctx: IamCtx) {
  const iam = ctx.account.iam;
  const filter = new Set(ctx.params.list('Filter'));
  const want = (f: string) => filter.size === 0 || filter.has(f);
  const users = want('User')
    ? Object.values(iam.users).map((u) => ({
        ...userShape(u, true),
        UserPolicyList: inline(u),
        GroupList: u.groups,
        AttachedManagedPolicies: attached(u),
      }))
    : [];
  const groups = want('Group')
    ? Object.values(iam.groups).map((g) => ({
        ...groupShape(g),
        GroupPolicyList: inline(g),
        AttachedManagedPolicies: attached(g),
      }))
    : [];
  const roles = want('Role')
    ? Object.values(iam.roles).map((r) => ({
        ...roleShape(r, true),
        InstanceProfileList: Object.values(iam.instanceProfiles)
          .filter((p) => p.roles.includes(r.roleName))
          .map((p) => ({
            Path: p.path,
            InstanceProfileName: p.instanceProfileName,
            InstanceProfileId: p.instanceProfileId,
            Arn: p.arn,
            CreateDate: d(p.createDate),
            Roles: [roleShape(r)],
          })),
        RolePolicyList: inline(r),
        AttachedManagedPolicies: attached(r),
      }))
    : [];
  // Local policies always; AWS managed ones only when attached somewhere (as AWS does by default).
  const inUse = new Set(
    [...Object.values(iam.users), ...Object.values(iam.groups), ...Object.values(iam.roles)].flatMap(
      (h) => h.attachedPolicies,
    ),
  );
  const policyArns = [
    ...(want('LocalManagedPolicy') ? Object.keys(iam.policies) : []),
    ...(want('AWSManagedPolicy') ? Object.keys(AWS_MANAGED_POLICIES).filter((a) => inUse.has(a)) : []),
  ];
  const policies = policyArns.map((arn) => {
    const own = iam.policies[arn];
    const aws = AWS_MANAGED_POLICIES[arn];
    const versions = own
      ? own.versions.map((v) => ({
          Document: encodeDoc(v.document),
          VersionId: v.versionId,
          IsDefaultVersion: v.versionId === own.defaultVersionId,
          CreateDate: d(v.createDate),
        }))
      : [
          {
            Document: encodeDoc(JSON.stringify(aws?.document)),
            VersionId: aws?.versionId,
            IsDefaultVersion: true,
            CreateDate: d(aws?.updateDate),
          },
        ];
    return { ...policyShape(ctx.account, arn), PolicyVersionList: versions };
  });
  return { users, groups, roles, policies };
}

/** Account-wide IAM: reports, password policy, summary, aliases, authorization details. */
export const accountOps: Ops = {
  GetAccountAuthorizationDetails: {
    handler(ctx) {
      const all = authorizationDetails(ctx);
      // One page holds everything up to MaxItems entries of each list (simple, and enough for drills).
      const p = page([0], ctx.params);
      return {
        UserDetailList: all.users,
        GroupDetailList: all.groups,
        RoleDetailList: all.roles,
        Policies: all.policies,
        IsTruncated: p.IsTruncated,
      };
    },
  },
  GenerateCredentialReport: {
    readOnly: false,
    handler(ctx) {
      const iam = ctx.account.iam;
      const existing = iam.credentialReport;
      if (existing && ctx.now.getTime() - Date.parse(existing.generatedTime) < REPORT_REUSE_MS) {
        return { State: 'COMPLETE' };
      }
      iam.credentialReport = {
        generatedTime: ctx.sim.nowIso(),
        content: credentialReportCsv(ctx.account, ctx.sim.nowIso()),
      };
      return { State: 'STARTED', Description: 'No report exists. Starting a new report generation task' };
    },
  },
  GetCredentialReport: {
    handler(ctx) {
      const report = ctx.account.iam.credentialReport;
      if (!report) {
        throw new SimError(
          'ReportNotPresent',
          'Credential report does not exist. Use GenerateCredentialReport to generate a report.',
          410,
        );
      }
      if (ctx.now.getTime() - Date.parse(report.generatedTime) >= REPORT_REUSE_MS) {
        throw new SimError(
          'ReportExpired',
          'Credential report is expired. Use GenerateCredentialReport to generate a new report.',
          410,
        );
      }
      return {
        Content: Buffer.from(report.content).toString('base64'),
        ReportFormat: 'text/csv',
        GeneratedTime: new Date(report.generatedTime),
      };
    },
  },
  GetAccountPasswordPolicy: {
    handler(ctx) {
      const policy = ctx.account.iam.passwordPolicy;
      if (!policy) {
        throw new SimError(
          'NoSuchEntity',
          `The Password Policy with domain name ${ctx.account.accountId} cannot be found.`,
          404,
        );
      }
      return { PasswordPolicy: { ...policy, ExpirePasswords: policy.ExpirePasswords } };
    },
  },
  UpdateAccountPasswordPolicy: {
    handler(ctx) {
      const p = ctx.params;
      const maxAge = p.int('MaxPasswordAge');
      const policy: PasswordPolicy = {
        MinimumPasswordLength: p.int('MinimumPasswordLength') ?? 8,
        RequireSymbols: p.bool('RequireSymbols') ?? false,
        RequireNumbers: p.bool('RequireNumbers') ?? false,
        RequireUppercaseCharacters: p.bool('RequireUppercaseCharacters') ?? false,
        RequireLowercaseCharacters: p.bool('RequireLowercaseCharacters') ?? false,
        AllowUsersToChangePassword: p.bool('AllowUsersToChangePassword') ?? false,
        ExpirePasswords: Boolean(maxAge),
        MaxPasswordAge: maxAge,
        PasswordReusePrevention: p.int('PasswordReusePrevention'),
        HardExpiry: p.bool('HardExpiry'),
      };
      ctx.account.iam.passwordPolicy = policy;
      return undefined;
    },
  },
  DeleteAccountPasswordPolicy: {
    handler(ctx) {
      if (!ctx.account.iam.passwordPolicy) {
        throw new SimError(
          'NoSuchEntity',
          `The account policy with name PasswordPolicy cannot be found.`,
          404,
        );
      }
      ctx.account.iam.passwordPolicy = undefined;
      return undefined;
    },
  },
  GetAccountSummary: {
    handler(ctx) {
      const iam = ctx.account.iam;
      const users = Object.values(iam.users);
      const map: [string, number][] = [
        ['Users', users.length],
        ['UsersQuota', 5000],
        ['Groups', Object.keys(iam.groups).length],
        ['GroupsQuota', 300],
        ['Roles', Object.keys(iam.roles).length],
        ['RolesQuota', 1000],
        ['Policies', Object.keys(iam.policies).length],
        ['PoliciesQuota', 1500],
        ['InstanceProfiles', Object.keys(iam.instanceProfiles).length],
        ['InstanceProfilesQuota', 1000],
        ['MFADevices', Object.keys(iam.mfaDevices).length],
        ['MFADevicesInUse', users.reduce((n, u) => n + u.mfaDevices.length, 0)],
        ['AccountMFAEnabled', iam.rootMfa ? 1 : 0],
        ['AccountAccessKeysPresent', keysOf(ctx.account, undefined).length > 0 ? 1 : 0],
        ['AccountSigningCertificatesPresent', 0],
        ['Providers', Object.keys(iam.samlProviders).length + Object.keys(iam.oidcProviders).length],
        ['ServerCertificates', 0],
        ['ServerCertificatesQuota', 20],
        ['AccessKeysPerUserQuota', 2],
        ['AttachedPoliciesPerUserQuota', 20],
        ['AttachedPoliciesPerGroupQuota', 10],
        ['AttachedPoliciesPerRoleQuota', 20],
        [
          'PolicyVersionsInUse',
          [...users, ...Object.values(iam.groups), ...Object.values(iam.roles)].reduce(
            (n, h) => n + h.attachedPolicies.length,
            0,
          ),
        ],
        ['PolicyVersionsInUseQuota', 10000],
        ['VersionsPerPolicyQuota', 5],
        ['PolicySizeQuota', 6144],
        ['UserPolicySizeQuota', 2048],
        ['GroupPolicySizeQuota', 5120],
        ['RolePolicySizeQuota', 10240],
        ['GlobalEndpointTokenVersion', 1],
      ];
      return { SummaryMap: { '#map': map } };
    },
  },
  CreateAccountAlias: {
    handler(ctx) {
      const alias = ctx.params.require('AccountAlias');
      ctx.account.iam.accountAliases = [alias];
      return undefined;
    },
  },
  ListAccountAliases: {
    handler: (ctx) => ({ AccountAliases: ctx.account.iam.accountAliases, IsTruncated: false }),
  },
  DeleteAccountAlias: {
    handler(ctx) {
      const alias = ctx.params.require('AccountAlias');
      if (!ctx.account.iam.accountAliases.includes(alias)) {
        throw new SimError('NoSuchEntity', `The account alias ${alias} cannot be found.`, 404);
      }
      ctx.account.iam.accountAliases = [];
      return undefined;
    },
  },
};
