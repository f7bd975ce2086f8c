import { createHash } from 'node:crypto';
import { SEVERITIES, type Finding, type Severity } from './finding.js';
import {
  FROM_EVENTS,
  NOT_RESPONDER,
  PRINCIPAL,
  timeConditions,
  type EventQuery,
  type QueryParam,
  type TimeRange,
} from './events.js';
import type { DetectionRule } from './rules/types.js';

/** One group of matching events, aggregated in SQL (a finding to be). */
interface Group {
  principal: string | null;
  accesskeys: (string | null)[];
  regions: (string | null)[];
  ips: (string | null)[];
  n: number;
  failed: number;
  firstseen: string;
  lastseen: string;
  eventids: string[];
}

export interface RunRulesOptions {
  range?: TimeRange;
  /** Most event ids kept per finding (its `eventCount` stays exact); default 10,000. */
  maxEventIds?: number;
}

/** The outcome of running a rule list: findings, plus rules that failed or had findings cut short. */
export interface RuleRun {
  findings: Finding[];
  failures: { ruleId: string; error: string }[];
  /** Rules with a finding whose event id list was capped at `maxEventIds`. */
  truncated: string[];
}

/**
 * Run every rule against the store and turn its matches into findings. The grouping happens in
 * SQL (the portable subset, window functions for bursts), so only one row per finding comes back
 * even when a rule matches millions of events.
 */
