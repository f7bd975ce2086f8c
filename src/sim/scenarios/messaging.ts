import { messagingPrices } from '../services/messaging-prices.js';
import { sesState } from '../services/ses/model.js';
import { smsTexts } from '../services/sns/sms.js';
import type { SimState } from '../state.js';

/** The attacker's mail in one region: messages are recipients, as SES counts and bills them. */
export interface EmailUsage {
  region: string;
  sends: number;
  messages: number;
  usd: number;
}

/** The attacker's texts to one country from one region, delivered or stopped by the spend limit. */
export interface SmsUsage {
  region: string;
  iso: string | null;
  texts: number;
  delivered: number;
  usd: number;
}

const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;

/** Whose sends count: the attacker's keys from the attacker's addresses. */
export type SenderFilter = (s: { accessKeyId: string; sourceIp: string }) => boolean;

/** The attacker's SES mail and SNS texts, by region (and country), priced from the bundled table. */
export function messagingUsage(
  sim: SimState,
  accountId: string,
  isAttacker: SenderFilter,
): { email: EmailUsage[]; sms: SmsUsage[] } {
  const perMessage = messagingPrices().ses.usdPerMessage;
  const email = new Map<string, EmailUsage>();
  for (const m of sesState(sim, accountId).sent.filter(isAttacker)) {
    const u = email.get(m.region) ?? { region: m.region, sends: 0, messages: 0, usd: 0 };
    u.sends += 1;
    u.messages += m.recipients;
    u.usd = round(u.messages * perMessage, 4);
    email.set(m.region, u);
  }
  const sms = new Map<string, SmsUsage>();
  for (const t of smsTexts(sim, accountId).filter(isAttacker)) {
    const key = `${t.region}|${t.iso ?? '?'}`;
    const u = sms.get(key) ?? { region: t.region, iso: t.iso, texts: 0, delivered: 0, usd: 0 };
    u.texts += 1;
    if (t.delivered) u.delivered += 1;
    u.usd = round(u.usd + t.usd, 4);
    sms.set(key, u);
  }
  return { email: [...email.values()], sms: [...sms.values()] };
}
