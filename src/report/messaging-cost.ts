import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { AttackerEvent } from './input.js';
import { parseJsonText } from './json-path.js';
import { readTable } from './prices.js';
import { sesSent, type SesSent, type SesStatistics } from './ses-statistics.js';
import { isUnknown, type Fact } from './unknown.js';

/**
 * What the attacker's mail and texts cost. Neither is counted by CloudTrail: SES never records a
 * send (SES developer guide, "Logging Amazon SES API calls with AWS CloudTrail"), and SNS Publish is
 * a data event that trails log only when asked (CloudTrail user guide, "Logging data events"). So
 * the figure is a bound from what is visible: texts whose Publish records are in the case are
 * priced by country; the monthly SMS spend limit the attacker set caps what SNS delivered in each
 * region; SES mail has no figure in CloudTrail at all, and the report says where to read it.
 */
const tableSchema = z.object({
  description: z.string(),
  ses: z.object({ usdPerMessage: z.number().nonnegative(), source: z.string(), date: z.string() }),
  sms: z.object({
    source: z.string(),
    date: z.string(),
    countries: z.array(
      z.object({
        iso: z.string(),
        name: z.string(),
        callingCode: z.string().regex(/^\d{1,4}$/),
        usdPerMessage: z.number().nonnegative(),
      }),
    ),
  }),
});

export type MessagingPriceTable = z.infer<typeof tableSchema>;

/** The bundled table (`data/messaging-prices.json`, which the simulated account bills from as well). */
export const MESSAGING_PRICE_FILE = fileURLToPath(
  new URL('../../data/messaging-prices.json', import.meta.url),
);

/** Read and validate the SES and SMS price table. */
export function loadMessagingPrices(file: string = MESSAGING_PRICE_FILE): MessagingPriceTable {
  return readTable(file, tableSchema, 'data/messaging-prices.json');
}

/** Texts seen in the case to one country from one region. */
export interface SmsLine {
  region: string;
  country: string;
  texts: number;
  usd: number | null;
}

/** The attacker's SES and SMS use, and the bound on what it cost. */
export interface MessagingCost {
  /** Regions where the attacker used SES successfully (its sends are not in CloudTrail). */
  sesRegions: string[];
  /** SES identities the attacker verified or created, by region. */
  sesIdentities: { region: string; identity: string }[];
  sesUsdPerThousand: number;
  /** The mail SES's sending statistics count from the attacker's first SES call on, where they were read. */
  sesSent: SesSent[];
  /** Texts whose Publish records the case holds (only when a trail logged SNS data events). */
  smsLines: SmsLine[];
  /** The MonthlySpendLimit the attacker left in each region (USD): SNS stops delivering past it. */
  smsLimits: { region: string; limitUsd: number }[];
  /** Priced texts seen; the lower end of the SMS bound. */
  smsCountedUsd: number;
  /** The upper end: every limit the attacker set, or the texts seen where no limit was set. */
  smsHighUsd: number;
  basis: string;
}

const SES_SETUP = new Set([
  'VerifyEmailIdentity',
  'VerifyEmailAddress',
  'VerifyDomainIdentity',
  'CreateEmailIdentity',
]);
const cents = (x: number): number => Math.round(x * 100) / 100;

function param(e: AttackerEvent, ...names: string[]): unknown {
  const p = parseJsonText(e.requestParameters);
  if (!p || typeof p !== 'object') return undefined;
  for (const n of names) {
    const v = (p as Record<string, unknown>)[n];
    if (v !== undefined) return v;
  }
  return undefined;
}

const textOf = (v: unknown): string => (typeof v === 'string' ? v : '?');

