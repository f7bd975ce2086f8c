import { SimError } from '../../core/errors.js';
import { parsePolicy } from '../../core/authz.js';
import { assumedRoleArn } from '../../core/authn.js';
import { defineService } from '../../core/service.js';
import {
  credentialsShape,
  credentialsTrail,
  duration,
  issueSession,
  mfaFromParams,
  sessionPolicyParams,
  type StsCtx,
} from './sessions.js';

const MAX_TEMP = 129_600;

function refuseSessionCredentials(ctx: StsCtx, op: string): void {
  if (ctx.caller.session) {
    throw new SimError('AccessDenied', `Cannot call ${op} with session credentials`, 403);
  }
}

async function assumeRole(ctx: StsCtx) {
  const roleArn = ctx.params.require('RoleArn');
  const sessionName = ctx.params.require('RoleSessionName');
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw new SimError(
      'ValidationError',
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      400,
    );
  }
  const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  const account = m ? ctx.sim.account(m[1]!) : undefined;
  const role = account?.iam.roles[m?.[2] ?? ''];
  const denied = () =>
    new SimError(
      'AccessDenied',
      `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  ctx.trail.requestParameters = {
    roleArn,
    roleSessionName: sessionName,
    ...(ctx.params.has('DurationSeconds') ? { durationSeconds: ctx.params.int('DurationSeconds') } : {}),
  };
  if (ctx.caller.type === 'Root') {
    // AWS refuses role assumption with root credentials.
    throw new SimError('AccessDenied', 'Roles may not be assumed by root accounts.', 403);
  }
  if (!account || !role || role.arn !== roleArn) throw denied();
  ctx.trail.resources = [{ ARN: role.arn, accountId: account.accountId, type: 'AWS::IAM::Role' }];
  if (account.accountId !== ctx.caller.accountId) ctx.trail.alsoRecordIn = [account.accountId];
  const mfa = mfaFromParams(ctx) || (ctx.caller.session?.mfaAuthenticated ?? false);
  const externalId = ctx.params.get('ExternalId');
  const sourceIdentity = ctx.params.get('SourceIdentity') ?? ctx.caller.session?.sourceIdentity;
  // The trust policy is the role's resource policy; cross-account callers also need an identity
  // policy allowing sts:AssumeRole (IAM UG "Cross-account policy evaluation logic").
  await ctx.authorize('sts:AssumeRole', role.arn, {
    resourcePolicy: parsePolicy(role.assumeRolePolicyDocument),
    resourceAccount: account.accountId,
    context: {
      ...(mfa ? { 'aws:MultiFactorAuthPresent': 'true' } : {}),
      ...(externalId ? { 'sts:ExternalId': externalId } : {}),
      ...(sourceIdentity ? { 'sts:SourceIdentity': sourceIdentity } : {}),
    },
  });
  // Role chaining limits sessions to one hour (IAM UG "Role chaining").
  const chained = ctx.caller.type === 'AssumedRole';
  if (chained && (ctx.params.int('DurationSeconds') ?? 3600) > 3600) {
    throw new SimError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      400,
    );
  }
  const seconds = duration(ctx, 3600, chained ? 3600 : role.maxSessionDuration);
  if (!chained && seconds > role.maxSessionDuration) {
    throw new SimError(
      'ValidationError',
      `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
      400,
    );
  }
  const session = issueSession(
    ctx,
    {
      accountId: account.accountId,
      kind: 'assumed-role',
      mfaAuthenticated: mfa,
      roleName: role.roleName,
      sessionName,
      sourceIdentity,
      ...sessionPolicyParams(ctx),
    },
    seconds,
  );
  const assumed = {
    AssumedRoleId: `${role.roleId}:${sessionName}`,
    Arn: assumedRoleArn(account.accountId, role.roleName, sessionName),
  };
  ctx.trail.responseElements = {
    credentials: credentialsTrail(session),
    assumedRoleUser: { assumedRoleId: assumed.AssumedRoleId, arn: assumed.Arn },
    ...(sourceIdentity ? { sourceIdentity } : {}),
  };
  return {
    Credentials: credentialsShape(session),
    AssumedRoleUser: assumed,
    ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
  };
}

