import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UserError } from '../errors.js';

/**
 * The bundled EC2 on-demand price table (`data/ec2-prices.json`). It is plain data so that the
 * simulated account can bill its instances from the same figures; this is its typed loader.
 */
const priceSchema = z.object({
  instanceType: z.string().min(1),
  region: z.string().min(1),
  usdPerHour: z.number().positive(),
  source: z.string().min(1),
  date: z.string().min(1),
});

const tableSchema = z.object({
  description: z.string(),
  currency: z.literal('USD'),
  unit: z.literal('instance-hour'),
  operatingSystem: z.string(),
  billing: z.string(),
  fallbackRegion: z.string(),
  fallbackNote: z.string(),
  prices: z.array(priceSchema).min(1),
});

export type PriceEntry = z.infer<typeof priceSchema>;
export type PriceTable = z.infer<typeof tableSchema>;

/** The bundled table's path: `data/` sits two levels above both `src/report/` and `dist/report/`. */
export const PRICE_TABLE_FILE = fileURLToPath(new URL('../../data/ec2-prices.json', import.meta.url));

/** Read and validate a price table file (the bundled one by default). */
export function loadPriceTable(file: string = PRICE_TABLE_FILE): PriceTable {
  return readTable(file, tableSchema, 'data/ec2-prices.json');
}

/** A bundled JSON table read and checked against its schema; a clear error names the file. */
export function readTable<T>(file: string, schema: z.ZodType<T>, model: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError('PRICE_TABLE_UNREADABLE', `Cannot read the price table ${file}.`, {
      cause: error,
      hint: 'Reinstall Tourniquet, or pass a valid JSON price table.',
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch';
    throw new UserError('PRICE_TABLE_INVALID', `${file} is not a valid price table (${where}).`, {
      hint: `Compare it with ${model}.`,
    });
  }
  return parsed.data;
}

/** How one instance type in one region is priced: its own entry, the fallback region's, or none. */
export type PriceLookup =
  | { kind: 'exact'; entry: PriceEntry }
  | { kind: 'fallback'; entry: PriceEntry; note: string }
  | { kind: 'none'; reason: string };

/** Price of an instance type in a region, falling back to the table's fallback region. */
export function priceOf(table: PriceTable, instanceType: string, region: string): PriceLookup {
  const exact = table.prices.find((p) => p.instanceType === instanceType && p.region === region);
  if (exact) return { kind: 'exact', entry: exact };
  const fallback = table.prices.find(
    (p) => p.instanceType === instanceType && p.region === table.fallbackRegion,
  );
  if (fallback) {
    return {
      kind: 'fallback',
      entry: fallback,
      note: `${table.fallbackRegion} price used for ${region}`,
    };
  }
  return { kind: 'none', reason: `no price for ${instanceType} in the bundled table` };
}
