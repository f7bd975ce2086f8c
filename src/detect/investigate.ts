import { compareWithBaseline, type Anomalies, type Window } from './baseline.js';
import {
  allHaveRows,
  bySeverityThenTime,
  forgetRows,
  rowsOf,
  runRules,
  severityRank,
  type RuleRun,
  type RunRulesOptions,
} from './engine.js';
import {
  FROM_EVENTS,
  NOT_RESPONDER,
  eventIdIn,
  eventIdsWhere,
  eventRowsList,
  eventRowsWhere,
  RowSet,
  rowIn,
  valueIn,
  type EventQuery,
  type QueryParam,
  type TimeRange,
} from './events.js';
import type { Finding } from './finding.js';
import type { GeoIp } from './geoip.js';
import { mergeSigmaDuplicates } from './merge.js';
import { lineageOf, renderLineage, type Lineage } from './lineage.js';
import { BUILTIN_RULES } from './rules/index.js';
import {
  fromNewNetworks,
  fromNewNetworksByRow,
  intruderMinted,
  intrusionStart,
  networkHistory,
  ownerAddresses,
  type Minted,
  type NetworkHistory,
} from './routine.js';
import type { DetectionRule } from './rules/types.js';
import { bundledSigma } from './sigma/bundled.js';
import type { SigmaLoad, SigmaReportEntry } from './sigma/load.js';
import { TIMELINE_COLUMNS, burstsInStore, burstsOf, type Burst, type TimelineEvent } from './timeline.js';

export interface InvestigateOptions {
  /** The compromised access key ids (AKIA…/ASIA…); without them every finding counts. */
  subjectKeys?: string[];
  /** Built-in catalogue by default. */
  rules?: readonly DetectionRule[];
  /**
   * Compiled Sigma rules and the compile report (see `loadSigmaRules`, `sigmaFor`); `false` runs
   * none. By default the bundled SigmaHQ set runs with the built-in catalogue (not with `rules`).
   */
  sigma?: SigmaLoad | false;
  geoip?: GeoIp;
  /** Days of baseline before the first suspicious event (default 30). */
  baselineDays?: number;
  /** When the compromise began, if known (e.g. the leak's time); else inferred from the events. */
  incidentSince?: string;
  /** Silence that separates two bursts of the timeline (default 15 minutes). */
  burstGapMinutes?: number;
  range?: TimeRange;
  /**
   * Run the rules also elsewhere than the store (Athena over the trail bucket in place), with that
   * engine's options, and fold the two sets of findings (`bothRuns`); the lineage, attribution,
   * baseline and timeline read the store, which holds the subject's own events (collected by key).
   */
  rulesOn?: { events: EventQuery; options: Omit<RunRulesOptions, 'range'> };
}

/** Everything the investigation concludes; stored in the case as investigation.json. */
export interface Investigation {
  subjectKeys: string[];
  findings: Finding[];
  lineage: Lineage | null;
  lineageText: string[];
  /** First suspicious event to last attacker event (null when nothing suspicious was found). */
  window: Window | null;
  /**
   * What separates the intruder's calls from the owner's inside the window (null without a
   * window): calls of the lineage from the owner's established addresses are the owner's, except
   * those of credentials the intruder minted. Optional: older saved investigations lack it.
   */
  attribution?: Attribution | null;
  anomalies: Anomalies | null;
  timeline: Burst[];
  sigmaReport: SigmaReportEntry[];
  ruleFailures: { ruleId: string; error: string }[];
  truncatedRules: string[];
}

/** How the investigation told the intruder's calls from the owner's (see `Investigation`). */
export interface Attribution {
  /** Addresses the lineage's credentials used a day or more before the window. */
  ownerAddresses: string[];
  /** Credentials minted from the intruder's addresses: all their calls are the intruder's. */
  intruderKeys: string[];
  /** Calls of the lineage inside the window from the owner's addresses (not attributed). */
  ownerCalls: number;
}

const SUSPICIOUS = severityRank('medium');

/**
 * The subject keys' lineage, the lineage's addresses and when each began (read once for both
 * attribution passes), and the keys minted from the intruder's addresses.
 */
interface LineageWork {
  lineage: Lineage;
  history: NetworkHistory;
  minted: Minted;
}

async function lineageWork(store: EventQuery, subjectKeys: string[]): Promise<LineageWork> {
  const lineage = await lineageOf(store, subjectKeys);
  const history = await networkHistory(store, lineage);
  return { lineage, history, minted: await intruderMinted(store, lineage, history) };
}

