import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { collectAll } from '../aws/paginate.js';
import type { ClientPool } from '../aws/pool.js';
import { parseJsonText, stringsAt, valuesAt } from '../report/json-path.js';

/** One management event as Event history gives it, parsed. */
export interface PastEvent {
  eventId: string;
  eventTime: string;
  eventName: string;
  request: unknown;
}

/**
 * Event history of some calls in a region (90 days; LookupEvents takes one attribute, so one
 * query per event name). What the case saw before the attacker changed a resource comes from
 * here: the documents that were set by someone else, earlier.
 */
export async function pastEvents(
  pool: ClientPool,
  region: string,
  eventNames: string[],
): Promise<PastEvent[]> {
  const client = pool.get(CloudTrailClient, region);
  const out: PastEvent[] = [];
  for (const name of eventNames) {
    const first: { NextToken?: string } = {};
    const events = await collectAll({
      send: (i: { NextToken?: string }) =>
        client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }],
            MaxResults: 50,
            NextToken: i.NextToken,
          }),
        ),
      input: first,
      inputToken: 'NextToken',
      nextToken: (page) => page.NextToken,
      items: (page) => page.Events,
    });
    for (const e of events) {
      const record = parseJsonText(e.CloudTrailEvent ?? null) as {
        requestParameters?: unknown;
        errorCode?: string;
      } | null;
      if (!record || record.errorCode) continue;
      out.push({
        eventId: e.EventId ?? '',
        eventTime: e.EventTime?.toISOString() ?? '',
        eventName: e.EventName ?? name,
        request: record.requestParameters ?? null,
      });
    }
  }
  return out.sort((a, b) => a.eventTime.localeCompare(b.eventTime));
}

/** The last event before `before` that is not one of the attacker's and matches. */
export function lastBefore(
  events: PastEvent[],
  before: string,
  attacker: Set<string>,
  match: (e: PastEvent) => boolean,
) {
  return events.filter((e) => e.eventTime < before && !attacker.has(e.eventId) && match(e)).at(-1);
}

/**
 * A role's trust policy before the attacker changed it: the document of the last CreateRole or
 * UpdateAssumeRolePolicy by someone else, exactly as it was sent (so it is restored byte for byte).
 */
export async function priorTrust(
  pool: ClientPool,
  roleName: string,
  before: string,
  attacker: Set<string>,
): Promise<string | undefined> {
  const events = await pastEvents(pool, 'us-east-1', ['CreateRole', 'UpdateAssumeRolePolicy']);
  const e = lastBefore(events, before, attacker, (x) => stringsAt(x.request, 'roleName')[0] === roleName);
  if (!e) return undefined;
  return stringsAt(
    e.request,
    e.eventName === 'CreateRole' ? 'assumeRolePolicyDocument' : 'policyDocument',
  )[0];
}

/** CloudTrail's lower-camel selectors, as PutEventSelectors takes them. */
function selectorsFromRecord(request: unknown): unknown[] {
  return valuesAt(request, 'eventSelectors[]').map((s) => ({
    ReadWriteType: stringsAt(s, 'readWriteType')[0] ?? 'All',
    IncludeManagementEvents: (stringsAt(s, 'includeManagementEvents')[0] ?? 'true') === 'true',
    DataResources: valuesAt(s, 'dataResources[]').map((d) => ({
      Type: stringsAt(d, 'type')[0],
      Values: stringsAt(d, 'values[]'),
    })),
    ExcludeManagementEventSources: stringsAt(s, 'excludeManagementEventSources[]'),
  }));
}

/** A new trail logs every management event, read and write, and no data event (CloudTrail API CreateTrail). */
const TRAIL_DEFAULT = [
  {
    ReadWriteType: 'All',
    IncludeManagementEvents: true,
    DataResources: [],
    ExcludeManagementEventSources: [],
  },
];

/**
 * A trail's event selectors before the attacker changed them: the last PutEventSelectors by
 * someone else, else the defaults of its CreateTrail when that is in the history.
 */
export async function priorSelectors(
  pool: ClientPool,
  region: string,
  trailName: string,
  before: string,
  attacker: Set<string>,
): Promise<string | undefined> {
  const events = await pastEvents(pool, region, ['CreateTrail', 'PutEventSelectors']);
  const named = (e: PastEvent) => {
    const name = stringsAt(e.request, e.eventName === 'CreateTrail' ? 'name' : 'trailName')[0] ?? '';
    return name === trailName || name.endsWith(`:trail/${trailName}`);
  };
  const e = lastBefore(events, before, attacker, named);
  if (!e) return undefined;
  return JSON.stringify(e.eventName === 'CreateTrail' ? TRAIL_DEFAULT : selectorsFromRecord(e.request));
}

/**
 * A region's Bedrock model invocation logging before the attacker deleted it: the configuration of
 * the last PutModelInvocationLoggingConfiguration by someone else (Event history keeps 90 days).
 */
