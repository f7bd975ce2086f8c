/**
 * Building blocks for rule predicates, in the SQL subset DuckDB (with the store's shim macros) and
 * Athena/Trino both run: `json_extract_scalar`, `regexp_like`, 3-argument `replace`, ISO-string
 * time comparisons. Column names are the Athena CloudTrail table's (src/store/schema.ts).
 */
import { literalTexts, requiredText } from './regex-text.js';

/** A SQL string literal with quotes doubled. */
export function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A comma-separated list of SQL string literals. */
export function lits(values: readonly string[]): string {
  return values.map(lit).join(', ');
}

/**
 * The event name is one of `names`, with or without the API-version suffix some services log
 * (Lambda `UpdateFunctionCode20150331v2`, CloudFront `CreateDistribution2020_05_31`). A prefix
 * LIKE rather than a regular expression: rules run over millions of rows. `column` may name
 * another row's column (`e.eventname` in a sub-query).
 */
export function eventNamed(names: readonly string[], column = 'eventname'): string {
  const suffixed = names.map((n) => `${column} LIKE ${lit(`${n}20%`)}`);
  return `(${column} IN (${lits(names)}) OR ${suffixed.join(' OR ')})`;
}

/** The call is `service:Name` for one of the names (suffixed names match). */
export function api(service: string, ...names: string[]): string {
  return apiOf('', service, ...names);
}

/**
 * `api` over the row aliased `alias`: a correlated sub-query states the outer event's API inside
 * itself (`apiOf('e', 'signin', 'ConsoleLogin')`), so DuckDB decorrelates it over the few events
 * of that API rather than over every event of the store.
 */
export function apiOf(alias: string, service: string, ...names: string[]): string {
  const at = alias ? `${alias}.` : '';
  const source = `${at}eventsource = ${lit(`${service}.amazonaws.com`)}`;
  const sql = names.length === 0 ? source : `(${source} AND ${eventNamed(names, `${at}eventname`)})`;
  if (!alias) gated(sql, [{ source: `${service}.amazonaws.com`, names }]);
  return sql;
}

/** An API a predicate requires: an event source and some of its event names (none: any). */
export interface ApiGate {
  source: string;
  names: readonly string[];
}

/**
 * What each predicate built here requires of an event's API, by predicate text: `api` records its
 * own, `and` the first of its parts that has one, `or` the union when every part has one. The
 * engine drops, before any scan, the rules whose APIs the store does not contain (most of the
 * catalogue on a typical store); a predicate not in the map (hand-written SQL, Sigma) always runs.
 */
const GATES = new Map<string, readonly ApiGate[]>();

function gated(sql: string, gate: readonly ApiGate[] | undefined): string {
  if (gate) GATES.set(sql, gate);
  return sql;
}

/** Record the APIs a predicate built elsewhere needs (the Sigma compiler's exact selections). */
export function withGate(sql: string, gate: readonly ApiGate[] | undefined): string {
  return gated(sql, gate);
}

/** The APIs a predicate built with `api`/`and`/`or` needs (one of them), or null if it may match any event. */
export function gateOf(where: string): readonly ApiGate[] | null {
  return GATES.get(where) ?? null;
}

/**
 * The rows a rule can match at all, in portable SQL over the row aliased `e`: one of its APIs (see
 * `gateOf`), or null when it may match any event. A rule whose predicate holds a sub-query is run
 * over these rows only (engine.ts): DuckDB decorrelates a sub-query over every row its scan hands
 * on, whatever the CASE around it says, and a million rows cost seconds where a gate leaves dozens.
 */
export function gateSql(where: string): string | null {
  const gate = gateOf(where);
  if (!gate) return null;
  const one = (g: ApiGate): string =>
    g.names.length === 0
      ? `e.eventsource = ${lit(g.source)}`
      : `(e.eventsource = ${lit(g.source)} AND ${eventNamed(g.names, 'e.eventname')})`;
  return gate.length === 1 ? one(gate[0]!) : `(${gate.map(one).join(' OR ')})`;
}

/** The predicate reads other rows through a sub-query (`preceded`, a first-use check). */
export function hasSubquery(where: string): boolean {
  return /\bSELECT\b/i.test(where);
}