/**
 * Run the investigation over the event store: rules and Sigma → findings; the subject keys'
 * lineage → attribution; the incident window; baseline anomalies; the attacker's timeline.
 * Used by `tourniquet investigate`, `hunt` (evidence) and the `respond` playbook.
 */
export async function investigate(
  store: EventQuery,
  options: InvestigateOptions = {},
): Promise<Investigation> {
  const subjectKeys = [...new Set(options.subjectKeys ?? [])];
  const sigma = options.sigma ?? (options.rules ? false : bundledSigma());
  const rules = [...(options.rules ?? BUILTIN_RULES), ...(sigma ? sigma.rules : [])];
  const range = options.range ? { range: options.range } : {};
  // The subject's lineage, its addresses' history and the keys minted from the intruder's
  // addresses need no finding: on a second connection they run beside the rules, in the gaps the
  // rules leave (planning, JSON parsing, a statement's single-threaded end).
  const beside = subjectKeys.length ? ((await store.fork?.()) ?? null) : null;
  const early = beside ? lineageWork(beside, subjectKeys) : null;
  // Handled here, thrown where awaited: its failure must not end the process while the rules run.
  early?.catch(() => undefined);
  let run: RuleRun;
  try {
    run = options.rulesOn
      ? bothRuns(
          await runRules(options.rulesOn.events, rules, { ...options.rulesOn.options, ...range }),
          await runRules(store, rules, range),
        )
      : await runRules(store, rules, range);
  } catch (error) {
    // The connection closes once its statement has ended.
    await early?.catch(() => undefined);
    beside?.close();
    throw error;
  }
  // A Sigma rule matching only what a built-in rule reported is named on that finding instead.
  if (sigma) run.findings = mergeSigmaDuplicates(run.findings, rowsOf);
  let subject: LineageWork | null = null;
  try {
    // Without a second connection the lineage is read now, after the rules.
    subject = await (early ?? (subjectKeys.length ? lineageWork(store, subjectKeys) : null));
  } finally {
    beside?.close();
  }
  const lineage = subject?.lineage ?? null;
  const history = subject?.history;
  const minted = subject?.minted ?? { keys: [], starts: [] };

  // First pass: everything the lineage reaches, to find the window; second pass: the subject
  // keys' own events count only from the window's start (before it they were the owner's).
  const reach: Scope = { since: null, always: minted.keys, owner: [] };
  const reached = lineage ? await markAttributed(store, run.findings, lineage, reach) : null;
  const { window, attribution } = await inferWindow(
    store,
    run.findings,
    lineage,
    minted,
    options.incidentSince ?? null,
    history,
  );
  if (lineage && window && attribution)
    await markAttributed(
      store,
      run.findings,
      lineage,
      attributionOf(window, attribution),
      reached ? { scope: reach, ids: reached } : undefined,
    );
  // Nothing but the owner's routine use: no incident, so nothing is the compromise's.
  if (lineage && !window) for (const f of run.findings) f.attributed = false;
  let anomalies: Anomalies | null = null;
  if (lineage && window) {
    const roots = valueIn(
      'e.useridentity.accesskeyid',
      lineage.roots.map((r) => r.key),
    );
    const principals = (
      await store.query<{ arn: string }>(
        `SELECT DISTINCT e.useridentity.arn AS arn FROM ${FROM_EVENTS}
         WHERE ${roots.sql} AND e.useridentity.arn IS NOT NULL`,
        roots.params,
      )
    ).map((r) => r.arn);
    anomalies = await compareWithBaseline(store, {
      principals,
      keys: lineage.keys,
      incident: window,
      baselineDays: options.baselineDays ?? 30,
      ...(options.geoip ? { geoip: options.geoip } : {}),
    });
  }

  const timeline = await attackerTimeline(
    store,
    rules,
    run.findings,
    lineage,
    window,
    window && attribution ? attributionOf(window, attribution) : null,
    options.burstGapMinutes ?? 15,
  );
  if (lineage) rankOthersLow(run.findings);
  return {
    subjectKeys,
    findings: run.findings,
    lineage,
    lineageText: lineage ? renderLineage(lineage) : [],
    window,
    attribution,
    anomalies,
    timeline,
    sigmaReport: sigma ? sigma.report : [],
    ruleFailures: run.failures,
    truncatedRules: run.truncated,
  };
}

