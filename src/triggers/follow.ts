import {
  CloudTrailClient,
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
  type LookupEventsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import { paginate } from '../aws/paginate.js';
import type { ClientPool } from '../aws/pool.js';
import { UserError } from '../errors.js';
import { ACCESS_KEY_ID, type Lead } from './trigger.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** LookupEvents keeps 90 days of management events (CloudTrail User Guide). */
const HISTORY = 90 * DAY;

/**
 * CloudTrail calls that start spending, per Cost Explorer service name (the names Cost Anomaly
 * Detection writes in `rootCauses[].service` / `dimensionValue`). A service not listed cannot be
 * followed: the responder names the credential.
 */
export const SPENDERS: { service: RegExp; events: string[] }[] = [
  {
    service: /Elastic Compute Cloud|\bEC2\b/i,
    events: ['RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet'],
  },
  { service: /Lambda/i, events: ['CreateFunction20150331', 'UpdateFunctionCode20150331v2'] },
  { service: /SageMaker/i, events: ['CreateTrainingJob', 'CreateNotebookInstance', 'CreateEndpoint'] },
  { service: /Elastic Container Service|\bECS\b|Fargate/i, events: ['RunTask', 'CreateService'] },
  { service: /Lightsail/i, events: ['CreateInstances'] },
];

/** Who made a call, as CloudTrail says: the key, else the principal. */
interface Caller {
  accessKeyId?: string;
  arn?: string;
  type?: string;
  userName?: string;
}

interface TrailRecord {
  eventName?: string;
  eventTime?: string;
  errorCode?: string;
  userAgent?: string;
  userIdentity?: Caller;
  responseElements?: { instancesSet?: { items?: { instanceId?: string }[] } } | null;
}

/** What following a lead found: the credential, and how it was found. */
export interface LeadFound {
  subject: string;
  how: string;
}

export interface FollowOptions {
  pool: ClientPool;
  now: Date;
  /** The responder's own key: its calls are never the attacker's. */
  ownKey?: string | undefined;
}

const leadError = (message: string) =>
  new UserError('ALERT_LEAD', message, {
    exitCode: 2,
    hint: 'Name the credential as SUBJECT (e.g. `tourniquet respond AKIA… --from FILE`).',
  });

async function* lookup(
  pool: ClientPool,
  region: string,
  eventName: string,
  from: Date,
  to: Date,
): AsyncGenerator<{ event: Event; record: TrailRecord }> {
  const client = pool.get(CloudTrailClient, region);
  try {
    for await (const event of paginate<LookupEventsCommandInput, LookupEventsCommandOutput, Event>({
      send: (input) => client.send(new LookupEventsCommand(input)),
      input: {
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
        StartTime: from,
        EndTime: to,
        MaxResults: 50,
      },
      inputToken: 'NextToken',
      nextToken: (page) => page.NextToken,
      items: (page) => page.Events,
    })) {
      let record: TrailRecord = {};
      try {
        record = JSON.parse(event.CloudTrailEvent ?? '{}') as TrailRecord;
      } catch {
        // A record CloudTrail returned unreadable names nobody; the others still count.
      }
      yield { event, record };
    }
  } catch (error) {
    const c = classifyAwsError(error);
    if (c.kind === 'denied')
      throw leadError(
        `cannot look up ${eventName} in ${region} (${describeAwsError(c)}), so the alert cannot be followed to a credential.`,
      );
    throw error;
  }
}

function callerName(c: Caller | undefined): string | undefined {
  if (c?.accessKeyId && ACCESS_KEY_ID.test(c.accessKeyId)) return c.accessKeyId;
  if (c?.type === 'Root') return 'root';
  return c?.arn;
}

const isOurs = (r: TrailRecord, ownKey: string | undefined) =>
  (ownKey !== undefined && r.userIdentity?.accessKeyId === ownKey) ||
  /\btourniquet\//.test(r.userAgent ?? '');

/** The credential that launched the instance a finding is about (its RunInstances record). */
async function launcherOf(lead: Extract<Lead, { kind: 'instance' }>, o: FollowOptions): Promise<LeadFound> {
  const launch = lead.launchTime ? Date.parse(lead.launchTime) : undefined;
  // RunInstances is recorded at the launch time; a margin covers clock and delivery skew.
  const from = new Date(launch !== undefined ? launch - 15 * MINUTE : o.now.getTime() - HISTORY);
  const to = new Date(
    launch !== undefined ? Math.min(launch + 15 * MINUTE, o.now.getTime()) : o.now.getTime(),
  );
  for await (const { record } of lookup(o.pool, lead.region, 'RunInstances', from, to)) {
    const ids = record.responseElements?.instancesSet?.items?.map((i) => i.instanceId) ?? [];
    if (!ids.includes(lead.instanceId)) continue;
    const who = callerName(record.userIdentity);
    if (!who) throw leadError(`the RunInstances record of ${lead.instanceId} names no key or principal.`);
    return {
      subject: who,
      how: `${who} launched ${lead.instanceId} (RunInstances at ${record.eventTime ?? '?'} in ${lead.region}, CloudTrail)`,
    };
  }
  throw leadError(
    `no RunInstances record of ${lead.instanceId} in ${lead.region} between ${from.toISOString()} and ${to.toISOString()} (LookupEvents keeps 90 days): who launched it is unknown.`,
  );
}

/** The one credential that started spending where a cost anomaly points, since it began. */
async function spenderOf(lead: Extract<Lead, { kind: 'spend' }>, o: FollowOptions): Promise<LeadFound> {
  const spender = SPENDERS.find((s) => s.service.test(lead.service));
  if (!spender)
    throw leadError(
      `no CloudTrail call is known to start spending on ${lead.service}, so the anomaly cannot be followed to a credential.`,
    );
  // The anomaly's start is a day boundary; the launch may be the evening before.
  const from = new Date(Math.max(Date.parse(lead.since) - DAY, o.now.getTime() - HISTORY));
  const callers = new Map<string, { calls: number; first: string }>();
  // Regions in parallel: the pool paces LookupEvents per region (2 requests/s each).
  await Promise.all(
    lead.regions.map(async (region) => {
      for (const eventName of spender.events) {
        for await (const { record } of lookup(o.pool, region, eventName, from, o.now)) {
          if (record.errorCode || isOurs(record, o.ownKey)) continue;
          const who = callerName(record.userIdentity);
          if (!who) continue;
          const c = callers.get(who) ?? { calls: 0, first: record.eventTime ?? '' };
          c.calls += 1;
          if ((record.eventTime ?? '') < c.first) c.first = record.eventTime ?? c.first;
          callers.set(who, c);
        }
      }
    }),
  );
  const what = `${spender.events.join('/')} in ${lead.regions.join(', ')} since ${from.toISOString()}`;
  if (callers.size === 0) throw leadError(`no successful ${what}: nobody to follow.`);
  if (callers.size > 1) {
    const list = [...callers].map(([who, c]) => `${who} (${c.calls} call(s) from ${c.first})`).join(', ');
    throw leadError(`several credentials made ${what}: ${list}; name the one to respond to.`);
  }
  const [who, c] = [...callers][0]!;
  return {
    subject: who,
    how: `${who} made the only ${what} (${c.calls} call(s), first at ${c.first}; CloudTrail)`,
  };
}

/** Follow a lead to the credential behind it, through CloudTrail's event history (read-only calls). */
export function followLead(lead: Lead, options: FollowOptions): Promise<LeadFound> {
  return lead.kind === 'instance' ? launcherOf(lead, options) : spenderOf(lead, options);
}
