import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bundled RDS prices (`data/rds-prices.json`, shared with the report's estimate). */
export interface RdsPrices {
  exportPerGb: number;
  snapshotPerGbMonth: number;
  crossRegionPerGb: number;
  hoursPerMonth: number;
  source: string;
  date: string;
}

const TABLE = fileURLToPath(new URL('../../../../data/rds-prices.json', import.meta.url));
let cached: RdsPrices | undefined;

/** The prices the simulated account bills snapshot storage, cross-region copies and exports from. */
export function rdsPrices(): RdsPrices {
  cached ??= JSON.parse(readFileSync(TABLE, 'utf8')) as RdsPrices;
  return cached;
}
