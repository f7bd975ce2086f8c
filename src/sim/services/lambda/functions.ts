import { SimError } from '../../core/errors.js';
import { respond } from '../../core/http.js';
import { bodyString } from '../../core/params.js';
import type { OperationDef } from '../../core/service.js';
import {
  configurationOf,
  configurationTrail,
  getFunction,
  page,
  regionOf,
  sha256Base64,
  type LambdaCtx,
  type LambdaFunction,
  type LambdaState,
} from './model.js';

type Op = OperationDef<LambdaState>;

/** How long GetFunction's code location stays valid (AWS: a presigned URL valid 10 minutes). */
const DOWNLOAD_TTL_MS = 10 * 60 * 1000;

function fnArn(ctx: LambdaCtx, name: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.caller.accountId}:function:${name}`;
}

function zipOf(ctx: LambdaCtx): Buffer {
  const code = (ctx.body.Code ?? ctx.body) as { ZipFile?: unknown };
  const zip = bodyString(code.ZipFile);
  if (!zip) {
    throw new SimError('InvalidParameterValueException', 'Please provide a source for function code.', 400);
  }
  return Buffer.from(zip, 'base64');
}

function setCode(fn: LambdaFunction, zip: Buffer): void {
  fn.codeZip = zip.toString('base64');
  fn.codeSha256 = sha256Base64(zip);
  fn.codeSize = zip.length;
}

function touch(ctx: LambdaCtx, fn: LambdaFunction): void {
  fn.lastModified = ctx.sim.nowIso();
  fn.revisionId = ctx.sim.ids.uuid();
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out[k] = bodyString(v);
  return out;
}

/** requestParameters without the code bytes and environment values (Lambda CloudTrail). */
function trailRequest(ctx: LambdaCtx): Record<string, unknown> {
  const out: Record<string, unknown> = { functionName: ctx.pathParams.FunctionName ?? ctx.body.FunctionName };
  for (const [k, v] of Object.entries(ctx.body)) {
    if (k === 'ZipFile' || k === 'FunctionName') continue;
    const key = k.charAt(0).toLowerCase() + k.slice(1);
    if (k === 'Code') out.code = {};
    else if (k === 'Environment') out.environment = {};
    else out[key] = v;
  }
  return out;
}

/** Function lifecycle operations (API 2015-03-31). */
export const functionOps: Record<string, Op> = {
  CreateFunction: {
    http: 'POST /2015-03-31/functions',
    eventName: 'CreateFunction20150331',
    auth: 'handler',
    async handler(ctx) {
      const name = bodyString(ctx.body.FunctionName);
      if (!/^[\w-]{1,64}$/.test(name)) {
        throw new SimError(
          'ValidationException',
          `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
          400,
        );
      }
      const role = bodyString(ctx.body.Role);
      await ctx.authorize('lambda:CreateFunction', fnArn(ctx, name));
      await ctx.authorize('iam:PassRole', role);
      const functions = regionOf(ctx.state, ctx.region).functions;
      if (functions[name]) {
        throw new SimError('ResourceConflictException', `Function already exist: ${name}`, 409);
      }
      const fn: LambdaFunction = {
        name,
        arn: fnArn(ctx, name),
        runtime: bodyString(ctx.body.Runtime) || 'python3.12',
        role,
        handler: bodyString(ctx.body.Handler) || 'index.handler',
        description: bodyString(ctx.body.Description),
        timeout: typeof ctx.body.Timeout === 'number' ? ctx.body.Timeout : 3,
        memorySize: typeof ctx.body.MemorySize === 'number' ? ctx.body.MemorySize : 128,
        environment: stringMap((ctx.body.Environment as { Variables?: unknown } | undefined)?.Variables),
        layers: Array.isArray(ctx.body.Layers) ? ctx.body.Layers.map(bodyString) : [],
        codeZip: '',
        codeSha256: '',
        codeSize: 0,
        lastModified: ctx.sim.nowIso(),
        revisionId: ctx.sim.ids.uuid(),
        version: 0,
        policy: [],
        tags: stringMap(ctx.body.Tags),
        downloads: {},
      };
      setCode(fn, zipOf(ctx));
      functions[name] = fn;
      ctx.trail.requestParameters = trailRequest(ctx);
      ctx.trail.responseElements = configurationTrail(fn);
      return respond({ status: 201, body: configurationOf(fn) });
    },
  },
  GetFunction: {
    http: 'GET /2015-03-31/functions/{FunctionName}',
    eventName: 'GetFunction20150331v2',
    auth: 'handler',
    async handler(ctx) {
      const fn = getFunction(ctx, ctx.pathParams.FunctionName ?? '');
      await ctx.authorize('lambda:GetFunction', fn.arn);
      const token = ctx.sim.ids.token(32);
      const now = ctx.now.getTime();
      for (const [t, exp] of Object.entries(fn.downloads)) if (Date.parse(exp) <= now) delete fn.downloads[t];
      fn.downloads[token] = new Date(now + DOWNLOAD_TTL_MS).toISOString();
      const host = ctx.http.host || '127.0.0.1';
      return {
        Configuration: configurationOf(fn),
        Code: {
          RepositoryType: 'S3',
          Location: `http://${host}/_sim/lambda-code/${ctx.caller.accountId}/${ctx.region}/${fn.name}/${token}`,
        },
        Tags: Object.keys(fn.tags).length ? fn.tags : undefined,
      };
    },
  },
  GetFunctionConfiguration: {
    http: 'GET /2015-03-31/functions/{FunctionName}/configuration',
    eventName: 'GetFunctionConfiguration20150331v2',
    auth: 'handler',
    async handler(ctx) {
      const fn = getFunction(ctx, ctx.pathParams.FunctionName ?? '');
      await ctx.authorize('lambda:GetFunctionConfiguration', fn.arn);
      return configurationOf(fn);
    },
  },
  ListFunctions: {
    http: 'GET /2015-03-31/functions',
    eventName: 'ListFunctions20150331',
    handler(ctx) {
      const fns = Object.values(regionOf(ctx.state, ctx.region).functions).sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      const { items, NextMarker } = page(fns, ctx.params.get('Marker'), ctx.params.int('MaxItems'));
      return { Functions: items.map(configurationOf), NextMarker };
    },
  },
  DeleteFunction: {
    http: 'DELETE /2015-03-31/functions/{FunctionName}',
    eventName: 'DeleteFunction20150331',
    auth: 'handler',
    async handler(ctx) {
      const fn = getFunction(ctx, ctx.pathParams.FunctionName ?? '');
      await ctx.authorize('lambda:DeleteFunction', fn.arn);
      delete regionOf(ctx.state, ctx.region).functions[fn.name];
      return respond({ status: 204 });
    },
  },
  UpdateFunctionCode: {
    http: 'PUT /2015-03-31/functions/{FunctionName}/code',
    eventName: 'UpdateFunctionCode20150331v2',
    auth: 'handler',
    async handler(ctx) {
      const fn = getFunction(ctx, ctx.pathParams.FunctionName ?? '');
      await ctx.authorize('lambda:UpdateFunctionCode', fn.arn);
      setCode(fn, zipOf(ctx));
      touch(ctx, fn);
      ctx.trail.requestParameters = trailRequest(ctx);
      ctx.trail.responseElements = configurationTrail(fn);
      return configurationOf(fn);
    },
  },
  UpdateFunctionConfiguration: {
    http: 'PUT /2015-03-31/functions/{FunctionName}/configuration',
    eventName: 'UpdateFunctionConfiguration20150331v2',
    auth: 'handler',
    async handler(ctx) {
      const fn = getFunction(ctx, ctx.pathParams.FunctionName ?? '');
      await ctx.authorize('lambda:UpdateFunctionConfiguration', fn.arn);
      const b = ctx.body;
      if (b.Role !== undefined) {
        await ctx.authorize('iam:PassRole', bodyString(b.Role));
        fn.role = bodyString(b.Role);
      }
      if (b.Handler !== undefined) fn.handler = bodyString(b.Handler);
      if (b.Runtime !== undefined) fn.runtime = bodyString(b.Runtime);
      if (b.Description !== undefined) fn.description = bodyString(b.Description);
      if (typeof b.Timeout === 'number') fn.timeout = b.Timeout;
      if (typeof b.MemorySize === 'number') fn.memorySize = b.MemorySize;
      if (b.Environment !== undefined) {
        fn.environment = stringMap((b.Environment as { Variables?: unknown }).Variables);
      }
      if (Array.isArray(b.Layers)) fn.layers = b.Layers.map(bodyString);
      touch(ctx, fn);
      ctx.trail.requestParameters = trailRequest(ctx);
      ctx.trail.responseElements = configurationTrail(fn);
      return configurationOf(fn);
    },
  },
  ListVersionsByFunction: {
    http: 'GET /2015-03-31/functions/{FunctionName}/versions',
    eventName: 'ListVersionsByFunction20150331',
    auth: 'handler',
    async handler(ctx) {
      const fn = getFunction(ctx, ctx.pathParams.FunctionName ?? '');
      await ctx.authorize('lambda:ListVersionsByFunction', fn.arn);
      return { Versions: [configurationOf(fn)] };
    },
  },
  /**
   * The download behind GetFunction's `Code.Location`. On AWS it is a presigned S3 URL of a
   * Lambda-owned bucket, fetched without AWS credentials and not recorded in the customer's
   * CloudTrail; here a short-lived token in the path plays the presigned signature.
   */
  DownloadFunctionCode: {
    http: 'GET /_sim/lambda-code/{Account}/{Region}/{FunctionName}/{Token}',
    allowAnonymous: true,
    auth: 'none',
    handler(ctx) {
      ctx.trail.skip = true;
      const { Account = '', Region = '', FunctionName = '', Token = '' } = ctx.pathParams;
      const denied = new SimError('AccessDenied', 'Request has expired', 403);
      if (!ctx.sim.account(Account)) throw denied;
      const fn = regionOf(ctx.stateOf(Account), Region).functions[FunctionName];
      const expiry = fn?.downloads[Token];
      if (!fn || !expiry || Date.parse(expiry) <= ctx.now.getTime()) throw denied;
      return respond({
        status: 200,
        headers: { 'content-type': 'application/zip' },
        body: Buffer.from(fn.codeZip, 'base64'),
      });
    },
  },
};
