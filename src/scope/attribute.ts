import type { Attribution, InventoryItem } from '../inventory/types.js';
import type { WriteEvent, WriteIndex } from './events.js';
import { WRITES, refsOf } from './writes.js';

/** What attribution knows of the incident. */
export interface AttributionContext {
  /** The incident window's start (the investigation's), or null when nothing was attributed. */
  since: string | null;
  /** The collection covered the window completely (coverage.json): no write can be missing. */
  eventsComplete: boolean;
  /** When the case was opened: without a window, resources older than this predate the case. */
  awareness: string;
  /** The principal Tourniquet runs as: its user and that user's credentials are the tool's own. */
  responderArn?: string | undefined;
  /** Keys the case's own actions made (recovery's new key for the owner), by id: the tool's own. */
  madeByCase?: ReadonlySet<string> | undefined;
}

/** The responder's own IAM user, or a credential of it (key, password, MFA device…). */
function responderOwns(item: InventoryItem, responderArn: string | undefined): boolean {
  const user = /:user\/(?:.*\/)?([^/]+)$/.exec(responderArn ?? '')?.[1];
  if (!user) return false;
  if (item.type === 'AWS::IAM::User') return item.arn === responderArn || item.id === user;
  return item.type.startsWith('AWS::IAM::') && item.data.userName === user;
}

/** AWS's creation time and CloudTrail's event time can differ by the call's duration. */
const CLOCK_SLACK_MS = 5 * 60_000;

const before = (a: string | undefined, b: string): boolean =>
  a !== undefined && Date.parse(a) < Date.parse(b) - CLOCK_SLACK_MS;

/**
 * Attribute one resource from the case's write events: `attacker` when the compromise's
 * credentials created or changed it (its events listed), `pre-existing` when AWS dates it before
 * the incident window (or the case's events show it made earlier by someone else), `unknown`
 * when nothing tells — a resource made during the incident with no record of it is a coverage
 * gap, and is said so.
 */
export function attribute(item: InventoryItem, index: WriteIndex, ctx: AttributionContext): Attribution {
  const decl = WRITES[item.type];
  if (!decl) {
    return {
      origin: 'unknown',
      eventIds: [],
      writes: 0,
      reason: `no write events are declared for ${item.type}`,
    };
  }
  const events = index.find([...decl.create, ...decl.change], refsOf(item));
  const attacker = events.filter((e) => e.attacker);
  const creates = events.filter((e) => decl.create.includes(e.name));
  const firstCreate: WriteEvent | undefined = creates[0];
  if (attacker.length > 0) {
    const created =
      firstCreate?.attacker === true && !(ctx.since !== null && before(item.createdAt, ctx.since));
    return {
      origin: 'attacker',
      how: created ? 'created' : 'changed',
      eventIds: attacker.map((e) => e.eventId),
      writes: events.length,
      reason: created
        ? `${firstCreate.name} by the compromised credentials at ${firstCreate.time}`
        : `changed by the compromised credentials: ${[...new Set(attacker.map((e) => e.name))].join(', ')} (first at ${attacker[0]!.time})`,
    };
  }
  if (ctx.madeByCase?.has(item.id)) {
    return {
      origin: 'unknown',
      byResponder: true,
      eventIds: [],
      writes: events.length,
      reason: 'made by this case’s own recovery (the owner’s new credential)',
    };
  }
  if (responderOwns(item, ctx.responderArn)) {
    return {
      origin: 'unknown',
      byResponder: true,
      eventIds: [],
      writes: events.length,
      reason: 'the credentials Tourniquet runs on (the responder’s own): left alone',
    };
  }
  const cutoff = ctx.since ?? ctx.awareness;
  const label = ctx.since
    ? 'the incident window'
    : 'the case (no incident window: nothing is attributed to an attacker)';
  if (before(item.createdAt, cutoff)) {
    return {
      origin: 'pre-existing',
      eventIds: [],
      writes: events.length,
      reason: `created ${item.createdAt}, before ${label}`,
    };
  }
  if (firstCreate && before(firstCreate.time, cutoff)) {
    return {
      origin: 'pre-existing',
      eventIds: [],
      writes: events.length,
      reason: `${firstCreate.name} by ${firstCreate.principal ?? 'another principal'} at ${firstCreate.time}, before ${label}`,
    };
  }
  if (firstCreate?.responder) {
    return {
      origin: 'unknown',
      byResponder: true,
      eventIds: [],
      writes: events.length,
      reason: `made by the responder's own calls (${firstCreate.name} at ${firstCreate.time})`,
    };
  }
  if (firstCreate) {
    return {
      origin: 'unknown',
      eventIds: [],
      writes: events.length,
      reason: `made during the incident by ${firstCreate.principal ?? 'an unidentified principal'} (${firstCreate.name} at ${firstCreate.time}), not with the compromised credentials`,
    };
  }
  // Any write to it before the window (a change, a logging switch) shows it already existed.
  const earlier = events.find((e) => before(e.time, cutoff));
  if (earlier) {
    return {
      origin: 'pre-existing',
      eventIds: [],
      writes: events.length,
      reason: `${earlier.name} by ${earlier.principal ?? 'another principal'} at ${earlier.time} shows it existed before ${label}`,
    };
  }
  const modified = typeof item.data.lastModified === 'string' ? item.data.lastModified : undefined;
  if (item.createdAt === undefined && before(modified, cutoff)) {
    return {
      origin: 'pre-existing',
      eventIds: [],
      writes: events.length,
      reason: `last modified ${modified}, before ${label}`,
    };
  }
  if (item.createdAt === undefined && events.length === 0 && ctx.eventsComplete) {
    return {
      origin: 'pre-existing',
      eventIds: [],
      writes: 0,
      reason:
        'AWS gives no creation date and the case’s complete events hold no write to it: it predates the collection',
    };
  }
  return {
    origin: 'unknown',
    eventIds: [],
    writes: events.length,
    reason:
      item.createdAt !== undefined
        ? `created ${item.createdAt}, during ${label}, and no record of its creation is in the case (a coverage gap?)`
        : 'AWS gives no creation date and the case’s events do not cover the whole window',
  };
}

/**
 * Attribute every item, then let a resource made as part of an attacker's resource inherit it:
 * the volumes RunInstances attached to an attacker's instance (RunInstances names no volume id).
 */
export function attributeAll(items: InventoryItem[], index: WriteIndex, ctx: AttributionContext): void {
  for (const item of items) item.attribution = attribute(item, index, ctx);
  const instances = new Map(
    items.filter((i) => i.type === 'AWS::EC2::Instance').map((i) => [`${i.region}/${i.id}`, i] as const),
  );
  for (const volume of items.filter(
    (i) => i.type === 'AWS::EC2::Volume' && i.attribution?.origin === 'unknown',
  )) {
    const attached = (volume.data.attachedTo as string[] | undefined) ?? [];
    const owner = attached
      .map((id) => instances.get(`${volume.region}/${id}`))
      .find((i) => i?.attribution?.how === 'created');
    if (!owner?.attribution) continue;
    volume.attribution = {
      origin: 'attacker',
      how: 'created',
      eventIds: owner.attribution.eventIds,
      writes: volume.attribution?.writes ?? 0,
      reason: `volume of the attacker's instance ${owner.id}`,
    };
  }
}