/**
 * The rules' findings over the trail bucket (`remote`) and over the case store (`local`: the
 * subject's calls collected with LookupEvents in every region, which a single-region trail lacks).
 * A finding whose events another finding of the same rule holds (all of them, and more, or the
 * same when it is the local one) is folded into it; the rest stay, in severity and time order.
 */
function bothRuns(remote: RuleRun, local: RuleRun): RuleRun {
  // Rows are the case store's: the bucket's findings name their events by id only.
  forgetRows(remote.findings);
  const all = [
    ...remote.findings.map((f) => ({ f, remote: true })),
    ...local.findings.map((f) => ({ f, remote: false })),
  ];
  const sets = new Map(all.map(({ f }) => [f, new Set(f.eventIds)]));
  const covers = (g: { f: Finding; remote: boolean }, f: { f: Finding; remote: boolean }): boolean => {
    if (g.f === f.f || g.f.ruleId !== f.f.ruleId || g.f.eventIds.length < f.f.eventIds.length) return false;
    if (g.f.eventIds.length === f.f.eventIds.length && !(g.remote && !f.remote)) return false;
    const held = sets.get(g.f)!;
    return f.f.eventIds.every((id) => held.has(id));
  };
  const byRule = new Map<string, typeof all>();
  for (const x of all) {
    const same = byRule.get(x.f.ruleId);
    if (same) same.push(x);
    else byRule.set(x.f.ruleId, [x]);
  }
  const findings = all.filter((f) => !byRule.get(f.f.ruleId)!.some((g) => covers(g, f))).map(({ f }) => f);
  findings.sort(bySeverityThenTime);
  return {
    findings,
    failures: [
      ...remote.failures,
      ...local.failures.map((x) => ({ ...x, error: `on the case store: ${x.error}` })),
    ],
    truncated: [...new Set([...remote.truncated, ...local.truncated])],
  };
}

/**
 * In an investigation of given credentials, findings on calls outside their lineage are context,
 * not the incident: the account's own administrators granting broad policies or trusting another
 * account is what a hygiene audit reports, and ranking it with the attacker's acts would bury them.
 * Those findings stay in the list, rated `low`, with the rule's own rating kept in `ruleSeverity`
 * (the CLI and the reports say how many there are and how high their rules rate them).
 */
function rankOthersLow(findings: Finding[]): void {
  for (const f of findings) {
    if (f.attributed || severityRank(f.severity) <= severityRank('low')) continue;
    f.ruleSeverity = f.severity;
    f.severity = 'low';
  }
}

/**
 * Events of the compromise: calls of every credential in the lineage from `since` (before it, the
 * subject key and the sessions its owner minted were the owner's), the console sign-ins that opened
 * its sessions, and the records of its credentials' minting (a cross-account AssumeRole is also
 * recorded in the role's account, without the caller's key).
 */
/**
 * The condition over `cloudtrail_events e` selecting the compromise's calls as a (saved)
 * investigation attributed them: the lineage's calls in the incident window, minus the owner's
 * from their established addresses, plus every call of credentials the intruder minted; the
 * responder's own calls never. Null when nothing is attributed. The reports select with it.
 *
 * ```ts
 * const c = compromiseCondition(investigation);
 * if (c) await store.query(`SELECT e.eventid FROM cloudtrail_events e WHERE ${c.sql}`, c.params);
 * ```
 */
export function compromiseCondition(inv: {
  lineage: LineageKeys | null;
  window: Window | null;
  attribution?: Attribution | null | undefined;
}): { sql: string; params: QueryParam[] } | null {
  if (!inv.lineage || !inv.window) return null;
  const { sql, params } = attributionSql(inv.lineage, {
    since: inv.window.since,
    always: inv.attribution?.intruderKeys ?? [],
    owner: inv.attribution?.ownerAddresses ?? [],
  });
  return {
    sql: `${sql} AND e.eventtime <= ? AND ${NOT_RESPONDER}`,
    params: [...params, inv.window.until],
  };
}

/**
 * The condition over `cloudtrail_events e` selecting the owner's own calls: the calls of the
 * lineage's credentials (the subject key and the sessions minted from it) that the attribution
 * leaves out of the compromise (`compromiseCondition`): the routine before the incident window,
 * and inside it the calls from the owner's established addresses. After the window only those
 * addresses' calls count (a later call from elsewhere is no one's yet). The responder's never.
 * Null without a lineage (nothing tells the owner's calls apart).
 */
