import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { ActionEnv } from './action.js';
import { IAM_REGION } from './iam-read.js';

/** A temporary credential issued from the subject's key or from one of its own sessions. */
export interface DerivedSession {
  /** The temporary key id (ASIA…) from the issuing call's `responseElements`. */
  accessKeyId: string;
  via: string;
  /** The key that signed the issuing call. */
  parentKey: string;
  /** The account the session acts in (the role's account for AssumeRole). */
  account: string;
  /** The role assumed (AssumeRole only). */
  roleArn?: string;
  /** The session's principal ARN (assumed-role or federated-user). */
  arn?: string;
  /** CreateAccessKey only: the user the new long-term key belongs to. */
  userName?: string;
  issuedAt: string;
  depth: number;
}

export interface LineageResult {
  sessions: DerivedSession[];
  /** Accounts or regions whose CloudTrail could not be read, with the reason. */
  notChecked: string[];
}

/** Calls that mint new credentials from the caller's: STS sessions, and new access keys (persistence). */
const ISSUERS = new Set(['AssumeRole', 'GetSessionToken', 'GetFederationToken', 'CreateAccessKey']);

interface IssuingRecord {
  eventName?: string;
  eventTime?: string;
  errorCode?: string;
  requestParameters?: { roleArn?: string } | null;
  responseElements?: {
    credentials?: { accessKeyId?: string };
    accessKey?: { accessKeyId?: string; userName?: string };
    assumedRoleUser?: { arn?: string };
    federatedUser?: { arn?: string };
  } | null;
}

function accountOfArn(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

/**
 * Follow a key's lineage live through CloudTrail LookupEvents (the case may hold no collected
 * events yet when containment runs): every successful AssumeRole, GetSessionToken and
 * GetFederationToken signed by the key gives a temporary key id in `responseElements`; those
 * are followed in turn, in the account they act in (role chaining, cross-account), to `maxDepth`.
 * STS and IAM events are recorded in us-east-1 (aws-facts §2.3); the default region is read too
 * for calls to a regional STS endpoint.
 */
export async function findDerivedSessions(
  env: ActionEnv,
  rootKey: string,
  account: string,
  options: { regions?: string[]; maxDepth?: number; since?: Date } = {},
): Promise<LineageResult> {
  const sessions: DerivedSession[] = [];
  const notChecked: string[] = [];
  const seen = new Set<string>([rootKey]);
  const queue: { key: string; account: string; depth: number }[] = [{ key: rootKey, account, depth: 0 }];
  const maxDepth = options.maxDepth ?? 6;
  while (queue.length) {
    const item = queue.shift()!;
    if (item.depth >= maxDepth) continue;
    let events: Event[];
    try {
      events = await eventsSignedBy(env, item.key, item.account, options, notChecked);
    } catch (error) {
      notChecked.push(`${item.account} (${item.key}): ${describeAwsError(classifyAwsError(error))}`);
      continue;
    }
    for (const event of events) {
      if (!event.EventName || !ISSUERS.has(event.EventName) || !event.CloudTrailEvent) continue;
      const record = JSON.parse(event.CloudTrailEvent) as IssuingRecord;
      const newKey = record.responseElements?.accessKey;
      const key = record.responseElements?.credentials?.accessKeyId ?? newKey?.accessKeyId;
      if (record.errorCode || !key || seen.has(key)) continue;
      seen.add(key);
      const roleArn = record.requestParameters?.roleArn;
      const sessionAccount = accountOfArn(roleArn) ?? item.account;
      const arn =
        record.responseElements?.assumedRoleUser?.arn ?? record.responseElements?.federatedUser?.arn;
      sessions.push({
        accessKeyId: key,
        via: event.EventName,
        parentKey: item.key,
        account: sessionAccount,
        ...(roleArn ? { roleArn } : {}),
        ...(arn ? { arn } : {}),
        ...(newKey?.userName ? { userName: newKey.userName } : {}),
        issuedAt: record.eventTime ?? event.EventTime?.toISOString() ?? '',
        depth: item.depth + 1,
      });
      queue.push({ key, account: sessionAccount, depth: item.depth + 1 });
    }
  }
  return { sessions, notChecked };
}

/** Pages read per key and region before giving up (50 events a page, 2 pages/s per region). */
const MAX_PAGES = 40;
/**
 * The longest a temporary credential lives: 129,600 s (36 h) for GetSessionToken and
 * GetFederationToken; role sessions at most 12 h (aws-facts §3.3). Keys minted by CreateAccessKey
 * do not expire: older ones are the investigation's to find (lineage over collected events).
 */
const MAX_SESSION_MS = 129_600_000;

async function eventsSignedBy(
  env: ActionEnv,
  key: string,
  account: string,
  options: { regions?: string[]; since?: Date },
  notChecked: string[],
): Promise<Event[]> {
  const pool = await env.poolFor(account);
  const regions = [...new Set([IAM_REGION, ...(options.regions ?? [pool.defaultRegion])])];
  const out: Event[] = [];
  for (const region of regions) {
    const client = pool.get(CloudTrailClient, region);
    let token: string | undefined;
    let pages = 0;
    let newest: number | undefined;
    do {
      const page = await client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: key }],
          ...(options.since ? { StartTime: options.since } : {}),
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      const events = page.Events ?? [];
      out.push(...events);
      newest ??= events[0]?.EventTime?.getTime();
      const oldest = events.at(-1)?.EventTime?.getTime();
      token = page.NextToken || undefined;
      pages += 1;
      // Newest first: once a page reaches back past the longest session lifetime before the
      // key's newest event, anything older has expired (measured on AWS's clock, not ours).
      if (newest !== undefined && oldest !== undefined && oldest < newest - MAX_SESSION_MS) break;
    } while (token && pages < MAX_PAGES);
    if (token && pages < MAX_PAGES) token = undefined;
    if (token)
      notChecked.push(
        `${account} ${region} (${key}): more than ${MAX_PAGES * 50} events, older ones not read`,
      );
  }
  return out;
}
