import { SimError } from '../../core/errors.js';
import type { OpContext } from '../../core/service.js';
import { sentLast24Hours, sesRegion, verifiedFor, type SesState } from './model.js';

type Ctx = OpContext<SesState>;

/** A message to send: the sender and every recipient (To, Cc and Bcc count alike). */
export interface Outgoing {
  from: string;
  recipients: string[];
}

/** The headers of a raw MIME message that name sender and recipients (for SendRawEmail without them). */
export function rawAddresses(raw: string): Outgoing {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const field = (name: string): string[] =>
    unfolded
      .split(/\r?\n/)
      .filter((l) => l.toLowerCase().startsWith(`${name}:`))
      .flatMap((l) => l.slice(name.length + 1).split(','))
      .map((a) => /<([^>]+)>/.exec(a)?.[1] ?? a.trim())
      .filter(Boolean);
  return { from: field('from')[0] ?? '', recipients: [...field('to'), ...field('cc'), ...field('bcc')] };
}

/**
 * Accept a message as SES does, or throw its error: sending paused, sender not verified, in the
 * sandbox any recipient not verified, the daily quota (recipients in the last 24 h) exceeded.
 * Sends are not recorded in CloudTrail (SES DG "Logging Amazon SES API calls with AWS CloudTrail").
 */
export function send(
  ctx: Ctx,
  api: 'v1' | 'v2',
  operation: 'SendEmail' | 'SendRawEmail',
  out: Outgoing,
): string {
  ctx.trail.skip = true;
  const region = sesRegion(ctx.state, ctx.region);
  if (!region.sendingEnabled) {
    throw api === 'v1'
      ? new SimError('AccountSendingPausedException', 'Email sending is disabled for this account.', 400)
      : new SimError('SendingPausedException', 'Email sending is disabled for this account.', 400);
  }
  if (out.recipients.length === 0) {
    throw new SimError(
      api === 'v1' ? 'InvalidParameterValue' : 'BadRequestException',
      "Missing final '@domain'",
      400,
    );
  }
  const unverified = [out.from, ...(region.productionAccess ? [] : out.recipients)].filter(
    (a) => !verifiedFor(region, a),
  );
  if (unverified.length) {
    throw new SimError(
      'MessageRejected',
      `Email address is not verified. The following identities failed the check in region ${ctx.region.toUpperCase()}: ${[...new Set(unverified)].join(', ')}`,
      400,
    );
  }
  const now = ctx.now.getTime();
  if (sentLast24Hours(ctx.state, ctx.region, now) + out.recipients.length > region.max24HourSend) {
    throw api === 'v1'
      ? new SimError('Throttling', 'Daily message quota exceeded.', 400)
      : new SimError('LimitExceededException', 'Daily message quota exceeded.', 400);
  }
  const messageId = `${ctx.sim.ids.hex(16)}-${ctx.sim.ids.uuid()}-000000`;
  ctx.state.sent.push({
    at: ctx.now.toISOString(),
    region: ctx.region,
    messageId,
    operation,
    api,
    from: out.from,
    recipients: out.recipients.length,
    accessKeyId: ctx.caller.accessKeyId,
    principalArn: ctx.caller.principalArn,
    sourceIp: ctx.sourceIp,
  });
  return messageId;
}

/** SES's quota answer for a region (GetSendQuota, and GetAccount's SendQuota). */
export function quota(ctx: Ctx) {
  const region = sesRegion(ctx.state, ctx.region);
  return {
    Max24HourSend: region.max24HourSend,
    MaxSendRate: region.maxSendRate,
    SentLast24Hours: sentLast24Hours(ctx.state, ctx.region, ctx.now.getTime()),
  };
}
