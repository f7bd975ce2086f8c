/**
 * Building blocks for rule predicates, in the SQL subset DuckDB (with the store's shim macros) and
 * Athena/Trino both run: `json_extract_scalar`, `regexp_like`, 3-argument `replace`, ISO-string
 * time comparisons. Column names are the Athena CloudTrail table's (src/store/schema.ts).
 */

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
 * LIKE rather than a regular expression: rules run over millions of rows.
 */
export function eventNamed(names: readonly string[]): string {
  const suffixed = names.map((n) => `eventname LIKE ${lit(`${n}20%`)}`);
  return `(eventname IN (${lits(names)}) OR ${suffixed.join(' OR ')})`;
}

/** The call is `service:Name` for one of the names (suffixed names match). */
export function api(service: string, ...names: string[]): string {
  const source = `eventsource = ${lit(`${service}.amazonaws.com`)}`;
  if (names.length === 0) return source;
  return `(${source} AND ${eventNamed(names)})`;
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
export const DENIED = `(errorcode IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation', 'UnauthorizedAccess', 'Forbidden') OR regexp_like(coalesce(errorcode, ''), '(?i)accessdenied|unauthorized'))`;

/** Case-sensitive regular-expression match (RE2 in DuckDB, Java in Trino: keep to the common subset). */
export function matches(expr: string, pattern: string): string {
  return `regexp_like(coalesce(${expr}, ''), ${lit(pattern)})`;
}

/**
 * All of the predicates, tested in order: put the cheap one (the API) first. Written as nested
 * CASE, not AND: DuckDB evaluates every operand of an AND over every row of a projection (the
 * one-scan check of all rules, engine.ts), but a CASE branch only where its test holds, which makes
 * a rule with JSON conditions ten times cheaper on rows of other APIs. NULL tests count as false.
 */
export function and(...parts: string[]): string {
  if (parts.length === 1) return parts[0]!;
  return parts
    .slice(0, -1)
    .reduceRight(
      (inner, part) => `(CASE WHEN ${part} THEN ${inner} ELSE false END)`,
      `coalesce(${parts.at(-1)!}, false)`,
    );
}

/** Any of the predicates. */
export function or(...parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
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
 * The same actor made a call matching `earlier` in the `minutes` before this one: a step of a
 * sequence (failed sign-ins then a success, deletions then a ransom note). `e` is the event the
 * rule tests (engine.ts aliases it so); the earlier calls are read as `p`. The actor is the
 * principal, or the account for `by: 'account'`.
 */
export function preceded(
  earlier: string,
  minutes: number,
  by: 'principal' | 'account' = 'principal',
): string {
  const same =
    by === 'account'
      ? `p.recipientaccountid = e.recipientaccountid`
      : // A failed sign-in names the user but has no ARN; IAM users' other records have both.
        `p.recipientaccountid = e.recipientaccountid AND coalesce(p.useridentity.username, p.useridentity.arn, '') = coalesce(e.useridentity.username, e.useridentity.arn, '')`;
  return `EXISTS (SELECT 1 FROM cloudtrail_events p WHERE ${same}
    AND p.eventtime < e.eventtime
    AND p.eventtime >= date_format(date_add('minute', -${minutes}, from_iso8601_timestamp(e.eventtime)), '%Y-%m-%dT%H:%i:%sZ')
    AND ${earlier})`;
}