/** A scalar from a JSON text column (NULL for objects, arrays, missing keys, invalid JSON). */
export function json(column: JsonColumn, path: string): string {
  return `json_extract_scalar(${column}, ${lit(`$.${path}`)})`;
}

export type JsonColumn =
  'requestparameters' | 'responseelements' | 'additionaleventdata' | 'serviceeventdetails';

/** `requestParameters.<path>` as text. */
export const req = (path: string): string => json('requestparameters', path);
/** `responseElements.<path>` as text. */
export const resp = (path: string): string => json('responseelements', path);
/** `additionalEventData.<path>` as text. */
export const extra = (path: string): string => json('additionaleventdata', path);

/** The call succeeded (CloudTrail omits errorCode on success). */
export const SUCCEEDED = `coalesce(errorcode, '') = ''`;

/** Error codes that mean "not allowed", across the query, JSON and EC2 protocols. */
export const DENIED = `(errorcode IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation', 'UnauthorizedAccess', 'Forbidden') OR regexp_like(errorcode, '(?i)accessdenied|unauthorized'))`;

/**
 * Case-sensitive regular-expression match (RE2 in DuckDB, Java in Trino: keep to the common
 * subset). When every match must contain some text (`requiredText`), a substring search for it
 * comes first and the expression runs only where it is found: the same result, 15-20 times
 * cheaper on a column of user agents.
 */
export function matches(expr: string, pattern: string): string {
  return behindRequiredText(expr, pattern, `regexp_like(coalesce(${expr}, ''), ${lit(pattern)})`);
}

/**
 * `test`, a case-sensitive match of `pattern` on `text`, run only where `text` holds what every
 * match must (`requiredText`); false elsewhere (NULL text included). `test` alone when nothing is
 * required or `text` is more than a column (see `COLUMN_TEXT`); the search alone when the pattern
 * is nothing but text (`literalTexts`). The searches take `text` bare: a NULL fails the CASE as
 * false would, and `coalesce` around a column made DuckDB run every search row by row instead of
 * once per value of the column's dictionary (a user-agent rule of 12 words: 386 ms over a million
 * records with it, 23 ms without).
 */
export function behindRequiredText(text: string, pattern: string, test: string): string {
  const column = COLUMN_TEXT.test(text);
  const search = (texts: string[]): string => texts.map((t) => `strpos(${text}, ${lit(t)}) > 0`).join(' OR ');
  // Nothing but text: the search is the test (NULL text: false, as the test gives).
  const literal = literalTexts(pattern);
  if (literal && (column || literal.length === 1)) return `coalesce(${search(literal)}, false)`;
  const required = column ? requiredText(pattern) : null;
  if (!required) return test;
  return `(CASE WHEN ${search(required)} THEN ${test} ELSE false END)`;
}

/**
 * A column, or a column lowered: cheap to search again for each required text. Anything else (a
 * value read out of the request's JSON) is worked out once, by the regular expression alone: each
 * search would parse the document again (17 times per GetObject for the sensitive-bucket rule).
 */
const COLUMN_TEXT = /^(?:[a-z_][a-z0-9_.]*|lower\([a-z_][a-z0-9_.]*\))$/;

/**
 * All of the predicates, tested in order: put the cheap one (the API) first. Written as nested
 * CASE, not AND: DuckDB evaluates every operand of an AND over every row of a projection (the
 * one-scan check of all rules, engine.ts), but a CASE branch only where its test holds, which makes
 * a rule with JSON conditions ten times cheaper on rows of other APIs. NULL tests count as false.
 */
export function and(...parts: string[]): string {
  if (parts.length === 1) return parts[0]!;
  const sql = parts
    .slice(0, -1)
    .reduceRight(
      (inner, part) => `(CASE WHEN ${part} THEN ${inner} ELSE false END)`,
      `coalesce(${parts.at(-1)!}, false)`,
    );
  return gated(
    sql,
    parts.map((p) => GATES.get(p)).find((g) => g !== undefined),
  );
}

