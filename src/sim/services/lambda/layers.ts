import { SimError } from '../../core/errors.js';
import { respond } from '../../core/http.js';
import { bodyString } from '../../core/params.js';
import type { OperationDef } from '../../core/service.js';
import {
  lambdaTime,
  page,
  refuseTakenSid,
  regionOf,
  withoutSid,
  sha256Base64,
  type LambdaCtx,
  type LambdaState,
  type LayerStatement,
  type LayerVersion,
} from './model.js';

type Op = OperationDef<LambdaState>;

const layerArnOf = (ctx: LambdaCtx, name: string): string =>
  `arn:aws:lambda:${ctx.region}:${ctx.caller.accountId}:layer:${name}`;

function layerShape(v: LayerVersion) {
  return {
    Content: { CodeSha256: v.codeSha256, CodeSize: v.codeSize },
    LayerArn: v.layerArn,
    LayerVersionArn: `${v.layerArn}:${v.version}`,
    Description: v.description,
    CreatedDate: lambdaTime(v.createdDate),
    Version: v.version,
    CompatibleRuntimes: v.compatibleRuntimes,
  };
}

/** The layer version the path names, after checking `action` on its ARN; 404 as Lambda answers. */
async function versionFor(ctx: LambdaCtx, action: string): Promise<LayerVersion> {
  const name = ctx.pathParams.LayerName ?? '';
  const number = Number(ctx.pathParams.VersionNumber);
  const arn = `${layerArnOf(ctx, name)}:${number}`;
  await ctx.authorize(action, arn);
  const found = regionOf(ctx.state, ctx.region).layers[name]?.find((v) => v.version === number);
  if (!found)
    throw new SimError('ResourceNotFoundException', 'The resource you requested does not exist.', 404, {
      Message: 'The resource you requested does not exist.',
    });
  return found;
}

function layerPolicy(v: LayerVersion): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: v.policy ?? [] });
}

