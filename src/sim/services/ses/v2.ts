import { SimError } from '../../core/errors.js';
import { defineService, type OpContext } from '../../core/service.js';
import { addIdentity } from './index.js';
import { emptySes, sesRegion, type SesIdentity, type SesState } from './model.js';
import { quota, rawAddresses, send } from './sending.js';

type Ctx = OpContext<SesState>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

function required(ctx: Ctx, name: string): string {
  const v = str(ctx.body[name]);
  if (!v) throw new SimError('BadRequestException', `${name} is required.`, 400);
  return v;
}

function info(i: SesIdentity) {
  return {
    IdentityType: i.type === 'Domain' ? 'DOMAIN' : 'EMAIL_ADDRESS',
    IdentityName: i.name,
    SendingEnabled: true,
    VerificationStatus: 'SUCCESS',
  };
}

function listIdentities(ctx: Ctx) {
  return { EmailIdentities: Object.values(sesRegion(ctx.state, ctx.region).identities).map(info) };
}

function identityNamed(ctx: Ctx): SesIdentity {
  const name = ctx.pathParams.EmailIdentity ?? '';
  const identity = sesRegion(ctx.state, ctx.region).identities[name];
  if (!identity) throw new SimError('NotFoundException', `Email identity ${name} does not exist.`, 404);
  return identity;
}

function dkim(i: SesIdentity) {
  return i.type === 'Domain'
    ? {
        SigningEnabled: true,
        Status: 'SUCCESS',
        SigningAttributesOrigin: 'AWS_SES',
        Tokens: [i.verificationToken],
      }
    : undefined;
}

/**
 * Amazon SES API v2 (restJson1, 2019-09-27, path `/v2/email/…`), signed as `ses` like v1: the
 * account (quota, sandbox, production-access request, sending on and off), identities and SendEmail.
 */
export const sesV2Service = defineService<SesState>({
  signingName: 'ses',
  protocol: 'restJson',
  eventSource: 'ses.amazonaws.com',
  apiVersion: '2019-09-27',
  endpointHost: (region) => `email.${region}.amazonaws.com`,
  initState: emptySes,
  claims: (req) => req.path.startsWith('/v2/email/'),
  operations: {
    GetAccount: {
      http: 'GET /v2/email/account',
      handler(ctx) {
        const r = sesRegion(ctx.state, ctx.region);
        const d = r.details;
        return {
          DedicatedIpAutoWarmupEnabled: false,
          EnforcementStatus: 'HEALTHY',
          ProductionAccessEnabled: r.productionAccess,
          SendQuota: quota(ctx),
          SendingEnabled: r.sendingEnabled,
          SuppressionAttributes: { SuppressedReasons: [] },
          ...(d
            ? {
                Details: {
                  MailType: d.mailType,
                  WebsiteURL: d.websiteUrl,
                  ContactLanguage: d.contactLanguage,
                  UseCaseDescription: d.useCaseDescription,
                  AdditionalContactEmailAddresses: d.additionalContactEmailAddresses,
                  ReviewDetails: d.review ? { Status: d.review.status, CaseId: d.review.caseId } : undefined,
                },
              }
            : {}),
        };
      },
    },
    PutAccountDetails: {
      http: 'POST /v2/email/account/details',
      handler(ctx) {
        const mailType = required(ctx, 'MailType');
        if (mailType !== 'MARKETING' && mailType !== 'TRANSACTIONAL') {
          throw new SimError('BadRequestException', `Invalid MailType: ${mailType}`, 400);
        }
        const r = sesRegion(ctx.state, ctx.region);
        const asked = ctx.body.ProductionAccessEnabled === true && !r.productionAccess;
        r.details = {
          mailType,
          websiteUrl: required(ctx, 'WebsiteURL'),
          contactLanguage: str(ctx.body.ContactLanguage),
          useCaseDescription: str(ctx.body.UseCaseDescription),
          additionalContactEmailAddresses: strings(ctx.body.AdditionalContactEmailAddresses),
          review: asked
            ? {
                status: 'PENDING',
                caseId: String(ctx.sim.ids.chars('0123456789', 11)),
                submittedAt: ctx.now.toISOString(),
              }
            : r.details?.review,
        };
        return {};
      },
    },
    PutAccountSendingAttributes: {
      http: 'PUT /v2/email/account/sending',
      handler(ctx) {
        sesRegion(ctx.state, ctx.region).sendingEnabled = ctx.body.SendingEnabled === true;
        return {};
      },
    },
    CreateEmailIdentity: {
      http: 'POST /v2/email/identities',
      handler(ctx) {
        const name = required(ctx, 'EmailIdentity');
        if (sesRegion(ctx.state, ctx.region).identities[name]) {
          throw new SimError('AlreadyExistsException', `Email identity ${name} already exist.`, 400);
        }
        const identity = addIdentity(ctx, name, name.includes('@') ? 'EmailAddress' : 'Domain');
        return {
          IdentityType: info(identity).IdentityType,
          VerifiedForSendingStatus: true,
          DkimAttributes: dkim(identity),
        };
      },
    },
    ListEmailIdentities: { http: 'GET /v2/email/identities', handler: listIdentities },
    // The same call as newer SDKs send it (botocore 1.43 still uses the GET above).
    ListEmailIdentitiesPost: {
      http: 'POST /v2/email/list-identities',
      eventName: 'ListEmailIdentities',
      auth: { action: 'ses:ListEmailIdentities' },
      handler: listIdentities,
    },
    GetEmailIdentity: {
      http: 'GET /v2/email/identities/{EmailIdentity}',
      handler(ctx) {
        const identity = identityNamed(ctx);
        return {
          IdentityType: info(identity).IdentityType,
          FeedbackForwardingStatus: true,
          VerifiedForSendingStatus: true,
          VerificationStatus: 'SUCCESS',
          DkimAttributes: dkim(identity),
          Policies: {},
          Tags: [],
        };
      },
    },
    DeleteEmailIdentity: {
      http: 'DELETE /v2/email/identities/{EmailIdentity}',
      handler(ctx) {
        const identity = identityNamed(ctx);
        delete sesRegion(ctx.state, ctx.region).identities[identity.name];
        return {};
      },
    },
    SendEmail: {
      http: 'POST /v2/email/outbound-emails',
      handler(ctx) {
        const content = (ctx.body.Content ?? {}) as { Raw?: { Data?: unknown } };
        const destination = (ctx.body.Destination ?? {}) as Record<string, unknown>;
        let from = str(ctx.body.FromEmailAddress) ?? '';
        let recipients = ['ToAddresses', 'CcAddresses', 'BccAddresses'].flatMap((f) =>
          strings(destination[f]),
        );
        const raw = str(content.Raw?.Data);
        if (raw !== undefined) {
          const parsed = rawAddresses(Buffer.from(raw, 'base64').toString('utf8'));
          from ||= parsed.from;
          if (!recipients.length) recipients = parsed.recipients;
        }
        const operation = raw !== undefined ? 'SendRawEmail' : 'SendEmail';
        return { MessageId: send(ctx, 'v2', operation, { from, recipients }) };
      },
    },
  },
});
