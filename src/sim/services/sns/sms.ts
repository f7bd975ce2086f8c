import { SimError } from '../../core/errors.js';
import type { OpContext, OperationDef } from '../../core/service.js';
import type { SimState } from '../../state.js';
import { messagingPrices, type SmsCountry } from '../messaging-prices.js';

/** The SMS price lines, longest calling code first (so +998 is not read as +9). */
export function smsCountries(): SmsCountry[] {
  return messagingPrices()
    .sms.countries.slice()
    .sort((a, b) => b.callingCode.length - a.callingCode.length);
}

/** The country of an E.164 number, by calling code (undefined when the table has none). */
export function countryOf(phone: string): SmsCountry | undefined {
  return smsCountries().find((c) => phone.startsWith(`+${c.callingCode}`));
}

/** One text message SNS took: where it went, what it cost, whether the spend limit let it out. */
export interface SmsMessage {
  at: string;
  region: string;
  messageId: string;
  phoneNumber: string;
  iso: string | null;
  parts: number;
  usd: number;
  delivered: boolean;
  accessKeyId: string;
  principalArn: string;
  sourceIp: string;
}

/** SMS settings of one region: attributes, sandbox, the spend quota AWS Support approved. */
export interface SmsRegion {
  attributes: Record<string, string>;
  inSandbox: boolean;
  /** The highest MonthlySpendLimit the account may set (USD; $1 until AWS Support raises it). */
  spendQuotaUsd: number;
  sandboxNumbers: string[];
}

/** The SMS part of an account's SNS state (absent in states saved before it existed). */
export interface SmsState {
  sms?: Record<string, SmsRegion>;
  texts?: SmsMessage[];
}

type Ctx = OpContext<SmsState>;

/** A region as a new account has it: in the SMS sandbox, $1 a month (SNS DG "SMS sandbox", "spending quota"). */
export function smsRegion(state: SmsState, region: string): SmsRegion {
  return ((state.sms ??= {})[region] ??= {
    attributes: { MonthlySpendLimit: '1' },
    inSandbox: true,
    spendQuotaUsd: 1,
    sandboxNumbers: [],
  });
}

/**
 * What AWS Support does for an account that sends SMS: out of the sandbox, a spend quota, and the
 * limit the owner set. No API does it; scenarios call it for an account that already texts.
 */
export function approveSms(
  sim: SimState,
  accountId: string,
  region: string,
  o: { spendQuotaUsd: number; monthlySpendLimit: number; attributes?: Record<string, string> },
): void {
  const state = sim.serviceState<SmsState & { topics: object }>(accountId, 'sns', () => ({ topics: {} }));
  const r = smsRegion(state, region);
  r.inSandbox = false;
  r.spendQuotaUsd = o.spendQuotaUsd;
  Object.assign(r.attributes, { MonthlySpendLimit: String(o.monthlySpendLimit) }, o.attributes);
}

/** An account's SMS attributes in a region as they are (clean checks read them). */
export function smsAttributes(sim: SimState, accountId: string, region: string): Record<string, string> {
  return (sim.account(accountId)?.services.sns as SmsState | undefined)?.sms?.[region]?.attributes ?? {};
}

/** Texts an account sent (truth and tests read them). */
export function smsTexts(sim: SimState, accountId: string): SmsMessage[] {
  return (sim.account(accountId)?.services.sns as SmsState | undefined)?.texts ?? [];
}

const SETTABLE = new Set([
  'MonthlySpendLimit',
  'DeliveryStatusIAMRole',
  'DeliveryStatusSuccessSamplingRate',
  'DefaultSenderID',
  'DefaultSMSType',
  'UsageReportS3Bucket',
]);

function invalid(name: string, reason: string): SimError {
  return new SimError('InvalidParameter', `Invalid parameter: ${name} Reason: ${reason}`, 400);
}

/** Message parts as SMS counts them: 160 GSM characters in one, 153 each when split. */
function partsOf(message: string): number {
  return message.length <= 160 ? 1 : Math.ceil(message.length / 153);
}

