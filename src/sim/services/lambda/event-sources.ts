import { SimError } from '../../core/errors.js';
import { respond } from '../../core/http.js';
import { bodyString } from '../../core/params.js';
import type { OperationDef } from '../../core/service.js';
import {
  functionName,
  getFunction,
  page,
  regionOf,
  type EventSourceMapping,
  type LambdaCtx,
  type LambdaState,
} from './model.js';

type Op = OperationDef<LambdaState>;

/** Default batch sizes by source (Lambda DG, "Event source mappings"): SQS 10, streams 100. */
function defaultBatch(sourceArn: string): number {
  return sourceArn.startsWith('arn:aws:sqs:') ? 10 : 100;
}

function mappingsOf(ctx: LambdaCtx): Record<string, EventSourceMapping> {
  return (regionOf(ctx.state, ctx.region).eventSourceMappings ??= {});
}

const mappingArn = (ctx: LambdaCtx, m: EventSourceMapping): string =>
  `arn:aws:lambda:${ctx.region}:${ctx.caller.accountId}:event-source-mapping:${m.uuid}`;

function mappingShape(ctx: LambdaCtx, m: EventSourceMapping, state?: string) {
  return {
    UUID: m.uuid,
    StartingPosition: m.startingPosition,
    BatchSize: m.batchSize,
    MaximumBatchingWindowInSeconds: 0,
    EventSourceArn: m.eventSourceArn,
    FunctionArn: m.functionArn,
    LastModified: new Date(m.lastModified),
    LastProcessingResult: m.eventSourceArn.startsWith('arn:aws:sqs:') ? undefined : 'No records processed',
    State: state ?? (m.enabled ? 'Enabled' : 'Disabled'),
    StateTransitionReason: 'USER_INITIATED',
    FunctionResponseTypes: [],
    EventSourceMappingArn: mappingArn(ctx, m),
  };
}

function find(ctx: LambdaCtx): EventSourceMapping {
  const uuid = ctx.pathParams.UUID ?? '';
  const m = mappingsOf(ctx)[uuid];
  if (!m)
    throw new SimError('ResourceNotFoundException', 'The resource you requested does not exist.', 404, {
      Message: 'The resource you requested does not exist.',
    });
  return m;
}

/** Event source mappings (API 2015-03-31): the queues and streams that invoke a function. */
export const eventSourceOps: Record<string, Op> = {
  CreateEventSourceMapping: {
    http: 'POST /2015-03-31/event-source-mappings',
    eventName: 'CreateEventSourceMapping20150331',
    auth: 'handler',
    async handler(ctx) {
      const fn = getFunction(ctx, bodyString(ctx.body.FunctionName));
      await ctx.authorize('lambda:CreateEventSourceMapping', fn.arn);
      const source = bodyString(ctx.body.EventSourceArn);
      if (!/^arn:aws:(sqs|kinesis|dynamodb|kafka|mq|docdb):/.test(source))
        throw new SimError('InvalidParameterValueException', 'Unrecognized event source.', 400);
      if (Object.values(mappingsOf(ctx)).some((m) => m.eventSourceArn === source && m.functionArn === fn.arn))
        throw new SimError(
          'ResourceConflictException',
          `An event source mapping with event source (${source}) and function (${fn.name}) already exists.`,
          409,
        );
      const mapping: EventSourceMapping = {
        uuid: ctx.sim.ids.uuid(),
        eventSourceArn: source,
        functionArn: fn.arn,
        batchSize: typeof ctx.body.BatchSize === 'number' ? ctx.body.BatchSize : defaultBatch(source),
        enabled: ctx.body.Enabled !== false,
        ...(ctx.body.StartingPosition ? { startingPosition: bodyString(ctx.body.StartingPosition) } : {}),
        lastModified: ctx.sim.nowIso(),
      };
      mappingsOf(ctx)[mapping.uuid] = mapping;
      return respond({ status: 202, body: mappingShape(ctx, mapping, 'Creating') });
    },
  },
  ListEventSourceMappings: {
    http: 'GET /2015-03-31/event-source-mappings',
    eventName: 'ListEventSourceMappings20150331',
    handler(ctx) {
      const source = ctx.params.get('EventSourceArn');
      const fn = ctx.params.get('FunctionName');
      const all = Object.values(mappingsOf(ctx)).filter(
        (m) =>
          (source === undefined || m.eventSourceArn === source) &&
          (fn === undefined || m.functionArn.endsWith(`:function:${functionName(fn)}`)),
      );
      const { items, NextMarker } = page(all, ctx.params.get('Marker'), ctx.params.int('MaxItems'), 100);
      return { EventSourceMappings: items.map((m) => mappingShape(ctx, m)), NextMarker };
    },
  },
  GetEventSourceMapping: {
    http: 'GET /2015-03-31/event-source-mappings/{UUID}',
    eventName: 'GetEventSourceMapping20150331',
    auth: 'handler',
    async handler(ctx) {
      const m = find(ctx);
      await ctx.authorize('lambda:GetEventSourceMapping', mappingArn(ctx, m));
      return mappingShape(ctx, m);
    },
  },
  UpdateEventSourceMapping: {
    http: 'PUT /2015-03-31/event-source-mappings/{UUID}',
    eventName: 'UpdateEventSourceMapping20150331',
    auth: 'handler',
    async handler(ctx) {
      const m = find(ctx);
      await ctx.authorize('lambda:UpdateEventSourceMapping', mappingArn(ctx, m));
      if (typeof ctx.body.Enabled === 'boolean') m.enabled = ctx.body.Enabled;
      if (typeof ctx.body.BatchSize === 'number') m.batchSize = ctx.body.BatchSize;
      if (ctx.body.FunctionName !== undefined)
        m.functionArn = getFunction(ctx, bodyString(ctx.body.FunctionName)).arn;
      m.lastModified = ctx.sim.nowIso();
      return respond({ status: 202, body: mappingShape(ctx, m, 'Updating') });
    },
  },
  DeleteEventSourceMapping: {
    http: 'DELETE /2015-03-31/event-source-mappings/{UUID}',
    eventName: 'DeleteEventSourceMapping20150331',
    auth: 'handler',
    async handler(ctx) {
      const m = find(ctx);
      await ctx.authorize('lambda:DeleteEventSourceMapping', mappingArn(ctx, m));
      delete mappingsOf(ctx)[m.uuid];
      return respond({ status: 202, body: mappingShape(ctx, m, 'Deleting') });
    },
  },
};
