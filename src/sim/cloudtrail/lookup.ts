import { createHash } from 'node:crypto';
import { SimError } from '../core/errors.js';
import { bodyString } from '../core/params.js';
import type { AccountState } from '../state.js';
import type { CloudTrailRecord } from './model.js';

/** Event history keeps 90 days (aws-facts §2.1). */
const HISTORY_MS = 90 * 86_400_000;

const ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

/**
 * Resources LookupEvents lists for an event: the record's `resources`, plus the IAM/EC2/S3 names
 * CloudTrail derives from the request (the console's "Resource name" column).
 */
const DERIVED: [param: string, type: string][] = [
  ['userName', 'AWS::IAM::User'],
  ['accessKeyId', 'AWS::IAM::AccessKey'],
  ['roleName', 'AWS::IAM::Role'],
  ['groupName', 'AWS::IAM::Group'],
  ['policyArn', 'AWS::IAM::Policy'],
  ['instanceProfileName', 'AWS::IAM::InstanceProfile'],
  ['bucketName', 'AWS::S3::Bucket'],
  ['name', 'AWS::CloudTrail::Trail'],
  ['trailName', 'AWS::CloudTrail::Trail'],
  ['functionName', 'AWS::Lambda::Function'],
];

/** `Resources` of a LookupEvents event. */
export function lookupResources(r: CloudTrailRecord): { ResourceType?: string; ResourceName?: string }[] {
  const out = (r.resources ?? []).map((x) => ({ ResourceType: x.type, ResourceName: x.ARN }));
  const params = (r.requestParameters ?? {}) as Record<string, unknown>;
  for (const [param, type] of DERIVED) {
    const v = params[param];
    if (typeof v !== 'string') continue;
    if (type === 'AWS::CloudTrail::Trail' && r.eventSource !== 'cloudtrail.amazonaws.com') continue;
    if (!out.some((o) => o.ResourceName === v)) out.push({ ResourceType: type, ResourceName: v });
  }
  const instances = (params.instancesSet as { items?: { instanceId?: string }[] } | undefined)?.items ?? [];
  for (const i of instances)
    if (i.instanceId) out.push({ ResourceType: 'AWS::EC2::Instance', ResourceName: i.instanceId });
  return out;
}

/** `Username` of a LookupEvents event: the user, the role session name, the federated name, `root`. */
export function lookupUsername(r: CloudTrailRecord): string | undefined {
  const u = r.userIdentity as { type?: string; userName?: string; arn?: string };
  if (u.userName) return u.userName;
  if (u.type === 'Root') return 'root';
  if (u.arn && (u.type === 'AssumedRole' || u.type === 'FederatedUser'))
    return u.arn.slice(u.arn.lastIndexOf('/') + 1);
  return undefined;
}

function attributeOf(r: CloudTrailRecord, key: AttributeKey): string[] {
  switch (key) {
    case 'EventId':
      return [r.eventID];
    case 'EventName':
      return [r.eventName];
    case 'ReadOnly':
      return [String(r.readOnly ?? false)];
    case 'Username':
      return [lookupUsername(r) ?? ''];
    case 'ResourceType':
      return lookupResources(r).map((x) => x.ResourceType ?? '');
    case 'ResourceName':
      return lookupResources(r).map((x) => x.ResourceName ?? '');
    case 'EventSource':
      return [r.eventSource];
    case 'AccessKeyId':
      return [String((r.userIdentity as { accessKeyId?: string }).accessKeyId ?? '')];
  }
}

function epoch(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value * 1000 : Date.parse(bodyString(value));
  if (!Number.isFinite(n)) throw new SimError('InvalidTimeRangeException', `Invalid ${name}.`, 400);
  return n;
}

interface Indexed {
  r: CloudTrailRecord;
  /** eventTime in epoch ms. */
  t: number;
  /** Order of arrival. */
  i: number;
}

/** An account's management events by region, kept up to date as records are appended. */
interface RegionIndex {
  seen: number;
  byRegion: Map<string, Indexed[]>;
}

const indexes = new WeakMap<CloudTrailRecord[], RegionIndex>();

/**
 * The management events of one region, in order of arrival. History only grows by appending, so
 * each call indexes just the records added since the last one; every call used to scan (and
 * parse the time of) the whole history, every region's, which made long polls quadratic.
 */
function managementEventsOf(events: CloudTrailRecord[], region: string): Indexed[] {
  let index = indexes.get(events);
  if (!index || index.seen > events.length) {
    index = { seen: 0, byRegion: new Map() };
    indexes.set(events, index);
  }
  for (; index.seen < events.length; index.seen++) {
    const r = events[index.seen]!;
    if (r.eventCategory !== 'Management') continue;
    let list = index.byRegion.get(r.awsRegion);
    if (!list) index.byRegion.set(r.awsRegion, (list = []));
    list.push({ r, t: Date.parse(r.eventTime), i: index.seen });
  }
  return index.byRegion.get(region) ?? [];
}

