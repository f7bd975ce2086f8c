import { hash } from 'node:crypto';
import { SEVERITIES, type Finding, type Severity } from './finding.js';
import {
  FROM_EVENTS,
  NOT_RESPONDER,
  lanesOf,
  timeConditions,
  valueInSql,
  type EventQuery,
  type Lanes,
  type QueryParam,
  type TimeRange,
} from './events.js';
import type { DetectionRule } from './rules/types.js';
import { gateOf, gateSql, hasSubquery } from './sql.js';
import {
  ACTOR,
  AGGREGATES,
  MATCHED_COLUMNS,
  ONE_PRINCIPAL,
  togetherSql,
  type GatedApi,
  type Group,
  type StatementForm,
} from './together.js';

/** Most event ids a finding keeps (default 10,000). */
const maxEventIdsOf = (options: RunRulesOptions): number => options.maxEventIds ?? 10_000;

export interface RunRulesOptions {
  range?: TimeRange;
  /** Most event ids kept per finding (its `eventCount` stays exact); default 10,000. */
  maxEventIds?: number;
  /**
   * Before grouping, drop with one aggregate scan the rules without a match (default true). An
   * engine that bills every scan (Athena reads whole JSON files per query) skips it: the gate on
   * the APIs present is a small query and already leaves most of the catalogue out.
   */
  countMatches?: boolean;
  /** The longest statement the engine takes: the rules are spread over statements that fit. */
  maxStatementChars?: number;
  /**
   * How the rules of a statement that failed are told apart: `each-rule` runs every rule alone
   * (default; cheap on the local store), `halving` runs each half of the set again until the
   * failing rules stand alone (a few statements per broken rule, for an engine billed per
   * statement), gives up after `maxFailedStatements`, and counts a failed API gate as every rule
   * failed rather than running them blind.
   */
  isolate?: 'each-rule' | 'halving';
  /** Under `halving`, failed statements after which the rules not yet run are failures (default 12). */
  maxFailedStatements?: number;
  /**
   * Scan the rules whose predicate holds a sub-query apart, over their APIs' rows only (default
   * true: DuckDB decorrelates a sub-query over every row its scan hands on). An engine billed by
   * the bytes it reads (Athena) turns it off: a second scan would read the whole table again.
   */
  subqueriesApart?: boolean;
  /**
   * Read each group as one JSON text, its event ids cut at the cap in the store (default true: see
   * `StatementForm.jsonGroups`; on a million-record case over a million ids came back). The Athena
   * runner keeps rows with arrays: its results are parsed from text either way.
   */
  groupsAsJson?: boolean;
  /** Write the statements in the local store's own SQL where it is faster (default true; Athena: false). */
  localSql?: boolean;
  /**
   * How many rows the match count reads first, on a store of at least four times as many (default
   * 50,000; 0: none): see `rulesThatCanFire`.
   */
  sampleRows?: number;
}

/** The store rows of findings' events (see `rowsOf`). */
const ROWS = new WeakMap<Finding, number[]>();

/**
 * The rows in the store of a finding's events, in the order of its `eventIds` (DuckDB's `rowid`,
 * see `StatementForm.rows`), when the local store's grouping made the finding; else undefined
 * (another engine, a rule run alone, a copy of the finding), and the caller keys by event id.
 * Keyed by row, an event is the row itself: two stored records with one id (the loader keeps one
 * unless they differ: a forged copy) are two events, where keyed by id they were one. Rows name
 * events only while the store is unchanged (a load may delete and compact): one investigation.
 */
export function rowsOf(finding: Finding): readonly number[] | undefined {
  const rows = ROWS.get(finding);
  return rows && rows.length === finding.eventIds.length ? rows : undefined;
}

/** Every finding knows its rows (see `rowsOf`): its events can be keyed by row. */
export function allHaveRows(findings: readonly Finding[]): boolean {
  return findings.every((f) => rowsOf(f) !== undefined);
}

/** Name the rows of a finding's events, in the order of its ids (see `rowsOf`). */
export function withRows(finding: Finding, rows: number[]): Finding {
  ROWS.set(finding, rows);
  return finding;
}

/** Forget the rows of findings made over another store than the one they go on to (see `rowsOf`). */
export function forgetRows(findings: readonly Finding[]): void {
  for (const f of findings) ROWS.delete(f);
}

