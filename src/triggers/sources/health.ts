import { z } from 'zod';
import {
  accountOrNull,
  alertDate,
  defineRecogniser,
  keysIn,
  type AlertContext,
  type Reading,
} from '../trigger.js';

/** The Health event AWS sends when it finds an account's access key exposed in public (aws-facts §3.5). */
export const CREDENTIALS_EXPOSED = 'AWS_RISK_CREDENTIALS_EXPOSED';

/**
 * An AWS Health event's `detail` (AWS Health User Guide, "EventBridge schema"): `eventTypeCode`,
 * `startTime` (RFC 1123, e.g. `Wed, 12 Feb 2025 00:37:54 GMT`), `affectedEntities[].entityValue`,
 * `affectedAccount`, `eventRegion`. For exposed credentials the entity is the key id; AWS's
 * notices also carry `eventMetadata` (`publicKey`, `userName`, `exposedUrl`), which is not in the
 * schema's table and is read only when present.
 */
const event = z
  .object({
    eventTypeCode: z.string(),
    eventArn: z.string().optional(),
    service: z.string().optional(),
    eventTypeCategory: z.string().optional(),
    startTime: alertDate.optional(),
    lastUpdatedTime: alertDate.optional(),
    statusCode: z.string().optional(),
    eventRegion: z.string().optional(),
    affectedAccount: z.string().optional(),
    affectedEntities: z.array(z.object({ entityValue: z.string() }).passthrough()).optional(),
    eventDescription: z
      .array(z.object({ language: z.string().optional(), latestDescription: z.string() }).passthrough())
      .optional(),
    eventMetadata: z.record(z.unknown()).optional(),
  })
  .passthrough();

type HealthEvent = z.infer<typeof event>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function read(e: HealthEvent, context: AlertContext): Reading {
  if (e.eventTypeCode !== CREDENTIALS_EXPOSED)
    return {
      refused: `AWS Health event ${e.eventTypeCode} is not about exposed credentials; expected ${CREDENTIALS_EXPOSED}`,
    };
  const meta = e.eventMetadata ?? {};
  const entities = (e.affectedEntities ?? []).map((x) => x.entityValue);
  const account = accountOrNull(e.affectedAccount, str(meta.accountId), context.account);
  const keys = keysIn(...entities, str(meta.publicKey), ...(context.resources ?? []));
  const userName = str(meta.userName);
  const userArns = entities.filter((v) => /^arn:aws[\w-]*:iam::\d{12}:user\//.test(v));
  const principal =
    userArns[0] ?? (userName && account ? `arn:aws:iam::${account}:user/${userName}` : undefined);
  const candidates = keys.length ? keys : principal ? [principal] : [];
  const exposedUrl = str(meta.exposedUrl);
  return {
    trigger: {
      source: 'aws-health',
      name: `AWS Health event ${e.eventTypeCode}`,
      summary:
        e.eventDescription?.[0]?.latestDescription ??
        'AWS found an access key of this account exposed in public',
      candidates,
      lead: null,
      unresolved: candidates.length
        ? null
        : 'the event names no access key id or user (affectedEntities, eventMetadata)',
      account,
      region: e.eventRegion ?? context.region ?? null,
      awareness: e.startTime ?? context.time ?? e.lastUpdatedTime ?? null,
      awarenessFrom: e.startTime
        ? 'the event’s startTime'
        : context.time
          ? 'the EventBridge time'
          : 'the event’s lastUpdatedTime',
      reference: e.eventArn ?? null,
      details: [
        ['Event', `${e.eventTypeCode} (${e.statusCode ?? 'status unknown'})`],
        ...(userName ? [['User', userName] as [string, string]] : []),
        ...(exposedUrl ? [['Exposed at', exposedUrl] as [string, string]] : []),
      ],
    },
  };
}

export const healthEvent = defineRecogniser({
  source: 'aws-health',
  expected: `an AWS Health ${CREDENTIALS_EXPOSED} event`,
  marks: z.object({ eventTypeCode: z.string() }).passthrough(),
  schema: event,
  read,
});