/** LookupEvents over an account's event history (management events of one region). */
export function lookupEvents(
  account: AccountState,
  region: string,
  body: Record<string, unknown>,
  nowMs: number,
) {
  const attrs =
    (body.LookupAttributes as { AttributeKey?: string; AttributeValue?: string }[] | undefined) ?? [];
  if (attrs.length > 1) {
    throw new SimError(
      'InvalidLookupAttributesException',
      'You cannot specify more than one lookup attribute.',
      400,
    );
  }
  const attr = attrs[0];
  if (attr && !ATTRIBUTE_KEYS.includes(attr.AttributeKey as AttributeKey)) {
    throw new SimError(
      'InvalidLookupAttributesException',
      `Invalid attribute key: ${String(attr.AttributeKey)}.`,
      400,
    );
  }
  const start = epoch(body.StartTime, 'StartTime') ?? nowMs - HISTORY_MS;
  const end = epoch(body.EndTime, 'EndTime') ?? nowMs;
  if (start > end)
    throw new SimError('InvalidTimeRangeException', 'Start time must be before end time.', 400);
  const max = body.MaxResults === undefined ? 50 : Number(body.MaxResults);
  if (!Number.isInteger(max) || max < 1 || max > 50) {
    throw new SimError('InvalidMaxResultsException', 'Value for MaxResults must be between 1 and 50.', 400);
  }
  if (body.EventCategory !== undefined && body.EventCategory !== 'insight') {
    throw new SimError(
      'InvalidEventCategoryException',
      `Invalid EventCategory: ${bodyString(body.EventCategory)}.`,
      400,
    );
  }
  // A NextToken is valid only with the same parameters it was issued for.
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([region, attrs, body.StartTime, body.EndTime, body.EventCategory]))
    .digest('hex')
    .slice(0, 16);
  // The token names the last record returned, not an offset: records made while a caller pages
  // (its own LookupEvents calls among them) arrive at the top and must not shift the next page.
  let after: string | undefined;
  if (typeof body.NextToken === 'string') {
    const [fp, id] = Buffer.from(body.NextToken, 'base64').toString('utf8').split(':');
    if (fp !== fingerprint || !id) throw new SimError('InvalidNextTokenException', 'Invalid NextToken.', 400);
    after = id;
  }
  const oldest = Math.max(start, nowMs - HISTORY_MS);
  const matches =
    body.EventCategory === 'insight'
      ? []
      : managementEventsOf(account.cloudtrail.events, region).filter(
          ({ r, t }) =>
            t >= oldest &&
            t <= end &&
            (!attr || attributeOf(r, attr.AttributeKey as AttributeKey).includes(attr.AttributeValue ?? '')),
        );
  // Newest first; records made in the same second keep their reverse order of arrival.
  const sorted = matches.sort((a, b) => b.t - a.t || b.i - a.i);
  const offset = after === undefined ? 0 : sorted.findIndex(({ r }) => r.eventID === after) + 1;
  if (after !== undefined && offset === 0) {
    throw new SimError('InvalidNextTokenException', 'Invalid NextToken.', 400);
  }
  const page = sorted.slice(offset, offset + max);
  const pageItems = page.map(({ r }) => ({
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly ?? false),
    AccessKeyId: (r.userIdentity as { accessKeyId?: string }).accessKeyId,
    EventTime: new Date(r.eventTime),
    EventSource: r.eventSource,
    Username: lookupUsername(r),
    Resources: lookupResources(r),
    CloudTrailEvent: JSON.stringify(r),
  }));
  const next =
    offset + max < sorted.length
      ? Buffer.from(`${fingerprint}:${page.at(-1)!.r.eventID}`).toString('base64')
      : undefined;
  return { Events: pageItems, ...(next ? { NextToken: next } : {}) };
}

/**
 * LookupEvents allows 2 requests per second per account and region (aws-facts §2.1), measured
 * on the wall clock: the limit protects the service, not simulated history. A token bucket
 * (burst 2, refilled at 2/s) so that a client pacing itself at exactly 2/s is never refused.
 */
export class LookupThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly rate: () => number = () => 2,
    private readonly realNow: () => number = Date.now,
  ) {}

  /** Throw ThrottlingException if this request would exceed the rate. */
  check(accountId: string, region: string): void {
    const key = `${accountId}/${region}`;
    const now = this.realNow();
    const perSecond = this.rate();
    const b = this.buckets.get(key) ?? { tokens: perSecond, at: now };
    b.tokens = Math.min(perSecond, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.buckets.set(key, b);
    // A little slack for timers that fire a millisecond early.
    if (b.tokens < 0.99) throw new SimError('ThrottlingException', 'Rate exceeded', 400);
    b.tokens -= 1;
  }
}