/** STS (awsQuery, API 2011-06-15). Every call is recorded in us-east-1 (global endpoint). */
export const stsService = defineService<undefined>({
  signingName: 'sts',
  protocol: 'query',
  eventSource: 'sts.amazonaws.com',
  apiVersion: '2011-06-15',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  globalRegion: 'us-east-1',
  trailDates: 'java',
  endpointHost: () => 'sts.amazonaws.com',
  operations: {
    GetCallerIdentity: {
      // Needs no permission and works under an explicit deny-all (aws-facts §3.4, §3.6).
      auth: 'none',
      handler: (ctx) => ({
        UserId: ctx.caller.principalId,
        Account: ctx.caller.accountId,
        Arn: ctx.caller.arn,
      }),
    },
    GetAccessKeyInfo: {
      handler(ctx) {
        const id = ctx.params.require('AccessKeyId');
        const session = ctx.sim.data.sessions[id];
        const owner = session?.accountId ?? ctx.sim.accounts().find((a) => a.iam.accessKeys[id])?.accountId;
        // Any key id answers with an account; an unknown one with the caller's (as moto, aws-facts §3.6).
        return { Account: owner ?? ctx.caller.accountId };
      },
    },
    AssumeRole: { auth: 'handler', handler: assumeRole },
    GetSessionToken: {
      auth: 'handler',
      async handler(ctx) {
        refuseSessionCredentials(ctx, 'GetSessionToken');
        // No permission is needed, but an explicit deny (e.g. a quarantine policy) still applies.
        const decision = await ctx.evaluate('sts:GetSessionToken');
        if (decision.denial === 'explicit') await ctx.authorize('sts:GetSessionToken');
        const mfa = mfaFromParams(ctx);
        const seconds = duration(
          ctx,
          ctx.caller.type === 'Root' ? 3600 : 43_200,
          ctx.caller.type === 'Root' ? 3600 : MAX_TEMP,
        );
        const session = issueSession(
          ctx,
          {
            accountId: ctx.caller.accountId,
            kind: 'session-token',
            mfaAuthenticated: mfa,
            userName: ctx.caller.userName,
          },
          seconds,
        );
        ctx.trail.responseElements = { credentials: credentialsTrail(session) };
        return { Credentials: credentialsShape(session) };
      },
    },
    GetFederationToken: {
      handler(ctx) {
        refuseSessionCredentials(ctx, 'GetFederationToken');
        const name = ctx.params.require('Name');
        if (!/^[\w+=,.@-]{2,32}$/.test(name)) {
          throw new SimError(
            'ValidationError',
            `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 32`,
            400,
          );
        }
        const seconds = duration(
          ctx,
          ctx.caller.type === 'Root' ? 3600 : 43_200,
          ctx.caller.type === 'Root' ? 3600 : MAX_TEMP,
        );
        const session = issueSession(
          ctx,
          {
            accountId: ctx.caller.accountId,
            kind: 'federated-user',
            mfaAuthenticated: false,
            federatedName: name,
            userName: ctx.caller.userName,
            ...sessionPolicyParams(ctx),
          },
          seconds,
        );
        const federated = {
          FederatedUserId: `${ctx.caller.accountId}:${name}`,
          Arn: `arn:aws:sts::${ctx.caller.accountId}:federated-user/${name}`,
        };
        ctx.trail.responseElements = {
          credentials: credentialsTrail(session),
          federatedUser: { federatedUserId: federated.FederatedUserId, arn: federated.Arn },
        };
        return { Credentials: credentialsShape(session), FederatedUser: federated, PackedPolicySize: 6 };
      },
    },
  },
});