/** The outcome of running a rule list: findings, plus rules that failed or had findings cut short. */
export interface RuleRun {
  findings: Finding[];
  failures: { ruleId: string; error: string }[];
  /** Rules with a finding whose event id list was capped at `maxEventIds`. */
  truncated: string[];
}

/**
 * Run every rule against the store and turn its matches into findings. All rules run in one
 * statement (together.ts) and the grouping happens in SQL (the portable subset, window functions
 * for bursts), so only one row per finding comes back even when a rule matches millions of
 * events. When that statement fails (a rule's SQL is broken), each rule runs alone and the broken
 * one is reported by name while the others still give their findings.
 */
export async function runRules(
  store: EventQuery,
  list: readonly DetectionRule[],
  options: RunRulesOptions = {},
): Promise<RuleRun> {
  const run: RuleRun = { findings: [], failures: [], truncated: [] };
  const cap = maxEventIdsOf(options);
  const groups = await groupsOf(store, list, options, run.failures);
  for (const rule of list) {
    for (const group of groups.get(rule) ?? []) {
      if (group.eventids.length > cap) {
        group.eventids = group.eventids.slice(0, cap);
        group.rows = group.rows?.slice(0, cap);
        if (!run.truncated.includes(rule.id)) run.truncated.push(rule.id);
      }
      const finding = toFinding(rule, group);
      run.findings.push(group.rows ? withRows(finding, group.rows) : finding);
    }
  }
  run.findings.sort(bySeverityThenTime);
  return run;
}

/**
 * Every rule's groups: the rules that can fire, in as few statements as fit the engine; a failed
 * statement's rules told apart as `options.isolate` says, the broken ones added to `failures`.
 */
async function groupsOf(
  store: EventQuery,
  list: readonly DetectionRule[],
  options: RunRulesOptions,
  failures: RuleRun['failures'],
): Promise<Map<DetectionRule, Group[]>> {
  // Statements run two at a time on a small store (see `Lanes`).
  const lanes = await lanesOf(store);
  try {
    return await groupsIn(store, lanes, list, options, failures);
  } finally {
    lanes.close();
    // In the rules' order, however the statements interleaved.
    const order = new Map(list.map((rule, i) => [rule.id, i]));
    failures.sort((a, b) => (order.get(a.ruleId) ?? 0) - (order.get(b.ruleId) ?? 0));
  }
}

/** `groupsOf` on lanes already open. */
async function groupsIn(
  store: EventQuery,
  lanes: Lanes,
  list: readonly DetectionRule[],
  options: RunRulesOptions,
  failures: RuleRun['failures'],
): Promise<Map<DetectionRule, Group[]>> {
  const groups = new Map<DetectionRule, Group[]>();
  const halving = options.isolate === 'halving';
  // One id more than a finding keeps: runRules then sees that the finding was cut.
  const form: StatementForm = {
    jsonGroups: (options.groupsAsJson ?? true) ? maxEventIdsOf(options) + 1 : undefined,
    rows: options.localSql ?? true,
    unnestInSelect: options.localSql ?? true,
    burstSlots: options.localSql ?? true,
    nullTags: options.localSql ?? true,
  };
  const fail = (rules: readonly DetectionRule[], error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    for (const rule of rules) failures.push({ ruleId: rule.id, error: message });
  };
  let open: DetectionRule[];
  try {
    const can = await rulesThatCanFire(store, lanes, list, options);
    open = can.open;
    if (options.localSql ?? true) form.apis = gatedApis(open, can.apis);
  } catch (error) {
    if (!halving) throw error;
    fail(list, error);
    return groups;
  }
  let failedStatements = 0;
  const maxFailed = options.maxFailedStatements ?? 12;
  const runSet = async (
    store: EventQuery,
    rules: DetectionRule[],
    only: string | undefined,
  ): Promise<void> => {
    if (rules.length === 0) return;
    if (halving && failedStatements >= maxFailed) {
      fail(rules, new Error(`not run: ${failedStatements} statements had failed already`));
      return;
    }
    try {
      for (const [rule, found] of await runTogether(store, rules, options.range, only, form))
        groups.set(rule, found);
    } catch (error) {
      failedStatements++;
      if (rules.length === 1) return fail(rules, error);
      if (halving) {
        const half = Math.ceil(rules.length / 2);
        await runSet(store, rules.slice(0, half), only);
        await runSet(store, rules.slice(half), only);
        return;
      }
      for (const rule of rules) {
        try {
          const { sql, params } = ruleSql(rule, options.range);
          groups.set(rule, await store.query<Group>(sql, params));
        } catch (error) {
          fail([rule], error);
        }
      }
    }
  };
  const maxChars = options.maxStatementChars ?? Infinity;
  const statements = scans(open, options.subqueriesApart ?? true).flatMap(({ rules, only }) =>
    fitting(rules, options.range, maxChars, only, form)
      .flatMap((set) => parts(set, piecesFor(lanes)))
      .map((set) => (on: EventQuery) => runSet(on, set, only)),
  );
  await lanes.run(statements);
  return groups;
}

