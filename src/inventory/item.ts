import type { InventoryItem, ListContext } from './types.js';

/** An item of the lister's account and region; `data` drops undefined fields. */
export function item(
  ctx: Pick<ListContext, 'account' | 'region'>,
  fields: Omit<InventoryItem, 'account' | 'region' | 'data' | 'createdAt'> & {
    region?: string;
    createdAt?: Date | string | undefined;
    data?: Record<string, unknown>;
  },
): InventoryItem {
  const { createdAt, data, region, ...rest } = fields;
  return {
    ...rest,
    region: region ?? ctx.region,
    account: ctx.account,
    ...(createdAt !== undefined ? { createdAt: isoOf(createdAt) } : {}),
    data: Object.fromEntries(Object.entries(data ?? {}).filter(([, v]) => v !== undefined)),
  };
}

function isoOf(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/**
 * Every page of a list call, through `ctx.read` (one bounded slot for the whole listing):
 * `page(token)` asks for a page, `read(page)` gives its items and the next token.
 */
export async function listPages<Page, Item>(
  ctx: ListContext,
  what: string,
  page: (token: string | undefined) => Promise<Page>,
  read: (page: Page) => [Item[] | undefined, string | undefined],
  maxPages = 10_000,
): Promise<Item[] | undefined> {
  const all = await ctx.read(what, async () => {
    const items: Item[] = [];
    let token: string | undefined;
    for (let n = 0; n < maxPages; n++) {
      const [got, next] = read(await page(token));
      items.push(...(got ?? []));
      if (!next || next === token) return items;
      token = next;
    }
    throw new Error(`${what}: pagination stopped after ${maxPages} pages`);
  });
  return all === null ? [] : all;
}

/**
 * A policy document as IAM returns it (URL-encoded JSON in IAM's answers; plain JSON from S3,
 * Lambda, Secrets Manager), parsed; the text kept as AWS gave it when it is not JSON.
 */
export function parsePolicy(text: string | undefined | null): unknown {
  if (text === undefined || text === null || text === '') return null;
  const t = text.trim();
  try {
    return JSON.parse(t.startsWith('{') ? t : decodeURIComponent(t)) as unknown;
  } catch {
    return { unparsed: text };
  }
}

/** The value of the `Name` tag, when there is one. */
export function nameTag(
  tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): string | undefined {
  return tags?.find((t) => t.Key === 'Name')?.Value;
}
