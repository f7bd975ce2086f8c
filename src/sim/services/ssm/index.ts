import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import { documentOps, type SsmDocumentState } from './documents.js';

/** One Parameter Store parameter (current version only; history keeps the version number). */
export interface Parameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  lastModifiedDate: string;
  lastModifiedUser: string;
  description?: string | undefined;
  keyId?: string | undefined;
  tier: string;
}

/** Parameters of one account, per region (documents and associations: `documents.ts`). */
export interface SsmState extends SsmDocumentState {
  regions: Record<string, Record<string, Parameter>>;
}

type Ctx = OpContext<SsmState>;

function params(ctx: Ctx): Record<string, Parameter> {
  return (ctx.state.regions[ctx.region] ??= {});
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>`. */
function arnOf(ctx: Ctx, name: string): string {
  return `arn:aws:ssm:${ctx.region}:${ctx.caller.accountId}:parameter/${name.replace(/^\//, '')}`;
}

function notFound(): SimError {
  return new SimError('ParameterNotFound', '', 400);
}

/**
 * SecureString values are stored encrypted; without WithDecryption the API returns the
 * ciphertext (base64), as Parameter Store does.
 */
function shown(p: Parameter, decrypt: boolean): string {
  if (p.type !== 'SecureString' || decrypt) return p.value;
  return Buffer.from(`AQICAH${p.keyId ?? 'alias/aws/ssm'}:${p.value}`).toString('base64');
}

function wire(ctx: Ctx, p: Parameter, decrypt: boolean) {
  return {
    Name: p.name,
    Type: p.type,
    Value: shown(p, decrypt),
    Version: p.version,
    LastModifiedDate: new Date(p.lastModifiedDate),
    ARN: arnOf(ctx, p.name),
    DataType: 'text',
  };
}

async function readable(ctx: Ctx, name: string, action: string): Promise<Parameter | undefined> {
  await ctx.authorize(action, arnOf(ctx, name));
  return params(ctx)[name];
}

const operations: Record<string, OperationDef<SsmState>> = {
  PutParameter: {
    auth: 'handler',
    async handler(ctx) {
      const name = bodyString(ctx.body.Name);
      if (!name)
        throw new SimError(
          'ValidationException',
          "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
          400,
        );
      await ctx.authorize('ssm:PutParameter', arnOf(ctx, name));
      const existing = params(ctx)[name];
      if (existing && ctx.body.Overwrite !== true) {
        throw new SimError(
          'ParameterAlreadyExists',
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          400,
        );
      }
      const type = (bodyString(ctx.body.Type) || existing?.type || 'String') as Parameter['type'];
      const p: Parameter = {
        name,
        type,
        value: bodyString(ctx.body.Value),
        version: (existing?.version ?? 0) + 1,
        lastModifiedDate: ctx.sim.nowIso(),
        lastModifiedUser: ctx.caller.arn,
        description: bodyString(ctx.body.Description) || existing?.description,
        keyId: type === 'SecureString' ? bodyString(ctx.body.KeyId) || 'alias/aws/ssm' : undefined,
        tier: bodyString(ctx.body.Tier) || 'Standard',
      };
      params(ctx)[name] = p;
      // CloudTrail hides parameter values (all types) as HIDDEN_DUE_TO_SECURITY_REASONS.
      ctx.trail.requestParameters = {
        name,
        type,
        ...(ctx.body.Overwrite !== undefined ? { overwrite: ctx.body.Overwrite } : {}),
        value: 'HIDDEN_DUE_TO_SECURITY_REASONS',
        ...(p.keyId ? { keyId: p.keyId } : {}),
      };
      return { Version: p.version, Tier: p.tier };
    },
  },
  GetParameter: {
    auth: 'handler',
    async handler(ctx) {
      const name = bodyString(ctx.body.Name);
      const p = await readable(ctx, name, 'ssm:GetParameter');
      if (!p) throw notFound();
      return { Parameter: wire(ctx, p, ctx.body.WithDecryption === true) };
    },
  },
  GetParameters: {
    auth: 'handler',
    async handler(ctx) {
      const names = Array.isArray(ctx.body.Names) ? ctx.body.Names.map(bodyString) : [];
      const found = [];
      const invalid = [];
      for (const name of names) {
        const p = await readable(ctx, name, 'ssm:GetParameters');
        if (p) found.push(wire(ctx, p, ctx.body.WithDecryption === true));
        else invalid.push(name);
      }
      return { Parameters: found, InvalidParameters: invalid };
    },
  },
  GetParametersByPath: {
    auth: 'handler',
    async handler(ctx) {
      const path = bodyString(ctx.body.Path);
      await ctx.authorize('ssm:GetParametersByPath', arnOf(ctx, path));
      const prefix = path.endsWith('/') ? path : `${path}/`;
      const recursive = ctx.body.Recursive === true;
      const list = Object.values(params(ctx))
        .filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => wire(ctx, p, ctx.body.WithDecryption === true));
      return { Parameters: list };
    },
  },
  DescribeParameters: {
    handler(ctx) {
      const list = Object.values(params(ctx))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => ({
          Name: p.name,
          ARN: arnOf(ctx, p.name),
          Type: p.type,
          KeyId: p.keyId,
          LastModifiedDate: new Date(p.lastModifiedDate),
          LastModifiedUser: p.lastModifiedUser,
          Description: p.description,
          Version: p.version,
          Tier: p.tier,
          Policies: [],
          DataType: 'text',
        }));
      return { Parameters: list };
    },
  },
  DeleteParameter: {
    auth: 'handler',
    async handler(ctx) {
      const name = bodyString(ctx.body.Name);
      const p = await readable(ctx, name, 'ssm:DeleteParameter');
      if (!p) throw notFound();
      delete params(ctx)[name];
      return {};
    },
  },
  ...documentOps,
};

/** SSM (awsJson1.1, API 2014-11-06): Parameter Store, documents and State Manager associations. */
export const ssmService = defineService<SsmState>({
  signingName: 'ssm',
  protocol: 'json',
  targetPrefix: 'AmazonSSM',
  eventSource: 'ssm.amazonaws.com',
  apiVersion: '2014-11-06',
  endpointHost: (region) => `ssm.${region}.amazonaws.com`,
  initState: () => ({ regions: {} }),
  operations,
});