export function ownerCondition(inv: {
  lineage: LineageKeys | null;
  window: Window | null;
  attribution?: Attribution | null | undefined;
}): { sql: string; params: QueryParam[] } | null {
  if (!inv.lineage) return null;
  const lineage = attributionSql(inv.lineage, { since: null, always: [], owner: [] });
  const own = { sql: `${lineage.sql} AND ${NOT_RESPONDER}`, params: lineage.params };
  const attacker = compromiseCondition(inv);
  if (!attacker || !inv.window) return own;
  const addresses = inv.attribution?.ownerAddresses ?? [];
  const fromOwner = addresses.length
    ? ` OR coalesce(e.sourceipaddress, '') IN (${addresses.map(() => '?').join(', ')})`
    : '';
  // coalesce: a NULL in the attacker's condition (a record without a key) must not hide a call.
  return {
    sql: `${own.sql} AND NOT coalesce((${attacker.sql}), false) AND (e.eventtime <= ?${fromOwner})`,
    params: [...own.params, ...attacker.params, inv.window.until, ...addresses],
  };
}

/** Which calls of the lineage are the compromise's (see `attributionSql`). */
interface Scope {
  /** From when the subject keys' calls count; null: always. */
  since: string | null;
  /** Keys whose every call counts (minted by the intruder). */
  always: string[];
  /** Addresses whose calls are the owner's, except calls of `always` keys. */
  owner: string[];
}

function attributionOf(window: Window, attribution: Attribution): Scope {
  return { since: window.since, always: attribution.intruderKeys, owner: attribution.ownerAddresses };
}

/** What attribution needs of a lineage (a saved investigation's lineage has it too). */
type LineageKeys = Pick<Lineage, 'keys' | 'consoleLoginEventIds' | 'mintingEventIds'>;

function attributionSql(lineage: LineageKeys, scope: Scope): { sql: string; params: QueryParam[] } {
  const list = (values: string[]): string => values.map(() => '?').join(', ');
  const keys = valueIn('e.useridentity.accesskeyid', lineage.keys);
  const parts = [keys.sql];
  const params: QueryParam[] = [...keys.params];
  const eventIds = [...lineage.consoleLoginEventIds, ...(lineage.mintingEventIds ?? [])];
  if (eventIds.length) {
    parts.push(`e.eventid IN (${list(eventIds)})`);
    params.push(...eventIds);
  }
  const conditions = [`(${parts.join(' OR ')})`];
  if (scope.since) {
    conditions.push('e.eventtime >= ?');
    params.push(scope.since);
  }
  if (scope.owner.length) {
    conditions.push(`coalesce(e.sourceipaddress, '') NOT IN (${list(scope.owner)})`);
    params.push(...scope.owner);
  }
  const timed = `(${conditions.join(' AND ')})`;
  if (scope.always.length === 0) return { sql: timed, params };
  const always = valueIn('e.useridentity.accesskeyid', scope.always);
  return { sql: `(${timed} OR ${always.sql})`, params: [...params, ...always.params] };
}

/**
 * Mark each finding attributed when one of its events belongs to the compromise; returns the
 * compromise's event ids (null when there are no findings). They are read once, as texts
 * (`eventIdsWhere`): sending the findings' ids to the store instead (600,000 of them in a
 * million-record case) cost more than reading these back. With `within`, the ids of a wider
 * scope already read (everything the lineage reached, against the window's attribution), only
 * the wider scope's events outside this one are read and taken out of those ids (which are
 * consumed): usually the few before the window, where reading the window's events again meant
 * 740,000 ids on the Invictus 1M store (0.6-0.7 s; 0.14-0.19 s this way). When every finding knows
 * the rows of its events (`rowsOf`), rows stand for the ids: a set of them is a byte per row, where
 * each id had to be hashed (0.4 s of the Invictus case's 740,000; about 0.1 s by rows).
 */
