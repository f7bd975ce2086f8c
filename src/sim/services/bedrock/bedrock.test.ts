import {
  BedrockClient,
  CreateFoundationModelAgreementCommand,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetFoundationModelAvailabilityCommand,
  GetModelInvocationLoggingConfigurationCommand,
  ListFoundationModelAgreementOffersCommand,
  ListFoundationModelsCommand,
  PutModelInvocationLoggingConfigurationCommand,
  PutUseCaseForModelAccessCommand,
} from '@aws-sdk/client-bedrock';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import { runShell, sdkConfig, type Creds } from '../../test-support/aws.js';
import { createUserWithKey } from '../iam/entities.js';
import { bedrockState } from './index.js';

const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const TITAN = 'amazon.titan-text-express-v1';

let sim: RunningSim;
let admin: Creds;
let noBedrock: Creds;
let denied: Creds;

const control = (creds: Creds, region = 'us-east-1') => new BedrockClient(sdkConfig(sim, creds, region));
// The client defaults to HTTP/2 (Bedrock Runtime's endpoints speak it); the simulated account serves
// HTTP/1.1, which the SDK's own Node handler speaks.
const runtime = (creds: Creds, region = 'us-east-1') =>
  new BedrockRuntimeClient({ ...sdkConfig(sim, creds, region), requestHandler: new NodeHttpHandler() });
const records = (name: string) =>
  sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events.filter((e) => e.eventName === name);
const claudeBody = (text: string, maxTokens: number | null = 300) =>
  JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    ...(maxTokens === null ? {} : { max_tokens: maxTokens }),
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  });
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => ({ name: 'none', message: '' }),
    (e: Error) => ({ name: e.name, message: e.message }),
  );

beforeAll(async () => {
  sim = await startSim({
    seed: 11,
    clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }),
    lookupEventsPerSecond: 100,
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'ml-admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  noBedrock = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'reader', {
    inlinePolicies: {
      s3: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
    },
  }).key;
  denied = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'quarantined', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    inlinePolicies: {
      deny: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'bedrock:*', Resource: '*' }] },
    },
  }).key;
  await new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: 'acme-bedrock-logs' }),
  );
});
afterAll(async () => {
  await sim.stop();
});

describe('simulated Bedrock (control plane, SDK v3)', () => {
  it('lists the models of a Bedrock region, filtered by provider; none where Bedrock is not served', async () => {
    const all = await control(admin).send(new ListFoundationModelsCommand({}));
    expect(all.modelSummaries?.map((m) => m.modelId)).toContain(SONNET);
    expect(all.modelSummaries?.[0]?.modelArn).toMatch(/^arn:aws:bedrock:us-east-1::foundation-model\//);
    const anthropic = await control(admin).send(new ListFoundationModelsCommand({ byProvider: 'anthropic' }));
    expect(new Set(anthropic.modelSummaries?.map((m) => m.providerName))).toEqual(new Set(['Anthropic']));
    const north = await control(admin, 'eu-north-1').send(new ListFoundationModelsCommand({}));
    expect(north.modelSummaries).toEqual([]);
    const bad = await rejection(
      control(admin).send(new ListFoundationModelsCommand({ byOutputModality: 'SMELL' as 'TEXT' })),
    );
    expect(bad.name).toBe('ValidationException');
  });

  it('reads a model NOT_AUTHORIZED until its offer is accepted, then AUTHORIZED in that region only', async () => {
    const before = await control(admin).send(new GetFoundationModelAvailabilityCommand({ modelId: SONNET }));
    expect(before).toMatchObject({ authorizationStatus: 'NOT_AUTHORIZED', regionAvailability: 'AVAILABLE' });
    await control(admin).send(
      new PutUseCaseForModelAccessCommand({ formData: Buffer.from(JSON.stringify({ companyName: 'Acme' })) }),
    );
    const offers = await control(admin).send(
      new ListFoundationModelAgreementOffersCommand({ modelId: SONNET }),
    );
    const token = offers.offers?.[0]?.offerToken ?? '';
    const wrong = await rejection(
      control(admin).send(new CreateFoundationModelAgreementCommand({ modelId: SONNET, offerToken: 'nope' })),
    );
    expect(wrong.name).toBe('ValidationException');
    const created = await control(admin).send(
      new CreateFoundationModelAgreementCommand({ modelId: SONNET, offerToken: token }),
    );
    expect(created.modelId).toBe(SONNET);
    const after = await control(admin).send(new GetFoundationModelAvailabilityCommand({ modelId: SONNET }));
    expect(after).toMatchObject({
      authorizationStatus: 'AUTHORIZED',
      agreementAvailability: { status: 'AVAILABLE' },
    });
    const elsewhere = await control(admin, 'eu-west-1').send(
      new GetFoundationModelAvailabilityCommand({ modelId: SONNET }),
    );
    expect(elsewhere.authorizationStatus).toBe('NOT_AUTHORIZED');
    const unknown = await rejection(
      control(admin).send(new GetFoundationModelAvailabilityCommand({ modelId: 'acme.nothing-v1' })),
    );
    expect(unknown).toEqual({
      name: 'ValidationException',
      message: 'The provided model identifier is invalid.',
    });
  });

  it('puts, reads and deletes the invocation logging configuration; refuses a bucket it cannot find', async () => {
    const loggingConfig = {
      s3Config: { bucketName: 'acme-bedrock-logs', keyPrefix: 'bedrock' },
      textDataDeliveryEnabled: true,
    };
    await control(admin).send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig }));
    const read = await control(admin).send(new GetModelInvocationLoggingConfigurationCommand({}));
    expect(read.loggingConfig).toMatchObject(loggingConfig);
    const missing = await rejection(
      control(admin).send(
        new PutModelInvocationLoggingConfigurationCommand({
          loggingConfig: { s3Config: { bucketName: 'not-ours' } },
        }),
      ),
    );
    expect(missing.name).toBe('ValidationException');
    await control(admin, 'eu-west-1').send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    expect(
      (await control(admin).send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig,
    ).toBeDefined();
  });
});

