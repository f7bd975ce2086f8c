import { EventStreamCodec } from '@smithy/core/event-streams';
import { SimError } from '../../core/errors.js';
import { respond } from '../../core/http.js';
import type { OpContext, OperationDef } from '../../core/service.js';
import { answer, conversePrompt, promptOf, responseBody, type Answer, type Prompt } from './bodies.js';
import { hasAccess, requireModel } from './access.js';
import type { BedrockState, Invocation } from './model.js';
import { BEDROCK_REGIONS, foundationModelArn, type BedrockModel } from './models.js';

type Ctx = OpContext<BedrockState>;

const runtimeHost = (region: string): string => `bedrock-runtime.${region}.amazonaws.com`;

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

/**
 * Authorize and admit a call to the model in the path: the IAM action on the foundation-model ARN,
 * then the model served here, then the account's access to it (agreement accepted).
 */
async function admit(ctx: Ctx, action: string): Promise<BedrockModel> {
  const id = ctx.pathParams.modelId ?? '';
  // CloudTrail records only the model id of a model call, never the prompt (AWS's example record).
  ctx.trail.requestParameters = { modelId: id };
  ctx.trail.responseElements = null;
  await ctx.authorize(action, foundationModelArn(ctx.region, id));
  const model = requireModel(id);
  if (!BEDROCK_REGIONS.includes(ctx.region) || !hasAccess(ctx.state, ctx.region, model)) {
    throw new SimError(
      'AccessDeniedException',
      "You don't have access to the model with the specified model ID.",
      403,
    );
  }
  return model;
}

/** Keep the call for the bill, and deliver its invocation log when logging is on in the region. */
function remember(
  ctx: Ctx,
  model: BedrockModel,
  operation: Invocation['operation'],
  prompt: Prompt,
  a: Answer,
): void {
  const call: Invocation = {
    at: ctx.sim.nowIso(),
    region: ctx.region,
    modelId: model.modelId,
    operation,
    inputTokens: a.inputTokens,
    outputTokens: a.outputTokens,
    accessKeyId: ctx.caller.accessKeyId,
    principalArn: ctx.caller.principalArn,
    sourceIp: ctx.sourceIp,
    requestId: ctx.requestId,
  };
  ctx.state.invocations.push(call);
  const s3 = ctx.state.logging[ctx.region]?.s3Config;
  if (!s3 || !ctx.sim.objectStore) return;
  // Invocation logs land under AWSLogs/<account>/BedrockModelInvocationLogs/<region>/yyyy/mm/dd/hh/
  // (Bedrock user guide, "Monitor model invocation using CloudWatch Logs and Amazon S3").
  const hour = call.at.slice(0, 13).replace(/[-T]/g, '/');
  const prefix = s3.keyPrefix ? `${s3.keyPrefix.replace(/\/$/, '')}/` : '';
  const key = `${prefix}AWSLogs/${ctx.caller.accountId}/BedrockModelInvocationLogs/${ctx.region}/${hour}/${ctx.requestId}.json`;
  const log = {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: call.at,
    accountId: ctx.caller.accountId,
    identity: { arn: ctx.caller.arn },
    region: ctx.region,
    requestId: ctx.requestId,
    operation,
    modelId: model.modelId,
    input: {
      inputTokenCount: a.inputTokens,
      ...(ctx.state.logging[ctx.region]?.textDataDeliveryEnabled
        ? { inputBodyJson: { text: prompt.text } }
        : {}),
    },
    output: { outputTokenCount: a.outputTokens },
  };
  ctx.sim.objectStore.putObject(
    s3.bucketName,
    key,
    Buffer.from(`${JSON.stringify(log)}\n`),
    'application/json',
  );
}

function tokenHeaders(a: Answer): Record<string, string> {
  return {
    'x-amzn-bedrock-input-token-count': String(a.inputTokens),
    'x-amzn-bedrock-output-token-count': String(a.outputTokens),
    'x-amzn-bedrock-invocation-latency': String(200 + a.outputTokens * 10),
  };
}

function eventMessage(payload: Record<string, unknown>): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(payload)).toString('base64');
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: 'chunk' },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: Buffer.from(JSON.stringify({ bytes })),
  });
}

/** The chunks of a streamed answer: Anthropic's message events, else the whole body in one chunk. */
function chunks(model: BedrockModel, a: Answer, id: string): Record<string, unknown>[] {
  const metrics = {
    'amazon-bedrock-invocationMetrics': {
      inputTokenCount: a.inputTokens,
      outputTokenCount: a.outputTokens,
      invocationLatency: 200 + a.outputTokens * 10,
      firstByteLatency: 200,
    },
  };
  if (model.provider !== 'Anthropic') return [{ ...responseBody(model, a, id), ...metrics }];
  const message = responseBody(model, a, id);
  return [
    {
      type: 'message_start',
      message: { ...message, content: [], usage: { input_tokens: a.inputTokens, output_tokens: 1 } },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: a.text } },
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: a.stopReason, stop_sequence: null },
      usage: { output_tokens: a.outputTokens },
    },
    { type: 'message_stop', ...metrics },
  ];
}

/** Admit, read the prompt, run the model and keep the call: the steps every model call shares. */
async function call(
  ctx: Ctx,
  operation: Invocation['operation'],
  read: (model: BedrockModel, body: Record<string, unknown>) => Prompt,
): Promise<{ model: BedrockModel; a: Answer; id: string }> {
  // Converse is authorized as bedrock:InvokeModel (Bedrock API reference, Converse).
  const model = await admit(ctx, operation === 'Converse' ? 'bedrock:InvokeModel' : `bedrock:${operation}`);
  const prompt = read(model, ctx.body);
  const a = answer(model, prompt);
  remember(ctx, model, operation, prompt, a);
  return { model, a, id: ctx.requestId.replace(/-/g, '').slice(0, 24) };
}

/** Bedrock Runtime: model calls, each billed by its tokens and recorded as a management event. */
export const runtimeOperations: Record<string, OperationDef<BedrockState>> = {
  InvokeModel: {
    http: 'POST /model/{modelId}/invoke',
    auth: 'handler',
    endpointHost: runtimeHost,
    async handler(ctx) {
      const { model, a, id } = await call(ctx, 'InvokeModel', promptOf);
      return respond({
        status: 200,
        headers: { 'content-type': 'application/json', ...tokenHeaders(a) },
        body: JSON.stringify(responseBody(model, a, id)),
      });
    },
  },
  InvokeModelWithResponseStream: {
    http: 'POST /model/{modelId}/invoke-with-response-stream',
    auth: 'handler',
    endpointHost: runtimeHost,
    async handler(ctx) {
      const { model, a, id } = await call(ctx, 'InvokeModelWithResponseStream', promptOf);
      return respond({
        status: 200,
        headers: {
          'content-type': 'application/vnd.amazon.eventstream',
          'x-amzn-bedrock-content-type': 'application/json',
        },
        body: Buffer.concat(chunks(model, a, id).map((c) => eventMessage(c))),
      });
    },
  },
  Converse: {
    http: 'POST /model/{modelId}/converse',
    auth: 'handler',
    endpointHost: runtimeHost,
    async handler(ctx) {
      const { a } = await call(ctx, 'Converse', conversePrompt);
      return {
        output: { message: { role: 'assistant', content: [{ text: a.text }] } },
        stopReason: a.stopReason,
        usage: {
          inputTokens: a.inputTokens,
          outputTokens: a.outputTokens,
          totalTokens: a.inputTokens + a.outputTokens,
        },
        metrics: { latencyMs: 200 + a.outputTokens * 10 },
      };
    },
  },
};
