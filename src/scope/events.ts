import { FROM_EVENTS, NOT_RESPONDER, PRINCIPAL, type EventQuery, type QueryParam } from '../detect/events.js';
import { baseEventName, writeEventNames } from './writes.js';

/** One successful write event of the case, with the strings it names. */
export interface WriteEvent {
  eventId: string;
  time: string;
  /** Without Lambda's API-version suffix. */
  name: string;
  source: string;
  region: string;
  /** The account the call acted in (`recipientAccountId`). */
  account: string;
  principal: string | null;
  sourceIp: string | null;
  /** Made with the compromise's credentials (the investigation's attribution). */
  attacker: boolean;
  /** Made by the responder's own calls (containment, eradication): never a way back in. */
  responder: boolean;
  requestParameters: unknown;
  responseElements: unknown;
  /** Every string value of the request, the response and the resource ARNs. */
  strings: Set<string>;
}

interface Row {
  eventid: string;
  eventtime: string;
  eventname: string;
  eventsource: string;
  awsregion: string;
  recipientaccountid: string | null;
  principal: string | null;
  sourceipaddress: string | null;
  requestparameters: string | null;
  responseelements: string | null;
  resources: { arn: string | null }[] | null;
  attacker: boolean;
  responder: boolean;
}

function parse(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Strings longer than this are documents and bodies, not names: not indexed. */
const MAX_NAME = 2048;

function collectStrings(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 12 || value === null || value === undefined) return;
  if (typeof value === 'string') {
    if (value.length <= MAX_NAME) into.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectStrings(v, into, depth + 1);
  else if (typeof value === 'object')
    for (const v of Object.values(value)) collectStrings(v, into, depth + 1);
}

/**
 * The case's successful write events that attribution reads (the names in `writes.ts`, and every
 * Lambda write, whose names carry a version suffix), each marked `attacker` by the
 * investigation's condition (`compromiseCondition`; no condition: nothing is the attacker's).
 */
export async function loadWriteEvents(
  store: EventQuery,
  attacker: { sql: string; params: QueryParam[] } | null,
): Promise<WriteEvent[]> {
  const names = writeEventNames();
  const rows = await store.query<Row>(
    `SELECT e.eventid, e.eventtime, e.eventname, e.eventsource, e.awsregion, e.recipientaccountid, ${PRINCIPAL} AS principal,
            e.sourceipaddress, e.requestparameters, e.responseelements, e.resources,
            ${attacker ? `coalesce((${attacker.sql}), false)` : 'false'} AS attacker,
            NOT (${NOT_RESPONDER}) AS responder
       FROM ${FROM_EVENTS}
      WHERE e.errorcode IS NULL AND coalesce(e.readonly, 'false') <> 'true'
        AND (e.eventname IN (${names.map(() => '?').join(', ')}) OR e.eventsource = 'lambda.amazonaws.com')
      ORDER BY e.eventtime, e.eventid`,
    [...(attacker?.params ?? []), ...names],
  );
  return rows.map((r) => {
    const requestParameters = parse(r.requestparameters);
    const responseElements = parse(r.responseelements);
    const strings = new Set<string>();
    collectStrings(requestParameters, strings);
    collectStrings(responseElements, strings);
    for (const res of r.resources ?? []) if (res.arn) strings.add(res.arn);
    return {
      eventId: r.eventid,
      time: r.eventtime,
      name: baseEventName(r.eventname),
      source: r.eventsource,
      region: r.awsregion,
      account: r.recipientaccountid ?? '',
      principal: r.principal,
      sourceIp: r.sourceipaddress,
      attacker: r.attacker,
      responder: r.responder,
      requestParameters,
      responseElements,
      strings,
    };
  });
}

/** Write events by the strings they name, for looking up an item's events. */
export class WriteIndex {
  private readonly byString = new Map<string, WriteEvent[]>();

  constructor(readonly events: WriteEvent[]) {
    for (const e of events) {
      for (const s of e.strings) {
        const list = this.byString.get(s);
        if (list) list.push(e);
        else this.byString.set(s, [e]);
      }
    }
  }

  /** Events named `names` that mention every one of `all` and at least one of `any` (oldest first). */
  find(names: readonly string[], any: readonly string[], all: readonly string[] = []): WriteEvent[] {
    const wanted = new Set(names);
    const seen = new Set<string>();
    const out: WriteEvent[] = [];
    for (const ref of any) {
      for (const e of this.byString.get(ref) ?? []) {
        if (seen.has(e.eventId) || !wanted.has(e.name)) continue;
        if (!all.every((s) => e.strings.has(s))) continue;
        seen.add(e.eventId);
        out.push(e);
      }
    }
    return out.sort((a, b) => a.time.localeCompare(b.time) || a.eventId.localeCompare(b.eventId));
  }

  /** Events named `names` (any item), oldest first. */
  byName(names: readonly string[]): WriteEvent[] {
    const wanted = new Set(names);
    return this.events.filter((e) => wanted.has(e.name));
  }

  /** The index of the calls that acted in one account. */
  forAccount(account: string): WriteIndex {
    return new WriteIndex(this.events.filter((e) => e.account === account));
  }

  /** The regions (not `global`) where calls acted in `account`. */
  regionsIn(account: string): string[] {
    return [...new Set(this.events.filter((e) => e.account === account).map((e) => e.region))].sort();
  }
}