/** Rules scanned together, over the rows `only` allows (SQL over `e`; undefined: every row). */
interface Scan {
  rules: DetectionRule[];
  only?: string;
}

/**
 * The rules split by the rows they are scanned over: those whose predicate holds a sub-query and
 * names its APIs run over those APIs' rows only (see `gateSql`: on a million records this took
 * each such rule from 4-9 s to under half a second), or over the rows the rule declares it can
 * match (`rows`, when it names no APIs); the others over every row.
 */
function scans(list: readonly DetectionRule[], apart: boolean): Scan[] {
  if (!apart) return list.length ? [{ rules: [...list] }] : [];
  const gates = new Map(
    list.map((rule) => [rule, hasSubquery(rule.where) ? (gateSql(rule.where) ?? rule.rows ?? null) : null]),
  );
  const gated = list.filter((rule) => gates.get(rule) !== null);
  const rest = list.filter((rule) => gates.get(rule) === null);
  const out: Scan[] = [];
  if (rest.length) out.push({ rules: rest });
  if (gated.length)
    out.push({ rules: gated, only: `(${[...new Set(gated.map((r) => gates.get(r)!))].join(' OR ')})` });
  return out;
}

/**
 * The rules cut into sets whose grouping statement (as `runTogether` writes it, ids as text or
 * not) is at most `maxChars` long (halves of halves).
 */
function fitting(
  rules: DetectionRule[],
  range: TimeRange | undefined,
  maxChars: number,
  only: string | undefined,
  form: StatementForm,
): DetectionRule[][] {
  if (
    rules.length <= 1 ||
    maxChars === Infinity ||
    togetherSql(rules, range, only, form).sql.length <= maxChars
  )
    return rules.length ? [rules] : [];
  const half = Math.ceil(rules.length / 2);
  return [
    ...fitting(rules.slice(0, half), range, maxChars, only, form),
    ...fitting(rules.slice(half), range, maxChars, only, form),
  ];
}

/**
 * The rules that can fire: those whose APIs the store contains (see `gateOf`), and of these, found
 * in aggregate scans, plain rules with a matching event and threshold rules with at least
 * `count` matching events (or distinct values) in the whole store. Most rules match nothing, and a
 * rule left out of the grouping statement costs nothing there (an aggregate over a predicate is
 * several times cheaper than tagging every event with it). When the scan fails (a rule's SQL is
 * broken), every rule is returned and the caller finds which.
 */
async function rulesThatCanFire(
  store: EventQuery,
  lanes: Lanes,
  list: readonly DetectionRule[],
  options: RunRulesOptions,
): Promise<{ open: DetectionRule[]; apis: StoreApis }> {
  const { range } = options;
  const { apis, rows } = await apisInStore(store, range);
  const open = list.filter((rule) => storeNamesFor(rule, apis) !== null);
  if (!(options.countMatches ?? true)) return { open, apis };
  if (open.length === 0) return { open: [], apis };
  const apart = options.subqueriesApart ?? true;
  const sample = options.sampleRows ?? SAMPLE_ROWS;
  if (sample <= 0 || rows < sample * SAMPLE_FROM)
    return { open: await rulesWithEnoughMatches(lanes, open, range, apart), apis };
  // First over a sample: a rule with a match (or enough) among some rows has one among all, so only
  // the rules the sample leaves undecided are scanned in full. The scans of rules with sub-queries
  // (over their APIs' rows, see `scans`) read every row the first time: their sub-queries read the
  // whole table anyway, so a second round would cost as much again.
  const sampled = new Set(await rulesWithEnoughMatches(lanes, open, range, apart, sample));
  const whole = new Set(scans(open, apart).flatMap((scan) => (scan.only ? scan.rules : [])));
  const undecided = open.filter((rule) => !sampled.has(rule) && !whole.has(rule));
  const found = new Set([
    ...sampled,
    ...(undecided.length
      ? await rulesWithEnoughMatches(lanes, undecided, range, apart, undefined, apis)
      : []),
  ]);
  return { open: open.filter((rule) => found.has(rule)), apis };
}