async function markAttributed(
  store: EventQuery,
  findings: Finding[],
  lineage: Lineage,
  scope: Scope,
  within?: { scope: Scope; ids: Set<string> | RowSet },
): Promise<Set<string> | RowSet | null> {
  if (findings.length === 0) return null;
  const { sql, params } = attributionSql(lineage, scope);
  // By the events' rows when every finding knows its rows (see `rowsOf`), else by their ids.
  const byRow = allHaveRows(findings);
  let ids: Set<string> | RowSet;
  // The wider scope holds this one when it has no start, no owner addresses and every key this
  // one always counts (the reach of the lineage, against the window's attribution).
  const holds =
    within !== undefined &&
    within.scope.since === null &&
    within.scope.owner.length === 0 &&
    scope.always.every((key) => within.scope.always.includes(key));
  if (within && holds) {
    const wide = attributionSql(lineage, within.scope);
    // coalesce: an event this scope leaves undecided (NULL) is not the compromise's either.
    const where = `${wide.sql} AND NOT coalesce(${sql}, false) AND ${NOT_RESPONDER}`;
    const values = [...wide.params, ...params];
    ids = within.ids;
    if (ids instanceof RowSet) for (const row of await eventRowsList(store, where, values)) ids.delete(row);
    else for (const id of await eventIdsWhere(store, where, values)) ids.delete(id);
  } else {
    const where = `${sql} AND ${NOT_RESPONDER}`;
    ids = byRow ? await eventRowsWhere(store, where, params) : await eventIdsWhere(store, where, params);
  }
  for (const finding of findings) {
    const rows = rowsOf(finding);
    finding.attributed =
      ids instanceof RowSet
        ? rows!.some((row, k) => finding.eventIds[k] !== null && ids.has(row))
        : finding.eventIds.some((id) => ids.has(id));
  }
  return ids;
}

/** The distinct predicates of the rules behind some findings, each parenthesised. */
function predicatesOf(rules: readonly DetectionRule[], findings: Finding[]): string[] {
  const ids = new Set(findings.map((f) => f.ruleId));
  return [...new Set(rules.filter((r) => ids.has(r.id)).map((r) => `(${r.where})`))];
}

/**
 * The incident window: from the first medium-or-worse finding on the compromised credentials
 * (any finding when there is no subject) or the first derived credential, whichever is earlier —
 * or from `given` when the responder knows when the key leaked — to the last event of any
 * credential in the lineage (or the last such finding). With a lineage, only findings and minted
 * credentials with a call from a network the subject keys had not established count (routine.ts):
 * the owner's daily work with the same key (CI assuming its deploy role, updating a function) is
 * not an incident, so an account with only routine use gets no window and nothing attributed.
 */
async function inferWindow(
  store: EventQuery,
  findings: Finding[],
  lineage: Lineage | null,
  minted: Minted,
  given: string | null,
  history?: NetworkHistory,
): Promise<{ window: Window | null; attribution: Attribution | null }> {
  let suspicious = findings.filter(
    (f) =>
      severityRank(f.severity) >= SUSPICIOUS &&
      (lineage ? f.attributed === true : true) &&
      (given === null || f.lastSeen >= given),
  );
  let starts: string[] = [];
  if (lineage && allHaveRows(suspicious)) {
    // The same, the events named by their rows in the store (see `rowsOf`).
    const fresh = await fromNewNetworksByRow(
      store,
      lineage,
      suspicious.flatMap((f) => rowsOf(f)!),
      history,
    );
    suspicious = suspicious.filter((f) => rowsOf(f)!.some((row) => fresh.has(row)));
    starts = [
      ...suspicious.flatMap((f) => rowsOf(f)!.flatMap((row) => fresh.get(row) ?? [])),
      ...minted.starts,
    ];
  } else if (lineage) {
    const fresh = await fromNewNetworks(
      store,
      lineage,
      suspicious.flatMap((f) => f.eventIds),
      history,
    );
    suspicious = suspicious.filter((f) => f.eventIds.some((id) => fresh.has(id)));
    // Minting a derived credential is itself the attacker's act (GetSessionToken, AssumeRole, …);
    // the incident begins with the first call from the address of the first such act.
    starts = [
      ...suspicious.flatMap((f) => f.eventIds.flatMap((id) => fresh.get(id) ?? [])),
      ...minted.starts,
    ];
  }
  const first = minOf(lineage ? starts : suspicious.map((f) => f.firstSeen));
  const since = given ?? (lineage && first ? await intrusionStart(store, lineage, first) : first);
  let until = maxOf(suspicious.map((f) => f.lastSeen));
  let attribution: Attribution | null = null;
  if (lineage && since) {
    const owner = await ownerAddresses(store, lineage, since);
    const { sql, params } = attributionSql(lineage, { since, always: minted.keys, owner });
    const [span] = await store.query<{ last: string | null }>(
      `SELECT max(e.eventtime) AS last FROM ${FROM_EVENTS} WHERE ${sql} AND ${NOT_RESPONDER} AND e.eventtime >= ?`,
      [...params, since],
    );
    if (span?.last && span.last > (until ?? '')) until = span.last;
    const ownerCalls = await callsFromOwner(store, lineage, { since, always: minted.keys, owner });
    attribution = { ownerAddresses: owner, intruderKeys: minted.keys, ownerCalls };
  }
  const window = since && until ? { since, until } : null;
  return { window, attribution: window ? attribution : null };
}

