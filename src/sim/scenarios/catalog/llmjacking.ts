import { modelById } from '../../services/bedrock/models.js';
import type { ScenarioDef, Step, TimelineItem, Vars } from '../types.js';
import { HOUR, MIN, attackerStep, stepBy } from './steps.js';

const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const OPUS = 'anthropic.claude-3-opus-20240229-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
/** The account's own, legitimate use: Claude 3 Haiku in us-east-1, invocations logged to this bucket. */
const LOG_BUCKET = 'acme-bedrock-logs';
const DAY = 24 * HOUR;

/** Regions the attacker's script asks about (every region with Bedrock it knows, and two without). */
export const PROBED_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-3',
  'eu-north-1',
  'ap-northeast-1',
  'ap-southeast-1',
  'ap-southeast-2',
];

/** Where the attacker unlocks a model and sells it through a reverse proxy. */
export const ABUSED = [
  { region: 'us-east-1', modelId: SONNET, op: 'InvokeModel', calls: 70 },
  { region: 'us-west-2', modelId: SONNET, op: 'Converse', calls: 60 },
  { region: 'us-west-2', modelId: OPUS, op: 'InvokeModel', calls: 40 },
  { region: 'eu-central-1', modelId: SONNET, op: 'InvokeModelWithResponseStream', calls: 50 },
] as const;

const admin = stepBy('admin');

/** A role-play context of a stable length: what proxy users send, far longer than a question. */
function context(i: number): string {
  const size = 6_000 + ((i * 7919) % 30_000);
  return `You are Seraphine, a character in an ongoing story. Story so far: ${'The caravan crossed the dunes at night. '.repeat(Math.ceil(size / 40))}`.slice(
    0,
    size,
  );
}

function body(modelId: string, i: number, maxTokens: number): Record<string, unknown> {
  return {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: maxTokens,
    system: context(i),
    messages: [{ role: 'user', content: [{ type: 'text', text: `Continue the scene, part ${i}.` }] }],
    ...(modelId === OPUS ? { temperature: 0.9 } : {}),
  };
}

/** One call through the proxy, in the operation's own input shape. */
function invocation(at: number, a: (typeof ABUSED)[number], i: number): Step {
  const max = Math.min(modelById(a.modelId)!.maxOutputTokens, 1_000 + ((i * 613) % 3_000));
  const input =
    a.op === 'Converse'
      ? {
          modelId: a.modelId,
          system: [{ text: context(i) }],
          messages: [{ role: 'user', content: [{ text: `Continue the scene, part ${i}.` }] }],
          inferenceConfig: { maxTokens: max },
        }
      : {
          modelId: a.modelId,
          contentType: 'application/json',
          body: JSON.stringify(body(a.modelId, i, max)),
        };
  return { at, actor: 'proxy', service: 'bedrock-runtime', region: a.region, op: a.op, input };
}

/** The account's own Bedrock, ten days before: a bucket, invocation logging into it, Haiku unlocked. */
const SET_UP: Step[] = [
  admin(-10 * DAY, 's3', 'CreateBucket', { Bucket: LOG_BUCKET }),
  admin(-10 * DAY + MIN, 'bedrock', 'PutModelInvocationLoggingConfiguration', {
    loggingConfig: {
      s3Config: { bucketName: LOG_BUCKET, keyPrefix: 'invocations' },
      textDataDeliveryEnabled: true,
    },
  }),
  admin(
    -10 * DAY + 2 * MIN,
    'bedrock',
    'ListFoundationModelAgreementOffers',
    { modelId: HAIKU },
    {
      save: (out, v) => (v.haikuOffer = (out.offers as { offerToken: string }[])[0]!.offerToken),
    },
  ),
  admin(-10 * DAY + 3 * MIN, 'bedrock', 'CreateFoundationModelAgreement', (v: Vars) => ({
    modelId: HAIKU,
    offerToken: v.haikuOffer,
  })),
];