/**
 * The store's APIs a rule's gate admits (see `namesMatch`); empty when the rule has no gate (it
 * may match any event), null when the store holds none of its APIs.
 */
function storeApisFor(rule: DetectionRule, apis: StoreApis): StoreApi[] | null {
  const gate = gateOf(rule.where);
  if (gate === null) return [];
  const found = gate.flatMap((g) => {
    const names = g.names.map((n) => n.toLowerCase());
    return (apis.get(g.source.toLowerCase()) ?? []).filter((api) => namesMatch(names, api.lower));
  });
  return found.length ? found : null;
}

/**
 * The store's APIs the gated rules admit, most events first, each with those rules: the local
 * grouping statement evaluates a rule on its APIs' rows only (see `StatementForm.apis`).
 */
function gatedApis(rules: readonly DetectionRule[], apis: StoreApis): GatedApi[] {
  const byApi = new Map<StoreApi, Set<DetectionRule>>();
  // A rule admitting an API whose source or name holds a NUL, which a SQL text cannot carry (it
  // ends DuckDB's string literal), is evaluated on every row instead.
  const loose = new Set<DetectionRule>();
  const hasNul = (api: StoreApi): boolean => `${api.source}${api.name}`.includes('\0');
  for (const rule of rules) {
    for (const api of storeApisFor(rule, apis) ?? []) {
      if (hasNul(api)) loose.add(rule);
      const set = byApi.get(api);
      if (set) set.add(rule);
      else byApi.set(api, new Set([rule]));
    }
  }
  return [...byApi]
    .filter(([api]) => !hasNul(api))
    .sort((a, b) => b[0].n - a[0].n)
    .map(([{ source, name }, set]) => ({
      source,
      name,
      rules: new Set([...set].filter((r) => !loose.has(r))),
    }))
    .filter((api) => api.rules.size > 0);
}

/** The event names in the store (as stored) a rule's gate admits (see `storeApisFor`). */
function storeNamesFor(rule: DetectionRule, apis: StoreApis): string[] | null {
  return storeApisFor(rule, apis)?.map((api) => api.name) ?? null;
}

/**
 * A scan over every row cut in two: the rules without a gate still over every row, those with one
 * over the rows of the event names their gates admit, as a semi-join on one text (see `valueIn`)
 * that DuckDB applies to the names' dictionary. A gated rule cannot match another row (what already
 * leaves out the rules whose APIs are absent). The full count round on the Invictus 1M store: 37 of
 * its 47 rules gated, the names a third of the rows, its CPU 1.43 → 1.06 s (min of five).
 */
function cutByGates(scan: Scan, apis: StoreApis): Scan[] {
  if (scan.only !== undefined) return [scan];
  const names = new Map(scan.rules.map((rule) => [rule, storeNamesFor(rule, apis) ?? []]));
  const gated = scan.rules.filter((rule) => names.get(rule)!.length > 0);
  const rest = scan.rules.filter((rule) => names.get(rule)!.length === 0);
  const only = valueInSql('e.eventname', [...new Set(gated.flatMap((rule) => names.get(rule)!))]);
  if (gated.length === 0 || only === null) return [scan];
  return [...(rest.length ? [{ rules: rest }] : []), { rules: gated, only }];
}

/** How many rows the first round of `rulesThatCanFire` reads (see `RunRulesOptions.sampleRows`) … */
const SAMPLE_ROWS = 50_000;
/** … on a store of at least this many times as many (below, the second round would read them again). */
const SAMPLE_FROM = 4;

/**
 * The event names in the store by event source, both in lower case (a small GROUP BY, even over
 * millions of rows), and how many events those are.
 */
