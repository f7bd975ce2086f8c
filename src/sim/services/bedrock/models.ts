import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One text model of the bundled table (`data/bedrock-prices.json`, shared with the report's estimate). */
export interface BedrockModel {
  modelId: string;
  provider: string;
  name: string;
  usdPer1kInput: number;
  usdPer1kOutput: number;
  contextTokens: number;
  maxOutputTokens: number;
}

const TABLE = fileURLToPath(new URL('../../../../data/bedrock-prices.json', import.meta.url));

let cached: BedrockModel[] | undefined;

/** The foundation models the simulated account serves (the priced ones). */
export function bedrockModels(): BedrockModel[] {
  cached ??= (JSON.parse(readFileSync(TABLE, 'utf8')) as { models: BedrockModel[] }).models;
  return cached;
}

/**
 * Regions with Bedrock (a subset of the account's 17 default regions, as the Bedrock user guide's
 * "Supported Regions" page lists them for these models); elsewhere a model reads NOT_AVAILABLE.
 */
export const BEDROCK_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
];

/** Providers whose models need an agreement (a Marketplace offer accepted) before the first call. */
export const AGREEMENT_PROVIDERS = new Set(['Anthropic', 'Meta', 'Mistral AI']);

/** A model by id or by its foundation-model ARN; undefined when the id is not served. */
export function modelById(id: string): BedrockModel | undefined {
  const bare = id.startsWith('arn:') ? id.slice(id.lastIndexOf('/') + 1) : id;
  return bedrockModels().find((m) => m.modelId === bare);
}

/** The ARN of a foundation model in a region (no account: AWS owns them). */
export function foundationModelArn(region: string, modelId: string): string {
  return `arn:aws:bedrock:${region}::foundation-model/${modelId}`;
}

/** Token count of a text as the simulated models see it: about four characters a token. */
export function tokensOf(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * How many tokens a model answers with: a function of the prompt (so the same call gives the same
 * answer), between a quarter of `maxTokens` and `maxTokens`.
 */
export function answerTokens(prompt: string, maxTokens: number): number {
  let h = 2166136261;
  for (let i = 0; i < prompt.length; i++) h = Math.imul(h ^ prompt.charCodeAt(i), 16777619) >>> 0;
  const low = Math.max(1, Math.floor(maxTokens / 4));
  return low + (h % (maxTokens - low + 1));
}

const WORDS = ['the', 'model', 'answers', 'with', 'plain', 'text', 'about', 'your', 'request'];

/** A generated answer of `tokens` tokens (four characters each, as `tokensOf` counts). */
export function answerText(tokens: number): string {
  const words: string[] = [];
  let length = 0;
  for (let i = 0; length < tokens * 4 - 4; i++) {
    const w = WORDS[i % WORDS.length]!;
    words.push(w);
    length += w.length + 1;
  }
  return words
    .join(' ')
    .padEnd(tokens * 4, '.')
    .slice(0, tokens * 4);
}

/** Model calls of one model in one region, with their tokens and price. */
export interface ModelUsage {
  region: string;
  modelId: string;
  invocations: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

/** Calls grouped by region and model and priced from the bundled table (to the cent). */
export function modelUsage(
  calls: { region: string; modelId: string; inputTokens: number; outputTokens: number }[],
): ModelUsage[] {
  const groups = new Map<string, ModelUsage>();
  for (const c of calls) {
    const key = `${c.region}|${c.modelId}`;
    const g = groups.get(key) ?? {
      region: c.region,
      modelId: c.modelId,
      invocations: 0,
      inputTokens: 0,
      outputTokens: 0,
      usd: 0,
    };
    g.invocations += 1;
    g.inputTokens += c.inputTokens;
    g.outputTokens += c.outputTokens;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const m = modelById(g.modelId);
    const usd = m ? (g.inputTokens / 1000) * m.usdPer1kInput + (g.outputTokens / 1000) * m.usdPer1kOutput : 0;
    return { ...g, usd: Math.round(usd * 100) / 100 };
  });
}
