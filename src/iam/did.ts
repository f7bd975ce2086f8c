import type { AttackerEvent } from './snapshot.js';

/** An event of the attacker that used (or tried to use) a capability. */
export interface EventRef {
  eventId: string;
  eventName: string;
  eventTime?: string | undefined;
  /** Set when AWS refused or failed the call (`AccessDenied`…): tried, not done. */
  errorCode?: string | undefined;
}

/** Event sources whose IAM prefix is not the host name's first label. */
const PREFIX: Record<string, string> = {
  'monitoring.amazonaws.com': 'cloudwatch',
  'email.amazonaws.com': 'ses',
  'elasticmapreduce.amazonaws.com': 'elasticmapreduce',
  'signin.amazonaws.com': 'signin',
};

/** CloudTrail event names that are not the IAM action's name. */
const ACTION_OF_EVENT: Record<string, string> = {
  's3:ListObjects': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:DeleteObjects': 's3:DeleteObject',
  'kms:ReEncrypt': 'kms:ReEncryptTo',
};

/** The IAM action an event used: `s3.amazonaws.com` + `GetObject` → `s3:GetObject`. */
export function actionOfEvent(e: Pick<AttackerEvent, 'eventSource' | 'eventName'>): string {
  const prefix = PREFIX[e.eventSource] ?? e.eventSource.split('.')[0] ?? e.eventSource;
  // Lambda's event names carry the API version (`CreateFunction20150331`, `UpdateFunctionCode20150331v2`).
  const name = e.eventName.replace(/20\d{6}(v\d+)?$/, '');
  const action = `${prefix}:${name}`;
  return ACTION_OF_EVENT[action] ?? action;
}

interface Used {
  ref: EventRef;
  /** ARNs and names the event names (request parameters and resources). */
  names: Set<string>;
}

function collectStrings(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 3 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    into.add(value);
    // An object ARN names its bucket too.
    const s3 = /^arn:aws:s3:::([^/]+)\//.exec(value);
    if (s3) into.add(`arn:aws:s3:::${s3[1]}`);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectStrings(v, into, depth + 1);
  else if (typeof value === 'object')
    for (const v of Object.values(value)) collectStrings(v, into, depth + 1);
}

/** The attacker's events, indexed by the action they used. */
export class EventIndex {
  private readonly byAction = new Map<string, Used[]>();

  constructor(events: AttackerEvent[]) {
    for (const e of events) {
      const names = new Set<string>();
      let params = e.requestParameters;
      if (typeof params === 'string') {
        try {
          params = JSON.parse(params) as Record<string, unknown>;
        } catch {
          params = null;
        }
      }
      collectStrings(params, names);
      for (const r of e.resources ?? []) collectStrings(r.ARN ?? r.arn, names);
      const ref: EventRef = { eventId: e.eventId, eventName: e.eventName };
      if (e.eventTime) ref.eventTime = e.eventTime;
      if (e.errorCode) ref.errorCode = e.errorCode;
      const key = actionOfEvent(e).toLowerCase();
      const list = this.byAction.get(key) ?? [];
      list.push({ ref, names });
      this.byAction.set(key, list);
    }
  }

  /**
   * The events that used any of `actions` on one of `resources` (by ARN or name), or with any
   * resource when `resources` is `any`. Oldest first, each once.
   */
  used(actions: string[], resources: { arn: string; name: string }[] | 'any'): EventRef[] {
    const out = new Map<string, EventRef>();
    for (const action of actions)
      for (const u of this.byAction.get(action.toLowerCase()) ?? [])
        if (resources === 'any' || resources.some((r) => u.names.has(r.arn) || u.names.has(r.name)))
          out.set(u.ref.eventId, u.ref);
    return [...out.values()].sort((a, b) => (a.eventTime ?? '').localeCompare(b.eventTime ?? ''));
  }
}

/** Succeeded calls only (the capability was used, not just tried). */
export const succeeded = (refs: EventRef[]): EventRef[] => refs.filter((r) => !r.errorCode);

interface IdentityLike {
  arn?: string | undefined;
  sessionContext?: { sessionIssuer?: { arn?: string | undefined } | undefined } | undefined;
  sessioncontext?: { sessionissuer?: { arn?: string | undefined } | undefined } | undefined;
}

/**
 * A CloudTrail record as AWS writes it (`eventID`, `userIdentity`), or a row of the event store
 * (the Athena layout: lower-case column names, `requestparameters` as JSON text).
 */
export interface CloudTrailRecordLike {
  eventID?: string | undefined;
  eventTime?: string | undefined;
  eventSource?: string | undefined;
  eventName?: string | undefined;
  awsRegion?: string | undefined;
  errorCode?: string | null | undefined;
  requestParameters?: unknown;
  resources?: unknown;
  sourceIPAddress?: string | undefined;
  userIdentity?: IdentityLike | undefined;
  eventid?: string | undefined;
  eventtime?: string | undefined;
  eventsource?: string | undefined;
  eventname?: string | undefined;
  awsregion?: string | undefined;
  errorcode?: string | null | undefined;
  requestparameters?: unknown;
  sourceipaddress?: string | undefined;
  useridentity?: IdentityLike | undefined;
}

/** The fields the blast radius needs from a CloudTrail record or an event-store row. */
export function attackerEventOf(record: CloudTrailRecordLike): AttackerEvent {
  const params = record.requestParameters ?? record.requestparameters;
  const identity = record.userIdentity ?? record.useridentity;
  const issuer = identity?.sessionContext?.sessionIssuer?.arn ?? identity?.sessioncontext?.sessionissuer?.arn;
  return {
    eventId: record.eventID ?? record.eventid ?? '',
    eventTime: record.eventTime ?? record.eventtime,
    eventSource: record.eventSource ?? record.eventsource ?? '',
    eventName: record.eventName ?? record.eventname ?? '',
    awsRegion: record.awsRegion ?? record.awsregion,
    errorCode: record.errorCode ?? record.errorcode ?? undefined,
    requestParameters:
      typeof params === 'string' || (params && typeof params === 'object')
        ? (params as Record<string, unknown> | string)
        : null,
    resources: Array.isArray(record.resources)
      ? (record.resources as { ARN?: string; arn?: string }[])
      : null,
    sourceIPAddress: record.sourceIPAddress ?? record.sourceipaddress,
    caller: identity?.arn || issuer ? { arn: identity?.arn, issuer } : undefined,
  };
}