export async function runRules(
  store: EventQuery,
  list: readonly DetectionRule[],
  options: RunRulesOptions = {},
): Promise<RuleRun> {
  const run: RuleRun = { findings: [], failures: [], truncated: [] };
  const cap = options.maxEventIds ?? 10_000;
  const matching = await rulesWithMatches(store, list, options.range);
  const together = await groupTogether(
    store,
    list.filter((r) => matching.has(r) && !r.threshold),
    options.range,
  );
  for (const rule of list) {
    if (!matching.has(rule)) continue;
    let groups: Group[];
    try {
      const { sql, params } = ruleSql(rule, options.range);
      groups = together.get(rule) ?? (await store.query<Group>(sql, params));
    } catch (error) {
      run.failures.push({ ruleId: rule.id, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    for (const group of groups) {
      if (group.eventids.length > cap) {
        group.eventids = group.eventids.slice(0, cap);
        if (!run.truncated.includes(rule.id)) run.truncated.push(rule.id);
      }
      run.findings.push(toFinding(rule, group));
    }
  }
  run.findings.sort(bySeverityThenTime);
  return run;
}

/**
 * The rules whose predicate matches at least one event, found in one scan: most rules match
 * nothing, and a query per rule costs more in planning than in reading. When the combined query
 * fails (a rule's SQL is broken), every rule is returned and runs on its own, where its failure
 * is reported by name.
 */
async function rulesWithMatches(
  store: EventQuery,
  list: readonly DetectionRule[],
  range: TimeRange | undefined,
): Promise<Set<DetectionRule>> {
  if (list.length === 0) return new Set();
  const time = timeConditions(range);
  const columns = list.map((rule, i) => `bool_or(coalesce(${rule.where}, false)) AS r${i}`);
  try {
    const [row] = await store.query<Record<string, boolean | null>>(
      `SELECT ${columns.join(',\n  ')}
       FROM ${FROM_EVENTS} WHERE ${[NOT_RESPONDER, ...time.sql].join(' AND ')}`,
      time.params,
    );
    return new Set(list.filter((_, i) => row?.[`r${i}`] === true));
  } catch {
    return new Set(list);
  }
}

/**
 * The groups of several plain (non-threshold) rules in one query, by rule. Empty when the
 * combined query fails: each rule then runs alone and a broken one is reported by name.
 */
async function groupTogether(
  store: EventQuery,
  rules: readonly DetectionRule[],
  range: TimeRange | undefined,
): Promise<Map<DetectionRule, Group[]>> {
  if (rules.length < 2) return new Map();
  const byRule = new Map<DetectionRule, Group[]>(rules.map((r) => [r, []]));
  const time = timeConditions(range);
  const parts = rules.map((rule, i) => `SELECT ${i} AS rule, ${matchedSql(rule, range)}`);
  try {
    const rows = await store.query<Group & { rule: number }>(
      `SELECT rule, principal, ${AGGREGATES}
       FROM (${parts.join('\n UNION ALL ')}) m
       GROUP BY rule, principal, accesskey, awsregion
       ORDER BY rule, firstseen`,
      rules.flatMap(() => time.params),
    );
    for (const { rule, ...group } of rows) byRule.get(rules[rule]!)!.push(group);
    return byRule;
  } catch {
    return new Map();
  }
}

/** The columns and conditions of a rule's matching events (a SELECT without its keyword). */
function matchedSql(rule: DetectionRule, range: TimeRange | undefined): string {
  const time = timeConditions(range);
  const distinct = rule.threshold?.distinct ? `(${rule.threshold.distinct})` : 'NULL';
  return `e.eventid, e.eventtime, e.awsregion, e.sourceipaddress, e.errorcode,
      ${PRINCIPAL} AS principal, e.useridentity.accesskeyid AS accesskey, ${distinct} AS distinctvalue,
      ${ACTOR[rule.threshold?.by ?? 'principal']} AS actor
    FROM ${FROM_EVENTS}
    WHERE (${rule.where}) AND ${[NOT_RESPONDER, ...time.sql].join(' AND ')}`;
}

/** Whose burst a threshold counts (see `Threshold.by`); a principal is never null, so neither is its actor. */
const ACTOR = {
  principal: `coalesce(${PRINCIPAL}, '')`,
  sourceip: `coalesce(e.sourceipaddress, '')`,
  account: `coalesce(e.recipientaccountid, e.useridentity.accountid, '')`,
} as const;

const AGGREGATES = `count(*) AS n,
    sum(CASE WHEN coalesce(errorcode, '') <> '' THEN 1 ELSE 0 END) AS failed,
    min(eventtime) AS firstseen, max(eventtime) AS lastseen,
    array_agg(eventid ORDER BY eventtime, eventid) AS eventids,
    array_agg(DISTINCT accesskey) AS accesskeys,
    array_agg(DISTINCT awsregion) AS regions,
    array_agg(DISTINCT sourceipaddress) AS ips`;

/**
 * The SQL a rule runs: its predicate over `cloudtrail_events e` (minus the responder's own calls),
 * grouped per principal, key and region — or, for threshold rules, per principal into bursts
 * (a gap longer than `withinMinutes` starts a new burst) kept when large enough.
 */
export function ruleSql(rule: DetectionRule, range?: TimeRange): { sql: string; params: QueryParam[] } {
  const time = timeConditions(range);
  const matched = `SELECT ${matchedSql(rule, range)}`;
  if (!rule.threshold) {
    return {
      sql: `SELECT principal, ${AGGREGATES}
  FROM (${matched}) m
  GROUP BY principal, accesskey, awsregion
  ORDER BY firstseen`,
      params: time.params,
    };
  }
  const { count, withinMinutes, distinct } = rule.threshold;
  const order = 'PARTITION BY actor ORDER BY ts, eventid';
  // A burst of one principal names it; a burst by address or account names one only if it is alone.
  const principal =
    (rule.threshold.by ?? 'principal') === 'principal'
      ? 'principal'
      : 'CASE WHEN count(DISTINCT principal) = 1 THEN max(principal) END AS principal';
  return {
    sql: `WITH m AS (SELECT matched.*, from_iso8601_timestamp(eventtime) AS ts FROM (${matched}) matched),
  g AS (SELECT m.*, CASE WHEN date_diff('second', lag(ts) OVER (${order}), ts) > ${withinMinutes * 60}
                         THEN 1 ELSE 0 END AS brk FROM m),
  b AS (SELECT g.*, sum(brk) OVER (${order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS burst FROM g)
  SELECT ${principal}, ${AGGREGATES}
  FROM b
  GROUP BY actor, burst${principal === 'principal' ? ', principal' : ''}
  HAVING ${distinct ? 'count(DISTINCT distinctvalue)' : 'count(*)'} >= ${count}
  ORDER BY firstseen`,
    params: time.params,
  };
}

function toFinding(rule: DetectionRule, group: Group): Finding {
  const regions = present(group.regions);
  const keys = present(group.accesskeys);
  const ips = present(group.ips);
  const id = createHash('sha256')
    .update(
      JSON.stringify([rule.id, group.principal, keys[0] ?? null, regions[0] ?? null, group.eventids[0]]),
    )
    .digest('hex')
    .slice(0, 12);
  const counts = `${group.n} event${group.n === 1 ? '' : 's'}${group.failed ? ` (${group.failed} failed)` : ''}`;
  const where = regions.length ? ` in ${regions.join(', ')}` : '';
  const from = ips.length ? ` from ${ips.slice(0, 3).join(', ')}${ips.length > 3 ? ', …' : ''}` : '';
  const finding: Finding = {
    id: `F-${id}`,
    ruleId: rule.id,
    title: rule.title,
    category: rule.category,
    technique: rule.technique,
    tactic: rule.tactic,
    severity: rule.severity,
    eventIds: group.eventids,
    principal: group.principal,
    accessKey: keys.length === 1 ? keys[0]! : null,
    region: regions.length === 1 ? regions[0]! : null,
    firstSeen: group.firstseen,
    lastSeen: group.lastseen,
    summary: `${counts}${where}${from}: ${rule.explain} ${rule.remediation}`,
    remediation: rule.remediation,
    eventCount: group.n,
    regions,
    sourceIps: ips,
    failedEvents: group.failed,
  };
  if (rule.source?.kind === 'sigma') {
    finding.ruleSource = 'sigma';
    finding.attribution = `Sigma rule ${rule.source.file}${rule.source.author ? ` by ${rule.source.author}` : ''} (SigmaHQ, ${rule.source.license})`;
  }
  return finding;
}

function present(values: (string | null)[] | null): string[] {
  return (values ?? []).filter((v): v is string => v !== null && v !== '').sort();
}

/** Rank of a severity (info 0 … critical 4). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function bySeverityThenTime(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.firstSeen.localeCompare(b.firstSeen);
}
