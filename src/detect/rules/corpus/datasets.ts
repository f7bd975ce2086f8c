import { readdirSync } from 'node:fs';
import { openEventStore, type EventStore } from '../../../store/store.js';
import { ingestPaths } from '../../../trail/ingest.js';
import { runRules, severityRank } from '../../engine.js';
import type { Category, Finding, Severity } from '../../finding.js';
import { mergeSigmaDuplicates } from '../../merge.js';
import type { DetectionRule } from '../types.js';

/** Stratus Red Team tactic (a detonation file name's second part) → the category a finding must have. */
export const STRATUS_CATEGORY: Record<string, Category> = {
  'credential-access': 'credential-access',
  'defense-evasion': 'defense-evasion',
  discovery: 'recon',
  execution: 'execution',
  exfiltration: 'exfiltration',
  impact: 'impact',
  'initial-access': 'initial-access',
  'lateral-movement': 'lateral-movement',
  persistence: 'persistence',
  'privilege-escalation': 'privilege-escalation',
};

/** The rules as `investigate` runs them: built-in plus Sigma, with Sigma repeats folded in. */
export async function findingsOn(
  store: EventStore,
  rules: readonly DetectionRule[],
  sigma: readonly DetectionRule[] = [],
): Promise<{ findings: Finding[]; failures: { ruleId: string; error: string }[] }> {
  const run = await runRules(store, [...rules, ...sigma]);
  return {
    findings: sigma.length ? mergeSigmaDuplicates(run.findings) : run.findings,
    failures: run.failures,
  };
}

/** Event id → the file it was read from, without folder and `.json`. */
export async function fileOfEvents(store: EventStore): Promise<Map<string, string>> {
  const rows = await store.query<{ eventid: string; sourceref: string }>(
    'SELECT eventid, sourceref FROM cloudtrail_events',
  );
  return new Map(rows.map((r) => [r.eventid, r.sourceref.replace(/^.*\//, '').replace(/\.json$/, '')]));
}

/** The Stratus detonation files: which yield a finding of their tactic's category. */
export interface StratusScore {
  files: number;
  detected: string[];
  missed: string[];
  findings: number;
}

/** Score findings over the Stratus Red Team detonation logs (one file per technique). */
export async function scoreStratus(
  dir: string,
  findings: Finding[],
  store: EventStore,
): Promise<StratusScore> {
  const fileOf = await fileOfEvents(store);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''));
  const detected: string[] = [];
  const missed: string[] = [];
  for (const file of files) {
    const want = STRATUS_CATEGORY[file.split('.')[1] ?? ''];
    const hit = findings.some((f) => f.category === want && f.eventIds.some((id) => fileOf.get(id) === file));
    (hit ? detected : missed).push(file);
  }
  return { files: files.length, detected, missed, findings: findings.length };
}

/** One hour of a real account with Stratus detonations in it (the Invictus dataset). */
export interface InvictusScore {
  records: number;
  findings: number;
  bySeverity: Partial<Record<Severity, number>>;
  /** Records made by Stratus Red Team (its user agent), and how many of them a finding names. */
  stratusRecords: number;
  stratusRecordsFound: number;
  /** Records not made by Stratus Red Team in high or critical findings, per rule. */
  otherHighRecords: Record<string, number>;
}

/** Score findings over the Invictus dataset: the detonations found, the rest's high alarms. */
export async function scoreInvictus(findings: Finding[], store: EventStore): Promise<InvictusScore> {
  const rows = await store.query<{ eventid: string; ua: string | null }>(
    'SELECT eventid, useragent AS ua FROM cloudtrail_events',
  );
  const stratus = new Set(
    rows.filter((r) => (r.ua ?? '').includes('stratus-red-team')).map((r) => r.eventid),
  );
  const bySeverity: InvictusScore['bySeverity'] = {};
  for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  const found = new Set(findings.flatMap((f) => f.eventIds).filter((id) => stratus.has(id)));
  const otherHighRecords: Record<string, number> = {};
  for (const f of findings.filter((x) => severityRank(x.severity) >= severityRank('high'))) {
    const others = f.eventIds.filter((id) => !stratus.has(id)).length;
    if (others) otherHighRecords[f.ruleId] = (otherHighRecords[f.ruleId] ?? 0) + others;
  }
  return {
    records: rows.length,
    findings: findings.length,
    bySeverity,
    stratusRecords: stratus.size,
    stratusRecordsFound: found.size,
    otherHighRecords,
  };
}

/** A store holding one dataset folder, read by the real ingest. */
export async function storeOf(dir: string): Promise<EventStore> {
  const store = await openEventStore(':memory:');
  await ingestPaths(store, [dir]);
  return store;
}
