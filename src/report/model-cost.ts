import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { AttackerEvent } from './input.js';
import { parseJsonText } from './json-path.js';
import { readTable } from './prices.js';

/**
 * What the attacker's Bedrock model calls cost. CloudTrail records each call (a management event)
 * with its model id but never its tokens (Bedrock user guide, "Monitor Amazon Bedrock API calls
 * using CloudTrail"), so the figure is a bound from the number of calls: at least one input and one
 * output token each, at most the model's whole context window with its longest answer. The exact
 * figure is in the invocation logs (when logging was on) or the Bedrock line of the bill.
 */
const modelSchema = z.object({
  modelId: z.string().min(1),
  provider: z.string(),
  name: z.string(),
  usdPer1kInput: z.number().nonnegative(),
  usdPer1kOutput: z.number().nonnegative(),
  contextTokens: z.number().int().positive(),
  maxOutputTokens: z.number().int().positive(),
  source: z.string().min(1),
  date: z.string().min(1),
});
const tableSchema = z.object({
  description: z.string(),
  region: z.string(),
  models: z.array(modelSchema).min(1),
});

export type BedrockPriceTable = z.infer<typeof tableSchema>;

/** The bundled table (`data/bedrock-prices.json`, which the simulated account bills from as well). */
export const BEDROCK_PRICE_FILE = fileURLToPath(new URL('../../data/bedrock-prices.json', import.meta.url));

/** Read and validate the Bedrock price table. */
export function loadBedrockPrices(file: string = BEDROCK_PRICE_FILE): BedrockPriceTable {
  return readTable(file, tableSchema, 'data/bedrock-prices.json');
}

/** The attacker's calls to one model in one region, and what they can have cost. */
export interface ModelCallLine {
  region: string;
  modelId: string;
  modelName: string | null;
  invocations: number;
  lowUsd: number | null;
  highUsd: number | null;
  priceSource: string;
}

/** Every model the attacker ran, with the bound on their cost. */
export interface ModelCallCost {
  lines: ModelCallLine[];
  invocations: number;
  lowUsd: number;
  highUsd: number;
  /** Models without a price: the bound leaves them out. */
  unpriced: number;
  basis: string;
}

const CALLS = new Set(['InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream']);

function modelOf(e: AttackerEvent): string | null {
  const params = parseJsonText(e.requestParameters);
  const id = params && typeof params === 'object' ? (params as { modelId?: unknown }).modelId : undefined;
  if (typeof id !== 'string' || !id) return null;
  // A foundation-model ARN names the model after its last slash.
  return id.startsWith('arn:') ? id.slice(id.lastIndexOf('/') + 1) : id;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/** Successful Bedrock model calls by region and model, each priced as a bound from the table. */
export function modelCallCost(events: AttackerEvent[], table: BedrockPriceTable): ModelCallCost {
  const groups = new Map<string, { region: string; modelId: string; n: number }>();
  for (const e of events) {
    if (e.eventSource !== 'bedrock.amazonaws.com' || !CALLS.has(e.eventName) || e.errorCode) continue;
    const modelId = modelOf(e);
    if (!modelId) continue;
    const key = `${e.region}|${modelId}`;
    const g = groups.get(key) ?? { region: e.region, modelId, n: 0 };
    g.n += 1;
    groups.set(key, g);
  }
  const lines: ModelCallLine[] = [...groups.values()].map((g) => {
    const m = table.models.find((x) => x.modelId === g.modelId);
    if (!m) {
      return {
        region: g.region,
        modelId: g.modelId,
        modelName: null,
        invocations: g.n,
        lowUsd: null,
        highUsd: null,
        priceSource: 'no price for this model in the bundled table',
      };
    }
    const low = (m.usdPer1kInput + m.usdPer1kOutput) / 1000;
    const high =
      ((m.contextTokens - m.maxOutputTokens) / 1000) * m.usdPer1kInput +
      (m.maxOutputTokens / 1000) * m.usdPer1kOutput;
    return {
      region: g.region,
      modelId: g.modelId,
      modelName: m.name,
      invocations: g.n,
      // Rounded outward, so the bound still holds in cents.
      lowUsd: Math.floor(g.n * low * 100) / 100,
      highUsd: Math.ceil(g.n * high * 100) / 100,
      priceSource: `${m.source} (${m.date})`,
    };
  });
  lines.sort((a, b) => (b.highUsd ?? 0) - (a.highUsd ?? 0) || a.region.localeCompare(b.region));
  return {
    lines,
    invocations: lines.reduce((n, l) => n + l.invocations, 0),
    lowUsd: cents(lines.reduce((s, l) => s + (l.lowUsd ?? 0), 0)),
    highUsd: cents(lines.reduce((s, l) => s + (l.highUsd ?? 0), 0)),
    unpriced: lines.filter((l) => l.lowUsd === null).length,
    basis:
      'CloudTrail records each model call but not its tokens: each call is counted between one token in and out and the model’s full context window with its longest answer. The invocation logs or the Bedrock line of the bill give the exact figure.',
  };
}
