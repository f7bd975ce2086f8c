import { runRules, severityRank } from '../detect/engine.js';
import { FROM_EVENTS, NOT_RESPONDER, PRINCIPAL, type EventQuery, type QueryParam } from '../detect/events.js';
import type { Severity } from '../detect/finding.js';
import { BUILTIN_RULES } from '../detect/rules/index.js';
import type { Indicators } from './indicators.js';

/** One call the watch raises: who, what, from where, and every reason it matters. */
export interface WatchAlert {
  /** The event id: one alert per call, whatever the number of reasons. */
  id: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  region: string;
  principal: string | null;
  accessKeyId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  /** Set when AWS refused the call (a re-entry attempt with a dead key is still an alert). */
  errorCode: string | null;
  severity: Severity;
  reasons: string[];
  /** When the watch saw it. */
  detectedAt: string;
}

interface Row {
  eventid: string;
  eventtime: string;
  eventname: string;
  eventsource: string;
  awsregion: string;
  principal: string | null;
  accesskey: string | null;
  sourceipaddress: string | null;
  useragent: string | null;
  errorcode: string | null;
  readonly: string | null;
  requestparameters: string | null;
}

/** Rule categories whose findings mean a new way in (a persistence-kind event). */
const PERSISTENCE_CATEGORIES = new Set([
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
]);
const PERSISTENCE_RULES = BUILTIN_RULES.filter((r) => PERSISTENCE_CATEGORIES.has(r.category));

const marks = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/**
 * The indicators as data: each is a SQL condition over one event (to fetch candidates in one
 * query) and the reason it gives for a matching row.
 */
const INDICATORS: {
  severity: Severity;
  where(ind: Indicators): { sql: string; params: QueryParam[] } | null;
  reason(row: Row, ind: Indicators): string | null;
}[] = [
  {
    severity: 'critical',
    where: (ind) =>
      ind.keys.length
        ? { sql: `e.useridentity.accesskeyid IN (${marks(ind.keys)})`, params: ind.keys }
        : null,
    reason: (row, ind) =>
      row.accesskey && ind.keys.includes(row.accesskey)
        ? `call by the compromised credential or its lineage (${row.accesskey})${row.errorcode ? `, refused: ${row.errorcode}` : ''}`
        : null,
  },
  {
    severity: 'high',
    where: (ind) =>
      ind.ips.length ? { sql: `e.sourceipaddress IN (${marks(ind.ips)})`, params: ind.ips } : null,
    reason: (row, ind) =>
      row.sourceipaddress && ind.ips.includes(row.sourceipaddress)
        ? `from the attacker's address ${row.sourceipaddress}`
        : null,
  },
  {
    severity: 'high',
    where: (ind) =>
      ind.userAgents.length
        ? { sql: `e.useragent IN (${marks(ind.userAgents)})`, params: ind.userAgents }
        : null,
    reason: (row, ind) =>
      row.useragent && ind.userAgents.includes(row.useragent) ? "with the attacker's user agent" : null,
  },
  {
    severity: 'critical',
    where: (ind) =>
      ind.eradicated.length
        ? {
            sql: `(coalesce(e.readonly, 'false') <> 'true' AND (${ind.eradicated.map(() => "strpos(coalesce(e.requestparameters, ''), ?) > 0").join(' OR ')}))`,
            params: ind.eradicated.map((x) => x.name),
          }
        : null,
    reason: (row, ind) => {
      if (row.readonly === 'true') return null;
      const hit = ind.eradicated.find((x) => (row.requestparameters ?? '').includes(x.name));
      return hit ? `names ${hit.name} again, which eradication removed (${hit.step})` : null;
    },
  },
];

export interface AlertQuery {
  /** Calls from here on count. */
  since: string;
  /** Event ids already alerted (never twice). */
  alerted: ReadonlySet<string>;
  exclude: readonly string[];
  now: Date;
  /**
   * The access key watch runs on: the responder's own calls (the AWS CLI beside Tourniquet, from
   * the same address as the attacker's in a lab) are not alerted, unless that key is one of the
   * compromise's.
   */
  responderKey?: string | undefined;
}