/** How many calls of the lineage from `since` the owner's addresses leave out of the attribution. */
async function callsFromOwner(store: EventQuery, lineage: Lineage, scope: Scope): Promise<number> {
  if (scope.owner.length === 0) return 0;
  const all = attributionSql(lineage, { ...scope, owner: [] });
  const theirs = attributionSql(lineage, scope);
  const [row] = await store.query<{ n: number }>(
    `SELECT count(*) AS n FROM ${FROM_EVENTS} WHERE ${all.sql} AND NOT ${theirs.sql} AND ${NOT_RESPONDER}`,
    [...all.params, ...theirs.params],
  );
  return row?.n ?? 0;
}

/**
 * The attacker's timeline: the compromise's calls in the window (with a lineage) or the events the
 * medium-or-worse findings name (without one), cut into bursts in the store (`burstsInStore`).
 * Ids that cannot travel as one text (a forged id holding a newline) send it the old way: the
 * events read back, bursts cut here (`burstsOf`).
 */
async function attackerTimeline(
  store: EventQuery,
  rules: readonly DetectionRule[],
  findings: Finding[],
  lineage: Lineage | null,
  window: Window | null,
  scope: Scope | null,
  gapMinutes: number,
): Promise<Burst[]> {
  const select = `SELECT ${TIMELINE_COLUMNS} FROM ${FROM_EVENTS}`;
  if (lineage) {
    if (!window || !scope) return [];
    const { sql, params } = attributionSql(lineage, scope);
    const selection = {
      sql: `${sql} AND ${NOT_RESPONDER} AND e.eventtime >= ? AND e.eventtime <= ?`,
      params: [...params, window.since, window.until],
    };
    return (
      (await burstsInStore(store, selection, findings, gapMinutes)) ??
      burstsOf(
        await store.query<TimelineEvent>(`${select} WHERE ${selection.sql}`, selection.params),
        findings,
        gapMinutes,
      )
    );
  }
  // The events the medium-or-worse findings name, selected by id (one semi-join); ids that cannot
  // travel so, by one scan of those findings' rule predicates (a threshold rule also matches
  // events outside its bursts, hence the filter on the ids).
  const suspicious = findings.filter((f) => severityRank(f.severity) >= SUSPICIOUS);
  if (allHaveRows(suspicious)) {
    // By their rows in the store (see `rowsOf`): no id to hash, none that cannot travel.
    const rows = [...new Set(suspicious.flatMap((f) => rowsOf(f)!))];
    if (rows.length === 0) return [];
    const named = rowIn(rows);
    const selection = { sql: `${named.sql} AND ${NOT_RESPONDER}`, params: named.params };
    const bursts = await burstsInStore(store, selection, findings, gapMinutes);
    if (bursts) return bursts;
  }
  const ids = new Set(suspicious.flatMap((f) => f.eventIds));
  if (ids.size === 0) return [];
  const named = eventIdIn([...ids]);
  if (named) {
    const selection = { sql: `${named.sql} AND ${NOT_RESPONDER}`, params: named.params };
    const bursts = await burstsInStore(store, selection, findings, gapMinutes);
    if (bursts) return bursts;
  }
  const which = { sql: `(${predicatesOf(rules, suspicious).join(' OR ')})`, params: [] };
  const rows = await store.query<TimelineEvent>(
    `${select} WHERE ${which.sql} AND ${NOT_RESPONDER}`,
    which.params,
  );
  return burstsOf(
    rows.filter((r) => ids.has(r.eventid)),
    findings,
    gapMinutes,
  );
}

function minOf(values: string[]): string | null {
  return values.length ? values.reduce((a, b) => (a < b ? a : b)) : null;
}

function maxOf(values: string[]): string | null {
  return values.length ? values.reduce((a, b) => (a > b ? a : b)) : null;
}
