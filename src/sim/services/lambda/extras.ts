import { SimError } from '../../core/errors.js';
import { respond } from '../../core/http.js';
import { bodyString } from '../../core/params.js';
import type { OperationDef } from '../../core/service.js';
import {
  getFunction,
  lambdaTime,
  refuseTakenSid,
  withoutSid,
  type LambdaCtx,
  type LambdaFunction,
  type LambdaState,
  type PermissionStatement,
  type UrlConfig,
} from './model.js';

type Op = OperationDef<LambdaState>;

async function fnFor(ctx: LambdaCtx, action: string): Promise<LambdaFunction> {
  const fn = getFunction(ctx, ctx.pathParams.FunctionName ?? '');
  await ctx.authorize(action, fn.arn);
  return fn;
}

/** `*`, an account id, an account/role ARN or a service principal, as AddPermission accepts. */
function principalOf(raw: string): PermissionStatement['Principal'] {
  if (raw === '*') return '*';
  if (raw.endsWith('.amazonaws.com')) return { Service: raw };
  return { AWS: /^\d{12}$/.test(raw) ? `arn:aws:iam::${raw}:root` : raw };
}

function policyDoc(fn: LambdaFunction): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: fn.policy });
}

function urlShape(fn: LambdaFunction, url: UrlConfig) {
  return {
    FunctionUrl: url.functionUrl,
    FunctionArn: fn.arn,
    AuthType: url.authType,
    Cors: url.cors,
    CreationTime: lambdaTime(url.creationTime),
    LastModifiedTime: lambdaTime(url.lastModifiedTime),
    InvokeMode: 'BUFFERED',
  };
}

function noUrl(fn: LambdaFunction): SimError {
  return new SimError('ResourceNotFoundException', `The resource you requested does not exist.`, 404, {
    Message: `Function URL config not found for ${fn.arn}`,
  });
}

/** Resource policy and function URL operations. */
export const extraOps: Record<string, Op> = {
  AddPermission: {
    http: 'POST /2015-03-31/functions/{FunctionName}/policy',
    eventName: 'AddPermission20150331v2',
    auth: 'handler',
    async handler(ctx) {
      const fn = await fnFor(ctx, 'lambda:AddPermission');
      const sid = bodyString(ctx.body.StatementId);
      refuseTakenSid(fn.policy, sid);
      const statement: PermissionStatement = {
        Sid: sid,
        Effect: 'Allow',
        Principal: principalOf(bodyString(ctx.body.Principal)),
        Action: bodyString(ctx.body.Action),
        Resource: fn.arn,
      };
      const conditions: Record<string, Record<string, string>> = {};
      if (ctx.body.SourceArn) conditions.ArnLike = { 'AWS:SourceArn': bodyString(ctx.body.SourceArn) };
      if (ctx.body.SourceAccount)
        conditions.StringEquals = { 'AWS:SourceAccount': bodyString(ctx.body.SourceAccount) };
      if (ctx.body.FunctionUrlAuthType) {
        conditions.StringEquals = {
          ...conditions.StringEquals,
          'lambda:FunctionUrlAuthType': bodyString(ctx.body.FunctionUrlAuthType),
        };
      }
      if (Object.keys(conditions).length) statement.Condition = conditions;
      fn.policy.push(statement);
      fn.revisionId = ctx.sim.ids.uuid();
      return respond({ status: 201, body: { Statement: JSON.stringify(statement) } });
    },
  },
  GetPolicy: {
    http: 'GET /2015-03-31/functions/{FunctionName}/policy',
    eventName: 'GetPolicy20150331v2',
    auth: 'handler',
    async handler(ctx) {
      const fn = await fnFor(ctx, 'lambda:GetPolicy');
      if (fn.policy.length === 0) {
        throw new SimError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
      }
      return { Policy: policyDoc(fn), RevisionId: fn.revisionId };
    },
  },
  RemovePermission: {
    http: 'DELETE /2015-03-31/functions/{FunctionName}/policy/{StatementId}',
    eventName: 'RemovePermission20150331v2',
    auth: 'handler',
    async handler(ctx) {
      const fn = await fnFor(ctx, 'lambda:RemovePermission');
      fn.policy = withoutSid(fn.policy, ctx.pathParams.StatementId ?? '');
      fn.revisionId = ctx.sim.ids.uuid();
      return respond({ status: 204 });
    },
  },
  CreateFunctionUrlConfig: {
    http: 'POST /2021-10-31/functions/{FunctionName}/url',
    eventName: 'CreateFunctionUrlConfig20211031',
    auth: 'handler',
    async handler(ctx) {
      const fn = await fnFor(ctx, 'lambda:CreateFunctionUrlConfig');
      if (fn.url) {
        throw new SimError(
          'ResourceConflictException',
          `Failed to create function url config for [functionArn = ${fn.arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
          409,
        );
      }
      const authType = bodyString(ctx.body.AuthType) === 'NONE' ? 'NONE' : 'AWS_IAM';
      const now = ctx.sim.nowIso();
      fn.url = {
        functionUrl: `https://${ctx.sim.ids.token(32, 'abcdefghijklmnopqrstuvwxyz0123456789')}.lambda-url.${ctx.region}.on.aws/`,
        authType,
        cors: ctx.body.Cors,
        creationTime: now,
        lastModifiedTime: now,
      };
      const shape = urlShape(fn, fn.url);
      return respond({ status: 201, body: { ...shape, LastModifiedTime: undefined } });
    },
  },
  GetFunctionUrlConfig: {
    http: 'GET /2021-10-31/functions/{FunctionName}/url',
    eventName: 'GetFunctionUrlConfig20211031',
    auth: 'handler',
    async handler(ctx) {
      const fn = await fnFor(ctx, 'lambda:GetFunctionUrlConfig');
      if (!fn.url) throw noUrl(fn);
      return urlShape(fn, fn.url);
    },
  },
  UpdateFunctionUrlConfig: {
    http: 'PUT /2021-10-31/functions/{FunctionName}/url',
    eventName: 'UpdateFunctionUrlConfig20211031',
    auth: 'handler',
    async handler(ctx) {
      const fn = await fnFor(ctx, 'lambda:UpdateFunctionUrlConfig');
      if (!fn.url) throw noUrl(fn);
      if (ctx.body.AuthType !== undefined)
        fn.url.authType = bodyString(ctx.body.AuthType) === 'NONE' ? 'NONE' : 'AWS_IAM';
      if (ctx.body.Cors !== undefined) fn.url.cors = ctx.body.Cors;
      fn.url.lastModifiedTime = ctx.sim.nowIso();
      return urlShape(fn, fn.url);
    },
  },
  DeleteFunctionUrlConfig: {
    http: 'DELETE /2021-10-31/functions/{FunctionName}/url',
    eventName: 'DeleteFunctionUrlConfig20211031',
    auth: 'handler',
    async handler(ctx) {
      const fn = await fnFor(ctx, 'lambda:DeleteFunctionUrlConfig');
      if (!fn.url) throw noUrl(fn);
      fn.url = undefined;
      return respond({ status: 204 });
    },
  },
  ListFunctionUrlConfigs: {
    http: 'GET /2021-10-31/functions/{FunctionName}/urls',
    eventName: 'ListFunctionUrlConfigs20211031',
    auth: 'handler',
    async handler(ctx) {
      const fn = await fnFor(ctx, 'lambda:ListFunctionUrlConfigs');
      return { FunctionUrlConfigs: fn.url ? [urlShape(fn, fn.url)] : [] };
    },
  },
};