describe('simulated Bedrock Runtime (SDK v3)', () => {
  it('answers InvokeModel in the provider format with token counts, and logs it to the bucket', async () => {
    const out = await runtime(admin).send(
      new InvokeModelCommand({
        modelId: SONNET,
        contentType: 'application/json',
        body: claudeBody('Write a haiku about keys'),
      }),
    );
    const body = JSON.parse(Buffer.from(out.body).toString('utf8')) as {
      content: { text: string }[];
      usage: { input_tokens: number; output_tokens: number };
    };
    expect(body.usage.input_tokens).toBeGreaterThan(0);
    expect(body.usage.output_tokens).toBeGreaterThanOrEqual(75);
    expect(body.usage.output_tokens).toBeLessThanOrEqual(300);
    expect(body.content[0]?.text.length).toBe(body.usage.output_tokens * 4);
    const calls = bedrockState(sim.state, VICTIM_ACCOUNT).invocations;
    expect(calls.at(-1)).toMatchObject({
      modelId: SONNET,
      region: 'us-east-1',
      outputTokens: body.usage.output_tokens,
    });
    const logs = await new S3Client({ ...sdkConfig(sim, admin), forcePathStyle: true }).send(
      new ListObjectsV2Command({ Bucket: 'acme-bedrock-logs', Prefix: 'bedrock/AWSLogs/' }),
    );
    expect(logs.Contents?.map((o) => o.Key)).toContain(
      `bedrock/AWSLogs/${VICTIM_ACCOUNT}/BedrockModelInvocationLogs/us-east-1/2026/11/20/12/${calls.at(-1)!.requestId}.json`,
    );
  });

  it('refuses bad bodies, unknown models and models without access with the errors Bedrock gives', async () => {
    const client = runtime(admin);
    const noMax = await rejection(
      client.send(new InvokeModelCommand({ modelId: SONNET, body: claudeBody('hi', null) })),
    );
    expect(noMax.name).toBe('ValidationException');
    expect(noMax.message).toContain('required key [max_tokens] not found');
    const tooMany = await rejection(
      client.send(new InvokeModelCommand({ modelId: SONNET, body: claudeBody('hi', 100_000) })),
    );
    expect(tooMany.name).toBe('ValidationException');
    const unknown = await rejection(
      client.send(new InvokeModelCommand({ modelId: 'acme.nothing-v1', body: '{}' })),
    );
    expect(unknown.name).toBe('ValidationException');
    const opus = await rejection(
      client.send(
        new InvokeModelCommand({ modelId: 'anthropic.claude-3-opus-20240229-v1:0', body: claudeBody('hi') }),
      ),
    );
    expect(opus).toEqual({
      name: 'AccessDeniedException',
      message: "You don't have access to the model with the specified model ID.",
    });
    const empty = await rejection(client.send(new ConverseCommand({ modelId: SONNET, messages: [] })));
    expect(empty.name).toBe('ValidationException');
  });

  it('authorizes through IAM: no bedrock permission and an explicit deny are both AccessDenied', async () => {
    for (const creds of [noBedrock, denied]) {
      const r = await rejection(
        runtime(creds).send(new InvokeModelCommand({ modelId: SONNET, body: claudeBody('hi') })),
      );
      expect(r.name).toBe('AccessDeniedException');
      expect(r.message).toContain('bedrock:InvokeModel');
      const l = await rejection(control(creds).send(new ListFoundationModelsCommand({})));
      expect(l.name).toBe('AccessDeniedException');
    }
  });

  it('answers Converse with usage, and streams InvokeModelWithResponseStream as event-stream chunks', async () => {
    const conv = await runtime(admin).send(
      new ConverseCommand({
        modelId: TITAN,
        messages: [{ role: 'user', content: [{ text: 'Summarise the incident' }] }],
        inferenceConfig: { maxTokens: 200 },
      }),
    );
    expect(conv.usage?.totalTokens).toBe((conv.usage?.inputTokens ?? 0) + (conv.usage?.outputTokens ?? 0));
    expect(conv.output?.message?.content?.[0]?.text?.length).toBe((conv.usage?.outputTokens ?? 0) * 4);
    const stream = await runtime(admin).send(
      new InvokeModelWithResponseStreamCommand({ modelId: SONNET, body: claudeBody('stream please', 120) }),
    );
    const types: string[] = [];
    let text = '';
    for await (const event of stream.body ?? []) {
      const chunk = JSON.parse(Buffer.from(event.chunk?.bytes ?? new Uint8Array()).toString('utf8')) as {
        type: string;
        delta?: { text?: string };
      };
      types.push(chunk.type);
      text += chunk.delta?.text ?? '';
    }
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(text.length).toBe(bedrockState(sim.state, VICTIM_ACCOUNT).invocations.at(-1)!.outputTokens * 4);
  });

  it('records model calls as management events of bedrock.amazonaws.com with the model id only', () => {
    const invoke = records('InvokeModel').find((e) => !e.errorCode)!;
    expect(invoke).toMatchObject({
      eventSource: 'bedrock.amazonaws.com',
      requestParameters: { modelId: SONNET },
      responseElements: null,
      readOnly: false,
      managementEvent: true,
      eventCategory: 'Management',
      tlsDetails: { clientProvidedHostHeader: 'bedrock-runtime.us-east-1.amazonaws.com' },
    });
    expect(JSON.stringify(records('InvokeModel'))).not.toContain('haiku about keys');
    expect(records('Converse').find((e) => !e.errorCode)?.requestParameters).toEqual({ modelId: TITAN });
    expect(records('DeleteModelInvocationLoggingConfiguration')[0]).toMatchObject({
      awsRegion: 'eu-west-1',
      readOnly: false,
      tlsDetails: { clientProvidedHostHeader: 'bedrock.eu-west-1.amazonaws.com' },
    });
    expect(records('ListFoundationModels')[0]?.readOnly).toBe(true);
    const refused = records('InvokeModel').filter((e) => e.errorCode);
    expect(refused.map((e) => e.errorCode)).toContain('AccessDeniedException');
  });
});