async function apisInStore(
  store: EventQuery,
  range: TimeRange | undefined,
): Promise<{ apis: StoreApis; rows: number }> {
  const time = timeConditions(range);
  const found = await store.query<{ source: string | null; name: string | null; n: number | bigint }>(
    `SELECT e.eventsource AS source, e.eventname AS name, count(*) AS n FROM ${FROM_EVENTS}
     WHERE ${[NOT_RESPONDER, ...time.sql].join(' AND ')} GROUP BY 1, 2`,
    time.params,
  );
  const apis: StoreApis = new Map();
  let rows = 0;
  for (const { source, name, n } of found) {
    rows += Number(n);
    // In lower case, once (see `namesMatch`): CloudTrail writes sources so, Sigma gates too.
    const key = source?.toLowerCase();
    if (key === undefined || name === null) continue;
    // Appended in place: a copy per name was quadratic in a source's names.
    const api = { source: source!, name, lower: name.toLowerCase(), n: Number(n) };
    const of = apis.get(key);
    if (of) of.push(api);
    else apis.set(key, [api]);
  }
  return { apis, rows };
}

/** An API of the store: its event source and name as stored, the name in lower case, its events. */
interface StoreApi {
  source: string;
  name: string;
  lower: string;
  n: number;
}

/** The store's APIs by event source in lower case. */
type StoreApis = Map<string, StoreApi[]>;

/**
 * An event name is one of the gate's (any when the gate names none), API-version suffix allowed,
 * both in lower case (`apisInStore` keeps the store's so; the caller lowers the gate's): a Sigma
 * rule compares names case-insensitively (`eventName: createuser` matches CreateUser), and a
 * built-in rule's own predicate still compares exactly, so a gate that lets a rule through only
 * costs its evaluation.
 */
function namesMatch(names: readonly string[], name: string): boolean {
  return names.length === 0 || names.some((n) => name === n || name.startsWith(`${n}20`));
}

/**
 * Of rules whose APIs are present, those with a match (threshold rules: enough of them), among
 * all rows or, given `sample`, among that many (the first a scan over every row reads); given the
 * store's APIs, the gated rules among the rows of their APIs only (see `cutByGates`).
 */
async function rulesWithEnoughMatches(
  lanes: Lanes,
  list: readonly DetectionRule[],
  range: TimeRange | undefined,
  subqueriesApart: boolean,
  sample?: number,
  apis?: StoreApis,
): Promise<DetectionRule[]> {
  const found = await lanes.run(
    scans(list, subqueriesApart)
      .flatMap((scan) => (apis ? cutByGates(scan, apis) : [scan]))
      .flatMap((scan) => parts(scan.rules, piecesFor(lanes)).map((rules) => ({ ...scan, rules })))
      .map((scan) => (on: EventQuery) => enoughMatchesIn(on, scan, range, sample)),
  );
  const enough = new Set(found.flat());
  return list.filter((rule) => enough.has(rule));
}

/**
 * How many parts a statement is cut into: none on one lane; on two, four, so that a lane that
 * drew the cheaper parts takes another (a predicate's cost is not its length).
 */
function piecesFor(lanes: Lanes): number {
  return lanes.count > 1 ? 2 * lanes.count : 1;
}

/**
 * The rules in `count` parts of about the same SQL length, each in the list's order: on a small
 * store a statement's cost is mostly preparing and evaluating its predicates, so parts on two
 * connections take about half as long as the whole (the second core is idle otherwise).
 */
function parts(rules: DetectionRule[], count: number): DetectionRule[][] {
  if (count <= 1 || rules.length <= 1) return [rules];
  const total = rules.reduce((sum, r) => sum + r.where.length, 0);
  const out: DetectionRule[][] = [[]];
  let size = 0;
  for (const rule of rules) {
    if (out.length < count && size >= (total * out.length) / count) out.push([]);
    out.at(-1)!.push(rule);
    size += rule.where.length;
  }
  return out.filter((p) => p.length > 0);
}