/** Layers (API 2018-10-31): publish, list, read, share by policy, delete. */
export const layerOps: Record<string, Op> = {
  PublishLayerVersion: {
    http: 'POST /2018-10-31/layers/{LayerName}/versions',
    eventName: 'PublishLayerVersion20181031',
    auth: 'handler',
    async handler(ctx) {
      const name = ctx.pathParams.LayerName ?? '';
      const layerArn = layerArnOf(ctx, name);
      await ctx.authorize('lambda:PublishLayerVersion', layerArn);
      const zip = Buffer.from(
        bodyString((ctx.body.Content as { ZipFile?: unknown } | undefined)?.ZipFile),
        'base64',
      );
      const region = regionOf(ctx.state, ctx.region);
      const versions = (region.layers[name] ??= []);
      const counters = (region.layerCounters ??= {});
      const number = Math.max(counters[name] ?? 0, ...versions.map((x) => x.version)) + 1;
      counters[name] = number;
      const v: LayerVersion = {
        layerArn,
        version: number,
        description: bodyString(ctx.body.Description),
        codeSha256: sha256Base64(zip),
        codeSize: zip.length,
        createdDate: ctx.sim.nowIso(),
        compatibleRuntimes: Array.isArray(ctx.body.CompatibleRuntimes)
          ? ctx.body.CompatibleRuntimes.map(bodyString)
          : [],
      };
      versions.push(v);
      ctx.trail.requestParameters = {
        layerName: name,
        description: v.description,
        content: {},
        compatibleRuntimes: v.compatibleRuntimes,
      };
      return respond({ status: 201, body: layerShape(v) });
    },
  },
  ListLayers: {
    http: 'GET /2018-10-31/layers',
    eventName: 'ListLayers20181031',
    handler(ctx) {
      const layers = Object.entries(regionOf(ctx.state, ctx.region).layers).filter(([, v]) => v.length);
      const { items, NextMarker } = page(layers, ctx.params.get('Marker'), ctx.params.int('MaxItems'));
      return {
        Layers: items.map(([LayerName, versions]) => ({
          LayerName,
          LayerArn: versions[0]?.layerArn,
          LatestMatchingVersion: layerShape(versions[versions.length - 1]!),
        })),
        NextMarker,
      };
    },
  },
  ListLayerVersions: {
    http: 'GET /2018-10-31/layers/{LayerName}/versions',
    eventName: 'ListLayerVersions20181031',
    handler(ctx) {
      // Newest first, as Lambda lists them.
      const versions = [
        ...(regionOf(ctx.state, ctx.region).layers[ctx.pathParams.LayerName ?? ''] ?? []),
      ].reverse();
      const { items, NextMarker } = page(versions, ctx.params.get('Marker'), ctx.params.int('MaxItems'));
      return {
        LayerVersions: items.map((v) => ({ ...layerShape(v), Content: undefined, LayerArn: undefined })),
        NextMarker,
      };
    },
  },
  GetLayerVersion: {
    http: 'GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}',
    eventName: 'GetLayerVersion20181031',
    auth: 'handler',
    async handler(ctx) {
      const v = await versionFor(ctx, 'lambda:GetLayerVersion');
      return layerShape(v);
    },
  },
  DeleteLayerVersion: {
    http: 'DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}',
    eventName: 'DeleteLayerVersion20181031',
    auth: 'handler',
    async handler(ctx) {
      const name = ctx.pathParams.LayerName ?? '';
      const number = Number(ctx.pathParams.VersionNumber);
      await ctx.authorize('lambda:DeleteLayerVersion', `${layerArnOf(ctx, name)}:${number}`);
      // Deleting a version that does not exist succeeds (the call is idempotent).
      const layers = regionOf(ctx.state, ctx.region).layers;
      if (layers[name]) layers[name] = layers[name].filter((v) => v.version !== number);
      return respond({ status: 204 });
    },
  },
  AddLayerVersionPermission: {
    http: 'POST /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy',
    eventName: 'AddLayerVersionPermission20181031',
    auth: 'handler',
    async handler(ctx) {
      const v = await versionFor(ctx, 'lambda:AddLayerVersionPermission');
      const sid = bodyString(ctx.body.StatementId);
      const policy = (v.policy ??= []);
      refuseTakenSid(policy, sid);
      const principal = bodyString(ctx.body.Principal);
      if (principal !== '*' && !/^\d{12}$/.test(principal) && !/^arn:aws:iam::\d{12}:root$/.test(principal))
        throw new SimError(
          'ValidationException',
          `1 validation error detected: Value '${principal}' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root`,
          400,
        );
      const statement: LayerStatement = {
        Sid: sid,
        Effect: 'Allow',
        Principal:
          principal === '*'
            ? '*'
            : { AWS: /^\d{12}$/.test(principal) ? `arn:aws:iam::${principal}:root` : principal },
        Action: bodyString(ctx.body.Action),
        Resource: `${v.layerArn}:${v.version}`,
      };
      if (ctx.body.OrganizationId)
        statement.Condition = { StringEquals: { 'aws:PrincipalOrgID': bodyString(ctx.body.OrganizationId) } };
      policy.push(statement);
      v.revisionId = ctx.sim.ids.uuid();
      return respond({
        status: 201,
        body: { Statement: JSON.stringify(statement), RevisionId: v.revisionId },
      });
    },
  },
  GetLayerVersionPolicy: {
    http: 'GET /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy',
    eventName: 'GetLayerVersionPolicy20181031',
    auth: 'handler',
    async handler(ctx) {
      const v = await versionFor(ctx, 'lambda:GetLayerVersionPolicy');
      if (!v.policy?.length)
        throw new SimError(
          'ResourceNotFoundException',
          'No policy is associated with the given resource.',
          404,
        );
      return { Policy: layerPolicy(v), RevisionId: v.revisionId };
    },
  },
  RemoveLayerVersionPermission: {
    http: 'DELETE /2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}',
    eventName: 'RemoveLayerVersionPermission20181031',
    auth: 'handler',
    async handler(ctx) {
      const v = await versionFor(ctx, 'lambda:RemoveLayerVersionPermission');
      v.policy = withoutSid(v.policy ?? [], ctx.pathParams.StatementId ?? '');
      v.revisionId = ctx.sim.ids.uuid();
      return respond({ status: 204 });
    },
  },
};
