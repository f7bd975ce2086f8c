import { EVENTS_TABLE } from './schema.js';
import type { EventStore, SqlParam } from './store.js';

/** Who acted: the identity ARN, or for roles the session issuer's when the session ARN is absent. */
const PRINCIPAL_SQL = `coalesce(useridentity.arn, useridentity.sessioncontext.sessionissuer.arn,
  CASE WHEN useridentity.type IS NOT NULL THEN useridentity.type || ':' || coalesce(useridentity.principalid, useridentity.invokedby, '?') END,
  '(no identity)')`;

/** One ranked list of the summary: a grouping expression and what to show beside its count. */
interface Section {
  /** The value grouped on. */
  key: string;
  /** Extra columns aggregated per group (name → SQL aggregate). */
  extra?: Record<string, string>;
  limit: number;
}

/** The summary's ranked lists, declared once; each becomes one GROUP BY query. */
const SECTIONS = {
  accounts: { key: 'recipientaccountid', limit: 50 },
  regions: { key: 'awsregion', limit: 50 },
  principals: {
    key: PRINCIPAL_SQL,
    extra: {
      type: 'any_value(useridentity.type)',
      accessKeys: 'count(DISTINCT useridentity.accesskeyid)',
      first: 'min(eventtime)',
      last: 'max(eventtime)',
    },
    limit: 100,
  },
  accessKeys: {
    key: 'useridentity.accesskeyid',
    extra: { principal: `any_value(${PRINCIPAL_SQL})`, first: 'min(eventtime)', last: 'max(eventtime)' },
    limit: 100,
  },
  sourceIps: { key: 'sourceipaddress', limit: 50 },
  userAgents: { key: 'useragent', limit: 30 },
  eventNames: { key: "eventsource || ':' || eventname", extra: { errors: 'count(errorcode)' }, limit: 40 },
  errorCodes: { key: 'errorcode', limit: 30 },
} satisfies Record<string, Section>;

export type SummarySection = keyof typeof SECTIONS;

/** One row of a ranked list. */
export interface Ranked {
  value: string;
  count: number;
  [extra: string]: string | number | null;
}

/** What the store holds, in the words of the hunt summary. */
export interface StoreSummary {
  records: number;
  timeRange: { first: string | null; last: string | null };
  /** Each list, most frequent first, cut at its limit; `distinct` says how many there were in all. */
  lists: Record<SummarySection, { distinct: number; top: Ranked[] }>;
}

/**
 * Summarise the events in the store (optionally only those matching `where`, a SQL condition on
 * the table's columns with `?` parameters): counts, time range and the ranked lists of
 * `SECTIONS` (accounts, regions, principals, access keys, source IPs, user agents, event names,
 * error codes). NULL values are left out of the lists.
 */
export async function summarizeStore(
  store: EventStore,
  where = 'TRUE',
  params: SqlParam[] = [],
): Promise<StoreSummary> {
  const [totals] = await store.query<{ n: number; first: string | null; last: string | null }>(
    `SELECT count(*) AS n, min(eventtime) AS first, max(eventtime) AS last FROM ${EVENTS_TABLE} WHERE ${where}`,
    params,
  );
  const lists = {} as StoreSummary['lists'];
  for (const [name, section] of Object.entries(SECTIONS) as [SummarySection, Section][]) {
    const extras = Object.entries(section.extra ?? {})
      .map(([alias, sql]) => `, ${sql} AS "${alias}"`)
      .join('');
    const rows = await store.query<Ranked & { distinct_values: number }>(
      `SELECT CAST(${section.key} AS VARCHAR) AS value, count(*) AS count${extras},
              count(*) OVER () AS distinct_values
         FROM ${EVENTS_TABLE}
        WHERE (${where}) AND (${section.key}) IS NOT NULL
        GROUP BY 1 ORDER BY count DESC, value LIMIT ${section.limit}`,
      params,
    );
    lists[name] = {
      distinct: rows[0]?.distinct_values ?? 0,
      top: rows.map(({ distinct_values: _d, ...rest }) => rest),
    };
  }
  return {
    records: totals?.n ?? 0,
    timeRange: { first: totals?.first ?? null, last: totals?.last ?? null },
    lists,
  };
}

/**
 * Summarise the store on a second connection while `work` runs on this one (a hunt's detection):
 * both are mostly DuckDB's fixed cost per statement, on one thread each. Both are awaited
 * before the connection closes, whichever fails.
 */
export async function summarizeBeside<T>(
  store: EventStore,
  work: () => Promise<T>,
): Promise<[StoreSummary, T]> {
  const fork = await store.fork();
  try {
    const [summary, result] = await Promise.allSettled([summarizeStore(fork), work()]);
    if (summary.status === 'rejected') throw summary.reason;
    if (result.status === 'rejected') throw result.reason;
    return [summary.value, result.value];
  } finally {
    fork.close();
  }
}