function spentThisMonth(state: SmsState, region: string, now: Date): number {
  const month = now.toISOString().slice(0, 7);
  return (state.texts ?? [])
    .filter((t) => t.region === region && t.delivered && t.at.startsWith(month))
    .reduce((s, t) => s + t.usd, 0);
}

/**
 * Send one text: priced by destination country and part; once the month's spend would pass the
 * MonthlySpendLimit SNS stops delivering (the Publish call still succeeds), as the SNS developer
 * guide describes the limit.
 */
export function publishSms(ctx: Ctx, phoneNumber: string, message: string): string {
  if (!/^\+[1-9]\d{6,14}$/.test(phoneNumber))
    throw invalid('PhoneNumber', `${phoneNumber} is not valid to publish to`);
  const region = smsRegion(ctx.state, ctx.region);
  if (region.inSandbox && !region.sandboxNumbers.includes(phoneNumber)) {
    throw invalid(
      'PhoneNumber',
      `${phoneNumber} is not a verified destination phone number of the SMS sandbox`,
    );
  }
  const country = countryOf(phoneNumber);
  const parts = partsOf(message);
  const usd = (country?.usdPerMessage ?? 0) * parts;
  const limit = Number(region.attributes.MonthlySpendLimit ?? '1');
  const delivered = spentThisMonth(ctx.state, ctx.region, ctx.now) + usd <= limit;
  const messageId = ctx.sim.ids.uuid();
  (ctx.state.texts ??= []).push({
    at: ctx.now.toISOString(),
    region: ctx.region,
    messageId,
    phoneNumber,
    iso: country?.iso ?? null,
    parts,
    usd: delivered ? usd : 0,
    delivered,
    accessKeyId: ctx.caller.accessKeyId,
    principalArn: ctx.caller.principalArn,
    sourceIp: ctx.sourceIp,
  });
  return messageId;
}

/** SNS's SMS operations (awsQuery): settings, sandbox status and numbers. */
export const smsOperations: Record<string, OperationDef<SmsState>> = {
  GetSMSAttributes: {
    handler(ctx: Ctx) {
      const wanted = ctx.params.list('attributes');
      const attributes = smsRegion(ctx.state, ctx.region).attributes;
      const pairs = Object.entries(attributes).filter(([k]) => !wanted.length || wanted.includes(k));
      return { attributes: { '#map': pairs } };
    },
  },
  SetSMSAttributes: {
    handler(ctx: Ctx) {
      const region = smsRegion(ctx.state, ctx.region);
      const changes = ctx.params.mapOf('attributes');
      for (const [name, value] of Object.entries(changes)) {
        if (!SETTABLE.has(name)) throw invalid('attributes', `${name} is not a valid SMS attribute`);
        if (name === 'MonthlySpendLimit') {
          if (!/^\d+$/.test(value)) throw invalid('MonthlySpendLimit', 'must be a whole number of USD');
          if (Number(value) > region.spendQuotaUsd) {
            throw invalid(
              'MonthlySpendLimit',
              `${value} exceeds the account's SMS spending quota of ${region.spendQuotaUsd} USD`,
            );
          }
        }
        if (name === 'DefaultSMSType' && value !== 'Promotional' && value !== 'Transactional') {
          throw invalid('DefaultSMSType', 'must be Promotional or Transactional');
        }
      }
      Object.assign(region.attributes, changes);
      ctx.trail.requestParameters = { attributes: changes };
      return {};
    },
  },
  GetSMSSandboxAccountStatus: {
    handler: (ctx: Ctx) => ({ IsInSandbox: smsRegion(ctx.state, ctx.region).inSandbox }),
  },
  ListSMSSandboxPhoneNumbers: {
    handler: (ctx: Ctx) => ({
      PhoneNumbers: smsRegion(ctx.state, ctx.region).sandboxNumbers.map((p) => ({
        PhoneNumber: p,
        Status: 'Verified',
      })),
    }),
  },
  CheckIfPhoneNumberIsOptedOut: {
    readOnly: true,
    handler: () => ({ isOptedOut: false }),
  },
};
