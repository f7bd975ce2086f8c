import { SimError } from '../../core/errors.js';
import { defineService, type OpContext } from '../../core/service.js';
import { emptySes, sesRegion, type SesIdentity, type SesState } from './model.js';
import { quota, rawAddresses, send } from './sending.js';

type Ctx = OpContext<SesState>;

/** Add an identity (idempotent: verifying it again keeps the first). */
export function addIdentity(ctx: Ctx, name: string, type: SesIdentity['type']): SesIdentity {
  const identities = sesRegion(ctx.state, ctx.region).identities;
  return (identities[name] ??= {
    name,
    type,
    createdAt: ctx.now.toISOString(),
    ...(type === 'Domain' ? { verificationToken: ctx.sim.ids.token(44) } : {}),
  });
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function requireEmail(address: string): string {
  if (!EMAIL.test(address))
    throw new SimError('InvalidParameterValue', `Invalid email address<${address}>.`, 400);
  return address;
}

/** SES's 15-minute sending statistics of the last two weeks (GetSendStatistics). */
function statistics(ctx: Ctx) {
  const since = ctx.now.getTime() - 14 * 24 * 3_600_000;
  const buckets = new Map<number, number>();
  for (const m of ctx.state.sent) {
    const t = Date.parse(m.at);
    if (m.region !== ctx.region || t <= since || t > ctx.now.getTime()) continue;
    const slot = Math.floor(t / 900_000) * 900_000;
    buckets.set(slot, (buckets.get(slot) ?? 0) + m.recipients);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([slot, n]) => ({
      Timestamp: new Date(slot),
      DeliveryAttempts: n,
      Bounces: 0,
      Complaints: 0,
      Rejects: 0,
    }));
}

/**
 * Amazon SES API v1 (awsQuery, 2010-12-01): identities, quota and statistics, sending on and off,
 * SendEmail and SendRawEmail under the sandbox and quota rules. v2 (`./v2.ts`) shares the state.
 */
export const sesService = defineService<SesState>({
  signingName: 'ses',
  protocol: 'query',
  eventSource: 'ses.amazonaws.com',
  apiVersion: '2010-12-01',
  xmlNamespace: 'http://ses.amazonaws.com/doc/2010-12-01/',
  endpointHost: (region) => `email.${region}.amazonaws.com`,
  initState: emptySes,
  operations: {
    GetSendQuota: { handler: (ctx) => quota(ctx) },
    GetSendStatistics: { handler: (ctx) => ({ SendDataPoints: statistics(ctx) }) },
    GetAccountSendingEnabled: {
      handler: (ctx) => ({ Enabled: sesRegion(ctx.state, ctx.region).sendingEnabled }),
    },
    UpdateAccountSendingEnabled: {
      handler(ctx) {
        sesRegion(ctx.state, ctx.region).sendingEnabled = ctx.params.bool('Enabled') ?? false;
        return undefined;
      },
    },
    ListIdentities: {
      handler(ctx) {
        const type = ctx.params.get('IdentityType');
        if (type !== undefined && type !== 'EmailAddress' && type !== 'Domain') {
          throw new SimError(
            'ValidationError',
            `1 validation error detected: Value '${type}' at 'identityType' failed to satisfy constraint: Member must satisfy enum value set: [EmailAddress, Domain]`,
            400,
          );
        }
        const all = Object.values(sesRegion(ctx.state, ctx.region).identities);
        return { Identities: all.filter((i) => !type || i.type === type).map((i) => i.name) };
      },
    },
    GetIdentityVerificationAttributes: {
      handler(ctx) {
        const identities = sesRegion(ctx.state, ctx.region).identities;
        const pairs = ctx.params
          .list('Identities')
          .filter((name) => identities[name])
          .map((name) => [
            name,
            { VerificationStatus: 'Success', VerificationToken: identities[name]!.verificationToken },
          ]);
        return { VerificationAttributes: { '#map': pairs } };
      },
    },
    VerifyEmailIdentity: {
      handler(ctx) {
        addIdentity(ctx, requireEmail(ctx.params.require('EmailAddress')), 'EmailAddress');
        return {};
      },
    },
    VerifyDomainIdentity: {
      handler(ctx) {
        const identity = addIdentity(ctx, ctx.params.require('Domain'), 'Domain');
        return { VerificationToken: identity.verificationToken };
      },
    },
    DeleteIdentity: {
      handler(ctx) {
        delete sesRegion(ctx.state, ctx.region).identities[ctx.params.require('Identity')];
        return {};
      },
    },
    SendEmail: {
      handler(ctx) {
        const to = (f: string) => ctx.params.list(`Destination.${f}`);
        const recipients = [...to('ToAddresses'), ...to('CcAddresses'), ...to('BccAddresses')];
        return {
          MessageId: send(ctx, 'v1', 'SendEmail', { from: ctx.params.require('Source'), recipients }),
        };
      },
    },
    SendRawEmail: {
      handler(ctx) {
        const raw = Buffer.from(ctx.params.require('RawMessage.Data'), 'base64').toString('utf8');
        const parsed = rawAddresses(raw);
        const destinations = ctx.params.list('Destinations');
        const out = {
          from: ctx.params.get('Source') ?? parsed.from,
          recipients: destinations.length ? destinations : parsed.recipients,
        };
        return { MessageId: send(ctx, 'v1', 'SendRawEmail', out) };
      },
    },
  },
});