function excluded(row: Row, exclude: readonly string[]): boolean {
  return exclude.some(
    (x) =>
      x === row.accesskey ||
      x === row.sourceipaddress ||
      x === row.eventid ||
      (row.principal !== null && (x === row.principal || row.principal.endsWith(`/${x}`))),
  );
}

const ROW_COLUMNS = `e.eventid, e.eventtime, e.eventname, e.eventsource, e.awsregion, ${PRINCIPAL} AS principal,
  e.useridentity.accesskeyid AS accesskey, e.sourceipaddress, e.useragent, e.errorcode, e.readonly,
  e.requestparameters`;

/**
 * The new alerts in the store: calls since the watch began, not the responder's, not excluded,
 * not alerted before, matching an indicator or a persistence-kind detection rule.
 */
export async function findAlerts(store: EventQuery, ind: Indicators, q: AlertQuery): Promise<WatchAlert[]> {
  const byId = new Map<string, { row: Row; reasons: string[]; severity: Severity }>();
  const add = (row: Row, reason: string, severity: Severity) => {
    if (q.alerted.has(row.eventid) || excluded(row, q.exclude)) return;
    if (q.responderKey && row.accesskey === q.responderKey && !ind.keys.includes(q.responderKey)) return;
    const entry = byId.get(row.eventid) ?? { row, reasons: [], severity };
    if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
    if (severityRank(severity) > severityRank(entry.severity)) entry.severity = severity;
    byId.set(row.eventid, entry);
  };
  const conditions = INDICATORS.map((i) => i.where(ind)).filter(
    (c): c is NonNullable<typeof c> => c !== null,
  );
  if (conditions.length) {
    const rows = await store.query<Row>(
      `SELECT ${ROW_COLUMNS} FROM ${FROM_EVENTS}
       WHERE e.eventtime >= ? AND ${NOT_RESPONDER} AND (${conditions.map((c) => c.sql).join(' OR ')})
       ORDER BY e.eventtime, e.eventid`,
      [q.since, ...conditions.flatMap((c) => c.params)],
    );
    for (const row of rows)
      for (const indicator of INDICATORS) {
        const reason = indicator.reason(row, ind);
        if (reason) add(row, reason, indicator.severity);
      }
  }
  const run = await runRules(store, PERSISTENCE_RULES, { range: { since: q.since } });
  const ruleOf = new Map<string, { title: string; severity: Severity }[]>();
  for (const f of run.findings)
    for (const id of f.eventIds)
      ruleOf.set(id, [...(ruleOf.get(id) ?? []), { title: f.title, severity: f.severity }]);
  const ids = [...ruleOf.keys()].filter((id) => !q.alerted.has(id));
  if (ids.length) {
    const rows = await store.query<Row>(
      `SELECT ${ROW_COLUMNS} FROM ${FROM_EVENTS} WHERE e.eventid IN (${marks(ids)})`,
      ids,
    );
    for (const row of rows)
      for (const rule of ruleOf.get(row.eventid) ?? [])
        add(row, `persistence-kind event: ${rule.title}`, rule.severity);
  }
  const detectedAt = q.now.toISOString();
  return [...byId.values()]
    .sort(
      (a, b) => a.row.eventtime.localeCompare(b.row.eventtime) || a.row.eventid.localeCompare(b.row.eventid),
    )
    .map(({ row, reasons, severity }) => ({
      id: row.eventid,
      eventTime: row.eventtime,
      eventName: row.eventname,
      eventSource: row.eventsource,
      region: row.awsregion,
      principal: row.principal,
      accessKeyId: row.accesskey,
      sourceIp: row.sourceipaddress,
      userAgent: row.useragent,
      errorCode: row.errorcode,
      severity,
      reasons,
      detectedAt,
    }));
}