/** Which regions serve the model and whether the key may call it, asked of every region. */
const PROBING: Step[] = [
  attackerStep(0, 'sts', 'GetCallerIdentity', {}),
  attackerStep(20_000, 'bedrock', 'GetModelInvocationLoggingConfiguration', {}),
  ...PROBED_REGIONS.flatMap((region, i) => [
    attackerStep(
      MIN + i * 10_000,
      'bedrock',
      'GetFoundationModelAvailability',
      { modelId: SONNET },
      { region },
    ),
  ]),
  attackerStep(3 * MIN, 'bedrock', 'ListFoundationModels', { byProvider: 'Anthropic' }),
  attackerStep(
    3 * MIN + 10_000,
    'bedrock',
    'ListFoundationModels',
    { byProvider: 'Anthropic' },
    { region: 'us-west-2' },
  ),
  // A malformed call costs nothing and answers the real question: ValidationException means the
  // key may call the model, AccessDeniedException that it may not (yet).
  attackerStep(
    3 * MIN + 30_000,
    'bedrock-runtime',
    'InvokeModel',
    {
      modelId: HAIKU,
      body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: -1, messages: [] }),
    },
    { expectError: 'ValidationException' },
  ),
  attackerStep(
    3 * MIN + 40_000,
    'bedrock-runtime',
    'InvokeModel',
    {
      modelId: SONNET,
      body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: -1, messages: [] }),
    },
    { expectError: 'AccessDeniedException' },
  ),
];

/** Logging off first, so the prompts the proxy relays are never written anywhere. */
const EVASION: Step[] = [
  attackerStep(
    5 * MIN,
    'bedrock',
    'DeleteModelInvocationLoggingConfiguration',
    {},
    {
      truth: {
        modified: [
          {
            type: 'AWS::Bedrock::ModelInvocationLoggingConfiguration',
            id: 'us-east-1',
            region: 'us-east-1',
            detail: `invocation logging to s3://${LOG_BUCKET}/invocations deleted`,
          },
        ],
        clean: [{ check: 'bedrockLoggingOn', region: 'us-east-1' }],
      },
    },
  ),
];

/** The use-case form, then the offers of the models the proxy sells, accepted region by region. */
const UNLOCK: Step[] = [
  attackerStep(6 * MIN, 'bedrock', 'PutUseCaseForModelAccess', {
    formData: Buffer.from(
      JSON.stringify({
        companyName: 'Nimbus Analytics',
        companyWebsite: 'https://nimbus-analytics.io',
        intendedUsers: '0',
        industryOption: 'Technology',
        useCases: 'Internal chatbot for customer support',
      }),
    ),
  }),
  ...[...new Map(ABUSED.map((a) => [`${a.region}|${a.modelId}`, a])).values()].flatMap((a, i): Step[] => {
    const offer = `offer:${a.region}:${a.modelId}`;
    return [
      attackerStep(
        7 * MIN + i * MIN,
        'bedrock',
        'ListFoundationModelAgreementOffers',
        { modelId: a.modelId },
        {
          region: a.region,
          save: (out, v) => (v[offer] = (out.offers as { offerToken: string }[])[0]!.offerToken),
        },
      ),
      attackerStep(
        7 * MIN + i * MIN + 20_000,
        'bedrock',
        'CreateFoundationModelAgreement',
        (v: Vars) => ({ modelId: a.modelId, offerToken: v[offer] }),
        {
          region: a.region,
          truth: {
            created: [
              {
                type: 'AWS::Bedrock::FoundationModelAgreement',
                id: a.modelId,
                region: a.region,
                detail: 'model unlocked for the proxy',
              },
            ],
          },
        },
      ),
    ];
  }),
];

/** Hours of proxied model calls, the four streams interleaved. */
function traffic(): TimelineItem[] {
  const start = 15 * MIN;
  const span = 7 * HOUR;
  return ABUSED.flatMap((a, k) =>
    Array.from({ length: a.calls }, (_, i) =>
      invocation(start + k * 7_000 + Math.floor((i * span) / a.calls), a, i + k * 1000),
    ),
  );
}

/**
 * LLMjacking: the leaked key is tried against Bedrock in every region, invocation logging is
 * deleted, Claude models are unlocked in three regions, and a reverse proxy resells them for
 * hours: hundreds of large-context calls billed to the account.
 */
export const llmjacking: ScenarioDef = {
  name: 'llmjacking',
  summary:
    'leaked key → Bedrock availability probed in 12 regions → invocation logging deleted → Claude unlocked in 3 regions → 220 proxied model calls for 7 h, tokens and cost in the truth',
  attackStartsBeforeEnd: 8 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '194.26.29.120',
      userAgent:
        'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84',
    },
    {
      name: 'proxy',
      kind: 'attacker',
      ip: '91.92.243.17',
      userAgent:
        'aws-sdk-js/3.614.0 ua/2.1 os/linux#5.15.0-113-generic lang/js md/nodejs#20.15.1 api/bedrock-runtime#3.614.0 m/E',
    },
  ],
  steps: [...SET_UP, ...PROBING, ...EVASION, ...UNLOCK, ...traffic()],
};