/** Any of the predicates. */
export function or(...parts: string[]): string {
  if (parts.length === 1) return parts[0]!;
  const gates = parts.map((p) => GATES.get(p));
  const all = gates.every((g) => g !== undefined) ? gates.flatMap((g) => g) : undefined;
  return gated(`(${parts.join(' OR ')})`, all);
}

/** Not the predicate (NULL counts as false, so `not` of an unknown is true). */
export function not(part: string): string {
  return `NOT coalesce(${part}, false)`;
}

/**
 * A policy document (JSON text anywhere in `column`) grants to an AWS account other than the one
 * the event was recorded in. The account's own ARNs and bare ids are removed first with the
 * 3-argument `replace` (replace-all in both engines), then any remaining account id is foreign.
 */
export function grantsForeignAccount(column: JsonColumn): string {
  const stripped = `replace(replace(${column}, 'arn:aws:iam::' || recipientaccountid || ':', ''), '"' || recipientaccountid || '"', '')`;
  return `regexp_like(coalesce(${stripped}, ''), '(arn:aws:iam::[0-9]{12}:|"AWS"\\s*:\\s*\\[?\\s*"[0-9]{12}")')`;
}

/** A policy document grants to everyone (`"Principal": "*"` or `{"AWS": "*"}`). */
export function grantsPublic(column: JsonColumn): string {
  return `regexp_like(coalesce(${column}, ''), '"Principal\\\\?"\\s*:\\s*(\\{\\s*\\\\?"AWS\\\\?"\\s*:\\s*\\[?\\s*)?\\\\?"\\*\\\\?"')`;
}

/**
 * `expr` (an ARN or a 12-digit account id) names an AWS account other than the one the event was
 * recorded in; anything else (a name, an alias, nothing) is false.
 */
export function foreignAccount(expr: string): string {
  const text = `coalesce(${expr}, '')`;
  return `(CASE WHEN regexp_like(${text}, '^[0-9]{12}$') THEN ${text} <> recipientaccountid
    WHEN regexp_like(${text}, '^arn:aws[a-z-]*:[^:]*:[^:]*:[0-9]{12}:') THEN split_part(${text}, ':', 5) <> recipientaccountid
    ELSE false END)`;
}

/** A number from the request (NULL when absent or not a number). */
export function reqNumber(path: string): string {
  return `try_cast(${req(path)} AS BIGINT)`;
}

/** The JSON text of a sub-document of the request (an object or array, or a scalar's JSON). */
export function reqJson(path: string): string {
  return `json_format(json_extract(requestparameters, ${lit(`$.${path}`)}))`;
}

/**
 * The same actor made at least `atLeast` calls matching `earlier` in the `minutes` before this one:
 * a step of a sequence (failed sign-ins then a success, deletions then a ransom note). `e` is the
 * event the rule tests (engine.ts aliases it so); the earlier calls are read as `p`, so `earlier`
 * names columns unqualified. The actor is the user (a failed sign-in names the user but has no
 * ARN) or the account. `when` restates the outer event's own test (e.g. `apiOf('e', …)`) inside
 * the sub-query: the decorrelated join then runs over those events only.
 */
export function preceded(
  earlier: string,
  minutes: number,
  options: { by?: 'principal' | 'account'; atLeast?: number; when?: string } = {},
): string {
  const same =
    options.by === 'account'
      ? `p.recipientaccountid = e.recipientaccountid`
      : `p.recipientaccountid = e.recipientaccountid AND coalesce(p.useridentity.username, p.useridentity.arn, '') = coalesce(e.useridentity.username, e.useridentity.arn, '')`;
  const body = `FROM cloudtrail_events p WHERE ${options.when ? `${options.when} AND ` : ''}${same}
    AND p.eventtime < e.eventtime
    AND p.eventtime >= date_format(date_add('minute', -${minutes}, from_iso8601_timestamp(e.eventtime)), '%Y-%m-%dT%H:%i:%sZ')
    AND ${earlier}`;
  const atLeast = options.atLeast ?? 1;
  return atLeast === 1 ? `EXISTS (SELECT 1 ${body})` : `(SELECT count(*) ${body}) >= ${atLeast}`;
}
