import { FROM_EVENTS, NOT_RESPONDER, valueIn, type EventQuery, type QueryParam } from './events.js';
import { networkOf, type GeoIp } from './geoip.js';

/** A time window over eventtime (ISO strings). */
export interface Window {
  since: string;
  until: string;
}

/** One value seen in the incident window and never in the baseline. */
export interface NewValue {
  value: string;
  events: number;
  firstSeen: string;
  /** For addresses: their network (ASN/country with a database, else /24 or /48). */
  network?: string | null;
  asn?: number | null;
  asOrg?: string | null;
  country?: string | null;
}

export interface Anomalies {
  principals: string[];
  baseline: Window & { events: number };
  incident: Window & { events: number };
  /** True when the baseline has no events: everything in the incident window is "new". */
  baselineEmpty: boolean;
  newSourceIps: NewValue[];
  newNetworks: NewValue[];
  newUserAgents: NewValue[];
  newRegions: NewValue[];
  newServices: NewValue[];
  newEventNames: NewValue[];
  errorRate: { baseline: number; incident: number; spike: boolean };
}

/** Events grouped by every compared value: one row per distinct combination, with its count. */
interface EventRow {
  /** First time the combination was seen. */
  eventtime: string;
  n: number;
  sourceipaddress: string | null;
  useragent: string | null;
  awsregion: string | null;
  eventsource: string | null;
  eventname: string | null;
  failed: boolean;
}

const DIMENSIONS = [
  ['newSourceIps', 'sourceipaddress'],
  ['newUserAgents', 'useragent'],
  ['newRegions', 'awsregion'],
  ['newServices', 'eventsource'],
  ['newEventNames', 'eventname'],
] as const;

/**
 * Compare the subject principals' activity in the incident window with their baseline (the
 * window before it): addresses, networks, user agents, regions, services and APIs never seen
 * before, and the error rate. The responder's own calls are left out.
 */
export async function compareWithBaseline(
  store: EventQuery,
  options: { principals: string[]; keys: string[]; incident: Window; baselineDays: number; geoip?: GeoIp },
): Promise<Anomalies> {
  const baselineWindow: Window = {
    since: new Date(Date.parse(options.incident.since) - options.baselineDays * 86_400_000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z'),
    until: options.incident.since,
  };
  const [baseline, incident] = await Promise.all([
    eventsOf(store, options, baselineWindow, false),
    eventsOf(store, options, options.incident, true),
  ]);
  const anomalies: Anomalies = {
    principals: options.principals,
    baseline: { ...baselineWindow, events: total(baseline) },
    incident: { ...options.incident, events: total(incident) },
    baselineEmpty: baseline.length === 0,
    newSourceIps: [],
    newNetworks: [],
    newUserAgents: [],
    newRegions: [],
    newServices: [],
    newEventNames: [],
    errorRate: errorRates(baseline, incident),
  };
  for (const [name, column] of DIMENSIONS) {
    anomalies[name] = newValues(
      baseline.map((r) => r[column]),
      incident,
      (r) => r[column],
    );
  }
  const info = (
    ip: string,
  ): { network: string | null; asn: number | null; asOrg: string | null; country: string | null } => {
    const found = options.geoip?.lookup(ip);
    if (found) {
      const network =
        found.asn !== null ? `AS${found.asn}${found.asOrg ? ` ${found.asOrg}` : ''}` : found.country;
      return { ...found, network: network ?? networkOf(ip) };
    }
    return { network: networkOf(ip), asn: null, asOrg: null, country: null };
  };
  for (const ip of anomalies.newSourceIps) Object.assign(ip, info(ip.value));
  const networkOfRow = (r: EventRow): string | null =>
    r.sourceipaddress ? info(r.sourceipaddress).network : null;
  anomalies.newNetworks = newValues(baseline.map(networkOfRow), incident, networkOfRow);
  return anomalies;
}

async function eventsOf(
  store: EventQuery,
  options: { principals: string[]; keys: string[] },
  window: Window,
  incident: boolean,
): Promise<EventRow[]> {
  // Baseline: the subject principals' own history. Incident: also every derived key (lineage).
  const who: string[] = [];
  const params: QueryParam[] = [];
  for (const [column, values] of [
    ['e.useridentity.arn', options.principals],
    ['e.useridentity.accesskeyid', incident ? options.keys : []],
  ] as const) {
    if (values.length === 0) continue;
    const among = valueIn(column, values);
    who.push(among.sql);
    params.push(...among.params);
  }
  if (who.length === 0) return [];
  // Aggregated in the store: a busy principal has millions of events but few combinations.
  return store.query<EventRow>(
    `SELECT e.sourceipaddress, e.useragent, e.awsregion, e.eventsource, e.eventname,
       coalesce(e.errorcode, '') <> '' AS failed, count(*) AS n, min(e.eventtime) AS eventtime
     FROM ${FROM_EVENTS}
     WHERE (${who.join(' OR ')}) AND ${NOT_RESPONDER} AND e.eventtime >= ? AND e.eventtime ${incident ? '<=' : '<'} ?
     GROUP BY 1, 2, 3, 4, 5, 6
     ORDER BY eventtime`,
    [...params, window.since, window.until],
  );
}

function newValues(
  known: (string | null)[],
  incident: EventRow[],
  pick: (r: EventRow) => string | null,
): NewValue[] {
  const seen = new Set(known.filter((v): v is string => v !== null));
  const found = new Map<string, NewValue>();
  for (const row of incident) {
    const value = pick(row);
    if (value === null || value === '' || seen.has(value)) continue;
    const entry = found.get(value);
    if (entry) {
      entry.events += row.n;
      if (row.eventtime < entry.firstSeen) entry.firstSeen = row.eventtime;
    } else found.set(value, { value, events: row.n, firstSeen: row.eventtime });
  }
  // Ties in a fixed order (first seen, then the value): the rows come back in any order.
  return [...found.values()].sort(
    (a, b) => b.events - a.events || a.firstSeen.localeCompare(b.firstSeen) || a.value.localeCompare(b.value),
  );
}

/** A spike: the incident error rate at least doubles the baseline's and adds 20 points, over 5+ errors. */
function errorRates(baseline: EventRow[], incident: EventRow[]): Anomalies['errorRate'] {
  const failures = (rows: EventRow[]): number => total(rows.filter((r) => r.failed));
  const rate = (rows: EventRow[]): number => (rows.length ? failures(rows) / total(rows) : 0);
  const before = rate(baseline);
  const during = rate(incident);
  const errors = failures(incident);
  return {
    baseline: round(before),
    incident: round(during),
    spike: errors >= 5 && during >= before * 2 && during - before >= 0.2,
  };
}

function total(rows: EventRow[]): number {
  return rows.reduce((sum, r) => sum + r.n, 0);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