/** `rulesWithEnoughMatches` over one scan's rows (all of its rules when the scan fails). */
async function enoughMatchesIn(
  store: EventQuery,
  { rules: list, only }: Scan,
  range: TimeRange | undefined,
  sample: number | undefined,
): Promise<DetectionRule[]> {
  const time = timeConditions(range);
  const where = [NOT_RESPONDER, ...time.sql, ...(only ? [only] : [])].join(' AND ');
  // A scan over its rules' APIs only (`only`) always reads all of them.
  const part = sample !== undefined && only === undefined;
  const columns = list.map((rule, i) => {
    const t = rule.threshold;
    // A NULL predicate is no match either way (only true counts below); coalesce per row cost 8%.
    if (!t) return `bool_or(${rule.where}) AS r${i}`;
    return t.distinct
      ? `count(DISTINCT CASE WHEN ${rule.where} THEN (${t.distinct}) END) AS r${i}`
      : `count(CASE WHEN ${rule.where} THEN 1 END) AS r${i}`;
  });
  try {
    const [row] = await store.query<Record<string, boolean | number | null>>(
      `SELECT ${columns.join(',\n  ')}
       FROM ${part ? `(SELECT * FROM ${FROM_EVENTS} WHERE ${where} LIMIT ${Math.floor(sample)}) e` : `${FROM_EVENTS} WHERE ${where}`}`,
      time.params,
    );
    return list.filter((rule, i) => {
      const value = row?.[`r${i}`];
      return rule.threshold ? Number(value ?? 0) >= rule.threshold.count : value === true;
    });
  } catch {
    return [...list];
  }
}

/** The groups of every rule, from one statement, by rule (each rule's groups in time order). */
async function runTogether(
  store: EventQuery,
  list: readonly DetectionRule[],
  range: TimeRange | undefined,
  only: string | undefined,
  form: StatementForm,
): Promise<Map<DetectionRule, Group[]>> {
  const byRule = new Map<DetectionRule, Group[]>();
  if (list.length === 0) return byRule;
  const { sql, params } = togetherSql(list, range, only, form);
  const rows =
    form.jsonGroups === undefined
      ? await store.query<Group & { rule: number }>(sql, params)
      : (await store.query<{ j: string }>(sql, params)).map(
          (r) => JSON.parse(r.j) as Group & { rule: number },
        );
  for (const { rule, ...group } of rows) {
    const key = list[rule]!;
    const groups = byRule.get(key);
    if (groups) groups.push(group);
    else byRule.set(key, [group]);
  }
  for (const groups of byRule.values()) groups.sort((a, b) => a.firstseen.localeCompare(b.firstseen));
  return byRule;
}

/**
 * The SQL one rule runs on its own: its predicate over `cloudtrail_events e` (minus the
 * responder's own calls), grouped per principal, key and region — or, for threshold rules, per
 * actor into bursts (a gap longer than `withinMinutes` starts a new burst) kept when large enough.
 */
export function ruleSql(rule: DetectionRule, range?: TimeRange): { sql: string; params: QueryParam[] } {
  const time = timeConditions(range);
  const only = scans([rule], true)[0]?.only;
  const matched = `SELECT ${MATCHED_COLUMNS}, ${rule.threshold?.distinct ? `(${rule.threshold.distinct})` : 'NULL'} AS distinctvalue,
      ${ACTOR[rule.threshold?.by ?? 'principal']} AS actor
    FROM ${FROM_EVENTS}
    WHERE ${[...(only ? [only] : []), `(${rule.where})`, NOT_RESPONDER, ...time.sql].join(' AND ')}`;
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
  return {
    sql: `WITH m AS (SELECT matched.*, from_iso8601_timestamp(eventtime) AS ts FROM (${matched}) matched),
  g AS (SELECT m.*, CASE WHEN date_diff('second', lag(ts) OVER (${order}), ts) > ${withinMinutes * 60}
                         THEN 1 ELSE 0 END AS brk FROM m),
  b AS (SELECT g.*, sum(brk) OVER (${order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS burst FROM g)
  SELECT ${ONE_PRINCIPAL} AS principal, ${AGGREGATES}
  FROM b
  GROUP BY actor, burst
  HAVING ${distinct ? 'count(DISTINCT distinctvalue)' : 'count(*)'} >= ${count}
  ORDER BY firstseen`,
    params: time.params,
  };
}

function toFinding(rule: DetectionRule, group: Group): Finding {
  const regions = present(group.regions);
  const keys = present(group.accesskeys);
  const ips = present(group.ips);
  // One-shot `hash`, not a Hash object per finding: a third of the time over 32,000 findings.
  const id = hash(
    'sha256',
    JSON.stringify([rule.id, group.principal, keys[0] ?? null, regions[0] ?? null, group.eventids[0]]),
  ).slice(0, 12);
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

/** Worst first, then earliest first (then by id, so ties keep one order): how findings are listed. */
export function bySeverityThenTime(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.firstSeen.localeCompare(b.firstSeen) ||
    a.id.localeCompare(b.id)
  );
}