/** The attacker's SES and SNS SMS activity, priced as a bound; null when there is none. */
export function messagingCost(
  events: AttackerEvent[],
  table: MessagingPriceTable,
  statistics?: Fact<SesStatistics>,
): MessagingCost | null {
  const ok = events.filter((e) => !e.errorCode);
  const ses = ok.filter((e) => e.eventSource === 'ses.amazonaws.com');
  const sns = ok.filter((e) => e.eventSource === 'sns.amazonaws.com');
  const identities = ses
    .filter((e) => SES_SETUP.has(e.eventName))
    .map((e) => ({
      region: e.region,
      identity: textOf(param(e, 'emailIdentity', 'EmailIdentity', 'emailAddress', 'domain')),
    }));
  const limits = new Map<string, number>();
  for (const e of sns.filter((x) => x.eventName === 'SetSMSAttributes')) {
    const limit = (param(e, 'attributes') as Record<string, unknown> | undefined)?.MonthlySpendLimit;
    if (limit !== undefined && Number.isFinite(Number(limit))) limits.set(e.region, Number(limit));
  }
  const countries = [...table.sms.countries].sort((a, b) => b.callingCode.length - a.callingCode.length);
  const lines = new Map<string, SmsLine>();
  for (const e of sns.filter((x) => x.eventName === 'Publish')) {
    const phone = param(e, 'phoneNumber', 'PhoneNumber');
    if (typeof phone !== 'string') continue;
    const c = countries.find((x) => phone.startsWith(`+${x.callingCode}`));
    const key = `${e.region}|${c?.iso ?? '?'}`;
    const line = lines.get(key) ?? {
      region: e.region,
      country: c ? `${c.name} (${c.iso})` : 'unknown',
      texts: 0,
      usd: c ? 0 : null,
    };
    line.texts += 1;
    if (c && line.usd !== null) line.usd += c.usdPerMessage;
    lines.set(key, line);
  }
  // Summed first, rounded once: a cent per text rounded away would add up over thousands.
  for (const l of lines.values()) if (l.usd !== null) l.usd = cents(l.usd);
  if (!ses.length && !limits.size && !lines.size) return null;
  const firstCall = new Map<string, string>();
  for (const e of ses) if ((firstCall.get(e.region) ?? '\uffff') > e.time) firstCall.set(e.region, e.time);
  const sent =
    statistics && !isUnknown(statistics) ? sesSent(statistics, firstCall, table.ses.usdPerMessage) : [];
  const smsLines = [...lines.values()];
  const counted = cents(smsLines.reduce((s, l) => s + (l.usd ?? 0), 0));
  const unlimited = smsLines.filter((l) => !limits.has(l.region)).reduce((s, l) => s + (l.usd ?? 0), 0);
  return {
    sesRegions: [...new Set(ses.map((e) => e.region))].sort(),
    sesIdentities: identities,
    sesUsdPerThousand: cents(table.ses.usdPerMessage * 1000),
    sesSent: sent,
    smsLines,
    smsLimits: [...limits].map(([region, limitUsd]) => ({ region, limitUsd })),
    smsCountedUsd: counted,
    smsHighUsd: cents([...limits.values()].reduce((s, x) => s + x, 0) + unlimited),
    basis: `A bound from what CloudTrail shows. SES never records a send: the messages are in each region's sending statistics (aws ses get-send-statistics) and the bill, at $${(table.ses.usdPerMessage * 1000).toFixed(2)} per 1,000. SNS Publish is a data event: texts are counted only when a trail logged them; the monthly SMS spend limit the attacker set caps what SNS delivered in each region this month. SMS prices: ${table.sms.source} (${table.sms.date}).`,
  };
}

/** What the statistics counted: `$2.00 for 20000 messages (us-east-1 20000) …`. */
function sesSentPhrase(sent: SesSent[]): string {
  const usd = cents(sent.reduce((s, x) => s + x.usd, 0));
  const messages = sent.reduce((n, x) => n + x.messages, 0);
  const some = sent.filter((x) => x.messages > 0);
  const none = sent.length - some.length;
  const where =
    some.map((x) => `${x.region} ${x.messages}`).join(', ') +
    (none ? `${some.length ? '; ' : ''}none in ${none} other region(s) read` : '');
  return `$${usd.toFixed(2)} for ${messages} messages (${where}) in SES's statistics from the attacker's first SES call on (every sender of the account in those 15-minute slots: at most the attacker's mail)`;
}

/** The mail and texts in one phrase (briefing, demo): where SES was used and the SMS bound. */
export function messagingPhrase(m: MessagingCost): string {
  const parts: string[] = [];
  if (m.sesRegions.length) {
    parts.push(
      `SES used in ${m.sesRegions.join(', ')}: sends are not in CloudTrail, read the sending statistics ($${m.sesUsdPerThousand.toFixed(2)} per 1,000 messages)` +
        (m.sesSent.length ? `: ${sesSentPhrase(m.sesSent)}` : ''),
    );
  }
  if (m.smsLimits.length || m.smsLines.length) {
    const limits = m.smsLimits.map((l) => `${l.region} $${l.limitUsd}`).join(', ');
    const seen = m.smsLines.reduce((n, l) => n + l.texts, 0);
    parts.push(
      `SMS between $${m.smsCountedUsd.toFixed(2)} and $${m.smsHighUsd.toFixed(2)} (${seen} texts in the case${limits ? `; monthly limits the attacker set: ${limits}` : ''}; a bound: Publish is a data event)`,
    );
  }
  return parts.join('; ');
}