describe('the AWS CLI v1 (botocore 1.43) against simulated Bedrock', () => {
  it('lists models, reads logging and converses through bedrock and bedrock-runtime', async () => {
    const cli = 'python3 -m awscli --endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 --output json';
    const r = await runShell(
      sim,
      admin,
      `${cli} bedrock list-foundation-models --by-provider Anthropic --query 'modelSummaries[].modelId' && ` +
        `${cli} bedrock get-model-invocation-logging-configuration --query loggingConfig.s3Config.bucketName && ` +
        `${cli} bedrock-runtime converse --model-id ${SONNET} --messages '[{"role":"user","content":[{"text":"hello"}]}]' --inference-config maxTokens=50 --query usage.outputTokens && ` +
        `${cli} bedrock-runtime invoke-model --model-id ${SONNET} --body '${claudeBody('hi', 40)}' out.json >/dev/null && jq .usage.output_tokens out.json && ` +
        `${cli} bedrock-runtime invoke-model --model-id ${SONNET} --body '{"anthropic_version":"bedrock-2023-05-31"}' bad.json; echo "exit $?"`,
    );
    const lines = r.stdout.split('\n');
    expect(JSON.parse(r.stdout.slice(0, r.stdout.indexOf(']') + 1))).toContain(SONNET);
    expect(lines).toContain('"acme-bedrock-logs"');
    const numbers = lines.filter((l) => /^\d+$/.test(l)).map(Number);
    expect(numbers, r.stdout + r.stderr).toHaveLength(2);
    expect(numbers[0]).toBeLessThanOrEqual(50);
    expect(numbers[1]).toBeLessThanOrEqual(40);
    expect(r.stderr).toContain('ValidationException');
    expect(r.stdout).toContain('exit 255');
  });
});
