import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One destination country of the SMS prices. */
export interface SmsCountry {
  iso: string;
  name: string;
  callingCode: string;
  usdPerMessage: number;
}

/** The bundled SES and SMS prices (`data/messaging-prices.json`, shared with the report's estimate). */
export interface MessagingPrices {
  ses: { usdPerMessage: number; source: string; date: string };
  sms: { source: string; date: string; countries: SmsCountry[] };
}

const TABLE = fileURLToPath(new URL('../../../data/messaging-prices.json', import.meta.url));
let cached: MessagingPrices | undefined;

/** The prices the simulated account bills its mail and texts from. */
export function messagingPrices(): MessagingPrices {
  cached ??= JSON.parse(readFileSync(TABLE, 'utf8')) as MessagingPrices;
  return cached;
}