export async function priorInvocationLogging(
  pool: ClientPool,
  region: string,
  before: string,
  attacker: Set<string>,
): Promise<string | undefined> {
  const events = await pastEvents(pool, region, ['PutModelInvocationLoggingConfiguration']);
  const e = lastBefore(events, before, attacker, () => true);
  const config = (e?.request as { loggingConfig?: unknown } | null | undefined)?.loggingConfig;
  return config && typeof config === 'object' ? JSON.stringify(config) : undefined;
}

/** SNS's monthly SMS spend limit of an account that never set one (SNS developer guide: 1.00 USD). */
const SMS_DEFAULT_LIMIT = '1';

/**
 * A region's SMS attributes before the attacker changed them: for each name the attacker set, the
 * value of the last SetSMSAttributes by someone else (Event history keeps 90 days); a spend limit
 * never set is SNS's default. Names without an earlier value are left out (the plan says so).
 */
export async function priorSmsAttributes(
  pool: ClientPool,
  region: string,
  before: string,
  attacker: Set<string>,
  names: string[],
): Promise<Record<string, string>> {
  const events = await pastEvents(pool, region, ['SetSMSAttributes']);
  const prior: Record<string, string> = {};
  for (const name of names) {
    const e = lastBefore(events, before, attacker, (x) => valueOf(x.request, name) !== undefined);
    const value = e ? valueOf(e.request, name) : name === 'MonthlySpendLimit' ? SMS_DEFAULT_LIMIT : undefined;
    if (value !== undefined) prior[name] = value;
  }
  return prior;
}

function valueOf(request: unknown, name: string): string | undefined {
  const v = (request as { attributes?: Record<string, unknown> } | null | undefined)?.attributes?.[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Principals in a policy that are not of this account: other accounts' ARNs and ids, `*`, and
 * identity providers the attacker registered. What to take out when the prior document is unknown.
 */
export function foreignPrincipals(text: string, ourAccount: string, attackerProviders: string[]): string[] {
  const doc = parseJsonText(text);
  const out = new Set<string>();
  for (const st of valuesAt(doc, 'Statement').flatMap((s) => (Array.isArray(s) ? (s as unknown[]) : [s]))) {
    const principal = (st as { Principal?: unknown }).Principal;
    const values =
      typeof principal === 'string'
        ? [principal]
        : Object.values((principal ?? {}) as Record<string, unknown>).flatMap((v): unknown[] =>
            Array.isArray(v) ? (v as unknown[]) : [v],
          );
    for (const v of values) {
      if (typeof v !== 'string') continue;
      if (v === '*') out.add('*');
      const account = /^\d{12}$/.test(v) ? v : /^arn:aws[\w-]*:(iam|sts)::(\d{12}):/.exec(v)?.[2];
      if (account && account !== ourAccount) out.add(account);
      if (attackerProviders.includes(v)) out.add(v);
    }
  }
  return [...out];
}

/**
 * A function's environment variables before the attacker changed them: `{}` when the last
 * CreateFunction or environment change by someone else set none, its variables when the record
 * shows them, undefined when unknown (Lambda's CloudTrail records leave the values out).
 */
export async function priorEnvironment(
  pool: ClientPool,
  region: string,
  functionName: string,
  before: string,
  attacker: Set<string>,
): Promise<Record<string, string> | undefined> {
  const events = await pastEvents(pool, region, [
    'CreateFunction20150331',
    'UpdateFunctionConfiguration20150331v2',
  ]);
  const e = lastBefore(events, before, attacker, (x) => {
    const name = stringsAt(x.request, 'functionName')[0] ?? '';
    const named = name === functionName || name.endsWith(`:function:${functionName}`);
    return (
      named && (x.eventName.startsWith('CreateFunction') || valuesAt(x.request, 'environment').length > 0)
    );
  });
  if (!e) return undefined;
  const environment = valuesAt(e.request, 'environment');
  if (environment.length === 0) return {};
  const variables = valuesAt(environment[0], 'variables')[0];
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return undefined;
  const entries = Object.entries(variables as Record<string, unknown>);
  return entries.every(([, v]) => typeof v === 'string')
    ? (Object.fromEntries(entries) as Record<string, string>)
    : undefined;
}

/**
 * The principals the attacker's own PutPermission calls let onto an event bus (an account id, or
 * `*`): the statements to take out, leaving a partner's pre-existing ones. Empty when the calls
 * replaced the whole policy (`Policy`) or are not in event history.
 */
export async function attackerBusPrincipals(
  pool: ClientPool,
  region: string,
  busName: string,
  attacker: Set<string>,
): Promise<string[]> {
  const events = await pastEvents(pool, region, ['PutPermission']);
  const out = new Set<string>();
  for (const e of events) {
    if (!attacker.has(e.eventId)) continue;
    const bus = stringsAt(e.request, 'eventBusName')[0] ?? 'default';
    if (bus !== busName && !bus.endsWith(`/${busName}`)) continue;
    const principal = stringsAt(e.request, 'principal')[0];
    if (!principal || stringsAt(e.request, 'policy').length) return [];
    out.add(principal);
  }
  return [...out];
}
