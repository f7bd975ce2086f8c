import { FROM_EVENTS, NOT_RESPONDER } from '../detect/events.js';
import { EVENTS_TABLE } from '../store/schema.js';
import type { AttackerEvent, InstanceChange } from './input.js';
import { parseJsonText, stringsAt } from './json-path.js';

/** A value bound to a `?` placeholder. */
export type QueryParam = string | number | boolean | null;

/** What the report needs from the event store: one read-only query (EventStore satisfies it). */
export interface EventQuery {
  query<T = Record<string, unknown>>(sql: string, params?: QueryParam[]): Promise<T[]>;
}

/**
 * Which events are the attacker's: the investigation's attribution (a condition over
 * `cloudtrail_events e` from `compromiseCondition`), or given event ids, or every call signed by
 * some keys.
 */
export type EventSelection =
  { condition: { sql: string; params: QueryParam[] } } | { eventIds: string[] } | { accessKeyIds: string[] };

interface Row {
  eventid: string;
  eventtime: string;
  awsregion: string | null;
  eventsource: string | null;
  eventname: string | null;
  sourceipaddress: string | null;
  useragent: string | null;
  errorcode: string | null;
  accesskeyid: string | null;
  arn: string | null;
  requestparameters: string | null;
  responseelements: string | null;
}

const COLUMNS = `eventid, eventtime, awsregion, eventsource, eventname, sourceipaddress, useragent, errorcode,
  useridentity.accesskeyid AS accesskeyid, useridentity.arn AS arn, requestparameters, responseelements`;

// Bound lists are sent in slices so a long incident never builds one enormous statement.
const SLICE = 500;

function toEvent(r: Row): AttackerEvent {
  return {
    eventId: r.eventid,
    time: r.eventtime,
    region: r.awsregion ?? '',
    eventSource: r.eventsource ?? '',
    eventName: r.eventname ?? '',
    sourceIp: r.sourceipaddress,
    userAgent: r.useragent,
    errorCode: r.errorcode,
    accessKeyId: r.accesskeyid,
    principalArn: r.arn,
    requestParameters: r.requestparameters,
    responseElements: r.responseelements,
  };
}

async function inSlices(store: EventQuery, where: string, values: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (let i = 0; i < values.length; i += SLICE) {
    const slice = values.slice(i, i + SLICE);
    const marks = slice.map(() => '?').join(', ');
    rows.push(
      ...(await store.query<Row>(
        `SELECT ${COLUMNS} FROM ${FROM_EVENTS} WHERE ${where} IN (${marks}) AND ${NOT_RESPONDER}`,
        slice,
      )),
    );
  }
  return rows;
}

/** The events the investigation attributed (the condition its timeline used); the latest `latest`. */
function attributed(
  store: EventQuery,
  condition: { sql: string; params: QueryParam[] },
  latest?: number,
): Promise<Row[]> {
  const limit = latest === undefined ? '' : ` ORDER BY eventtime DESC, eventid LIMIT ${Math.floor(latest)}`;
  return store.query<Row>(
    `SELECT ${COLUMNS} FROM ${FROM_EVENTS} WHERE ${condition.sql}${limit}`,
    condition.params,
  );
}

/** How many events a condition selects. */
export async function countEvents(
  store: EventQuery,
  condition: { sql: string; params: QueryParam[] },
): Promise<number> {
  const [row] = await store.query<{ n: number | bigint }>(
    `SELECT count(DISTINCT eventid) AS n FROM ${FROM_EVENTS} WHERE ${condition.sql}`,
    condition.params,
  );
  return Number(row?.n ?? 0);
}

/**
 * The attacker's events from the store (or, by condition, anyone's), in time order, each once;
 * `latest`: only the latest that many of a condition's events.
 */
export async function readAttackerEvents(
  store: EventQuery,
  selection: EventSelection,
  latest?: number,
): Promise<AttackerEvent[]> {
  const rows =
    'condition' in selection
      ? await attributed(store, selection.condition, latest)
      : 'eventIds' in selection
        ? await inSlices(store, 'eventid', [...new Set(selection.eventIds)])
        : await inSlices(store, 'useridentity.accesskeyid', [...new Set(selection.accessKeyIds)]);
  const byId = new Map(rows.map((r) => [r.eventid, r]));
  return [...byId.values()]
    .map(toEvent)
    .sort((a, b) => a.time.localeCompare(b.time) || a.eventId.localeCompare(b.eventId));
}

/** Stop, start and terminate calls by anyone on these instances (the responder's included). */
export async function readInstanceChanges(
  store: EventQuery,
  instanceIds: string[],
): Promise<InstanceChange[]> {
  if (instanceIds.length === 0) return [];
  const wanted = new Set(instanceIds);
  const rows = await store.query<{ eventname: string; eventtime: string; requestparameters: string | null }>(
    `SELECT eventname, eventtime, requestparameters FROM ${EVENTS_TABLE}
      WHERE eventname IN ('TerminateInstances', 'StopInstances', 'StartInstances') AND errorcode IS NULL
      ORDER BY eventtime`,
  );
  return rows.flatMap((r) =>
    stringsAt(parseJsonText(r.requestparameters), 'instancesSet.items[].instanceId')
      .filter((id) => wanted.has(id))
      .map((instanceId) => ({ instanceId, eventName: r.eventname, time: r.eventtime })),
  );
}
