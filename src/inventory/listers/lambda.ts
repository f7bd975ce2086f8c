import {
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListLayersCommand,
} from '@aws-sdk/client-lambda';
import { item, parsePolicy, listPages } from '../item.js';
import type { ListContext, ListerDef } from '../types.js';

const lambda = (ctx: ListContext): LambdaClient => ctx.pool.get(LambdaClient, ctx.region);

/** Functions (code hash, role, layers, environment variable NAMES — values may be secrets), their URLs and resource policies; layers; event source mappings. */
export const LAMBDA_LISTERS: ListerDef[] = [
  {
    id: 'lambda.functions',
    service: 'lambda',
    scope: 'regional',
    async list(ctx) {
      const client = lambda(ctx);
      const functions = await listPages(
        ctx,
        'list',
        (t) => client.send(new ListFunctionsCommand({ Marker: t })),
        (o) => [o.Functions, o.NextMarker],
      );
      return Promise.all(
        (functions ?? []).map(async (f) => {
          const FunctionName = f.FunctionName ?? '';
          const [url, policy] = await Promise.all([
            ctx.read('url', () => client.send(new GetFunctionUrlConfigCommand({ FunctionName }))),
            ctx.read('policy', () => client.send(new GetPolicyCommand({ FunctionName }))),
          ]);
          return item(ctx, {
            type: 'AWS::Lambda::Function',
            id: FunctionName,
            name: FunctionName,
            arn: f.FunctionArn,
            data: {
              runtime: f.Runtime,
              role: f.Role,
              handler: f.Handler,
              codeSha256: f.CodeSha256,
              codeSize: f.CodeSize,
              lastModified: f.LastModified,
              layers: (f.Layers ?? []).map((l) => l.Arn),
              environmentNames: Object.keys(f.Environment?.Variables ?? {}).sort(),
              url:
                url === undefined
                  ? undefined
                  : url === null
                    ? null
                    : { url: url.FunctionUrl, authType: url.AuthType },
              policy: policy === undefined ? undefined : parsePolicy(policy?.Policy),
            },
          });
        }),
      );
    },
  },
  {
    id: 'lambda.layers',
    service: 'lambda',
    scope: 'regional',
    async list(ctx) {
      const client = lambda(ctx);
      const layers = await listPages(
        ctx,
        'list',
        (t) => client.send(new ListLayersCommand({ Marker: t })),
        (o) => [o.Layers, o.NextMarker],
      );
      return (layers ?? []).map((l) =>
        item(ctx, {
          type: 'AWS::Lambda::LayerVersion',
          id: l.LatestMatchingVersion?.LayerVersionArn ?? l.LayerArn ?? '',
          name: l.LayerName ?? '',
          arn: l.LatestMatchingVersion?.LayerVersionArn,
          createdAt: l.LatestMatchingVersion?.CreatedDate,
          data: { layerArn: l.LayerArn, version: l.LatestMatchingVersion?.Version },
        }),
      );
    },
  },
  {
    id: 'lambda.event-source-mappings',
    service: 'lambda',
    scope: 'regional',
    async list(ctx) {
      const client = lambda(ctx);
      const mappings = await listPages(
        ctx,
        'list',
        (t) => client.send(new ListEventSourceMappingsCommand({ Marker: t })),
        (o) => [o.EventSourceMappings, o.NextMarker],
      );
      return (mappings ?? []).map((m) =>
        item(ctx, {
          type: 'AWS::Lambda::EventSourceMapping',
          id: m.UUID ?? '',
          name: m.UUID ?? '',
          arn: m.EventSourceMappingArn,
          data: { functionArn: m.FunctionArn, source: m.EventSourceArn, state: m.State },
        }),
      );
    },
  },
];
