import { createHash } from 'node:crypto';
import { SEVERITIES, type Finding, type Severity } from './finding.js';
import {
  FROM_EVENTS,
  NOT_RESPONDER,
  PRINCIPAL,
  timeConditions,
  type EventQuery,
  type TimeRange,
} from './events.js';
import type { DetectionRule } from './rules/types.js';

/** One event a rule matched. */
interface Match {
  eventid: string;
  eventtime: string;
  eventname: string;
  awsregion: string | null;
  sourceipaddress: string | null;
  errorcode: string | null;
  principal: string | null;
  accesskey: string | null;
  distinctvalue: string | null;
}

export interface RunRulesOptions {
  range?: TimeRange;
  /** Most rows read per rule (a safety net for huge stores); the report says when it was hit. */
  maxRowsPerRule?: number;
}

/** The outcome of running a rule list: findings, plus rules that failed or were truncated. */
export interface RuleRun {
  findings: Finding[];
  failures: { ruleId: string; error: string }[];
  truncated: string[];
}

/** Run every rule against the store and turn its matches into findings. */
export async function runRules(
  store: EventQuery,
  list: readonly DetectionRule[],
  options: RunRulesOptions = {},
): Promise<RuleRun> {
  const run: RuleRun = { findings: [], failures: [], truncated: [] };
  const limit = options.maxRowsPerRule ?? 200_000;
  for (const rule of list) {
    let rows: Match[];
    try {
      rows = await matchRule(store, rule, options.range, limit + 1);
    } catch (error) {
      run.failures.push({ ruleId: rule.id, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (rows.length > limit) {
      run.truncated.push(rule.id);
      rows = rows.slice(0, limit);
    }
    run.findings.push(...(rule.threshold ? burstFindings(rule, rows) : groupFindings(rule, rows)));
  }
  run.findings.sort(bySeverityThenTime);
  return run;
}

/** The SQL a rule runs (exported for tests and for `--explain`-style output). */
export function ruleSql(
  rule: DetectionRule,
  range?: TimeRange,
): { sql: string; params: (string | number)[] } {
  const time = timeConditions(range);
  const distinct = rule.threshold?.distinct ? `e.${rule.threshold.distinct}` : 'NULL';
  const sql = `SELECT e.eventid, e.eventtime, e.eventname, e.awsregion, e.sourceipaddress, e.errorcode,
    ${PRINCIPAL} AS principal, e.useridentity.accesskeyid AS accesskey, ${distinct} AS distinctvalue
  FROM ${FROM_EVENTS}
  WHERE (${rule.where}) AND ${[NOT_RESPONDER, ...time.sql].join(' AND ')}
  ORDER BY e.eventtime, e.eventid`;
  return { sql, params: time.params as (string | number)[] };
}

async function matchRule(
  store: EventQuery,
  rule: DetectionRule,
  range: TimeRange | undefined,
  limit: number,
): Promise<Match[]> {
  const { sql, params } = ruleSql(rule, range);
  return store.query<Match>(`${sql}\n  LIMIT ${limit}`, params);
}

/** One finding per principal, key and region: "this identity did this, here, these times". */
function groupFindings(rule: DetectionRule, rows: Match[]): Finding[] {
  const groups = new Map<string, Match[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.principal, row.accesskey, row.awsregion]);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups.values()].map((group) => toFinding(rule, group));
}

/**
 * Threshold rules fire on bursts: per principal, events each within `withinMinutes` of the
 * previous one, with at least `count` events (or distinct values).
 */
function burstFindings(rule: DetectionRule, rows: Match[]): Finding[] {
  const threshold = rule.threshold!;
  const gapMs = threshold.withinMinutes * 60_000;
  const byPrincipal = new Map<string, Match[]>();
  for (const row of rows) {
    const key = row.principal ?? '';
    const list = byPrincipal.get(key);
    if (list) list.push(row);
    else byPrincipal.set(key, [row]);
  }
  const findings: Finding[] = [];
  for (const list of byPrincipal.values()) {
    let burst: Match[] = [];
    const flush = (): void => {
      const size = threshold.distinct ? new Set(burst.map((m) => m.distinctvalue ?? '')).size : burst.length;
      if (burst.length > 0 && size >= threshold.count) findings.push(toFinding(rule, burst));
      burst = [];
    };
    for (const row of list) {
      const last = burst.at(-1);
      if (last && Date.parse(row.eventtime) - Date.parse(last.eventtime) > gapMs) flush();
      burst.push(row);
    }
    flush();
  }
  return findings;
}

function toFinding(rule: DetectionRule, group: Match[]): Finding {
  const first = group[0]!;
  const last = group.at(-1)!;
  const regions = distinct(group.map((m) => m.awsregion));
  const keys = distinct(group.map((m) => m.accesskey));
  const ips = distinct(group.map((m) => m.sourceipaddress));
  const failed = group.filter((m) => (m.errorcode ?? '') !== '').length;
  const id = createHash('sha256')
    .update(JSON.stringify([rule.id, first.principal, first.accesskey, first.awsregion, first.eventid]))
    .digest('hex')
    .slice(0, 12);
  const counts = `${group.length} event${group.length === 1 ? '' : 's'}${failed ? ` (${failed} failed)` : ''}`;
  const where = regions.length ? ` in ${regions.join(', ')}` : '';
  const from = ips.length ? ` from ${ips.slice(0, 3).join(', ')}${ips.length > 3 ? ', …' : ''}` : '';
  const finding: Finding = {
    id: `F-${id}`,
    ruleId: rule.id,
    title: rule.title,
    category: rule.category,
    technique: rule.technique,
    severity: rule.severity,
    eventIds: group.map((m) => m.eventid),
    principal: first.principal,
    accessKey: keys.length === 1 ? keys[0]! : null,
    region: regions.length === 1 ? regions[0]! : null,
    firstSeen: first.eventtime,
    lastSeen: last.eventtime,
    summary: `${counts}${where}${from}: ${rule.explain}`,
    regions,
    sourceIps: ips,
    failedEvents: failed,
  };
  if (rule.source?.kind === 'sigma') {
    finding.ruleSource = 'sigma';
    finding.attribution = `Sigma rule ${rule.source.file}${rule.source.author ? ` by ${rule.source.author}` : ''} (SigmaHQ, ${rule.source.license})`;
  }
  return finding;
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null && v !== ''))];
}

/** Rank of a severity (info 0 … critical 4). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

function bySeverityThenTime(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.firstSeen.localeCompare(b.firstSeen);
}
