/**
 * The Trino (Athena) functions DuckDB lacks or runs differently, as DuckDB macros, so one query
 * text runs on both engines (athena-duckdb.md §3.2, tested on DuckDB 1.5.6). A macro shadows the
 * built-in of the same name; the built-in stays reachable as `system.main.fn`.
 *
 * Write store queries in Trino's spelling: `json_extract_scalar(requestparameters, '$.userName')`,
 * `from_iso8601_timestamp(eventtime)`, `regexp_like(useragent, '^aws-cli')`, `date_diff('hour', a, b)`,
 * `element_at(resources, 1).arn`, `cardinality(resources)`, `approx_distinct(sourceipaddress)`.
 * Portable time filters compare the ISO text: `eventtime >= '2024-05-01T00:00:00Z'` (or use the
 * store's typed `eventts` column, which Athena does not have).
 */
export const DIALECT_SETTINGS = [
  // Trino divides integers as integers; DuckDB returns a DOUBLE unless told otherwise.
  'SET integer_division = true',
  // Timestamps compare and print in UTC, the way CloudTrail writes eventTime.
  "SET TimeZone = 'UTC'",
  // Event order is carried by eventts, never by row order; keeping insertion order makes every
  // parallel scan buffer its output (and run out of memory on big loads).
  'SET preserve_insertion_order = false',
  // Progress of long statements is read through the connection (EventStore.runningProgress), never printed.
  'SET enable_progress_bar = true',
  'SET enable_progress_bar_print = false',
];

/** The shim macros, one statement each; created as TEMP so they never persist in a case file. */
export const DIALECT_MACROS = [
  // Trino returns NULL for objects, arrays and invalid JSON; DuckDB returns text or errors.
  // Trino paths may use ["aws:key"] segments; DuckDB wants ."aws:key". json_value parses the
  // document once (TRY: invalid JSON gives NULL) and gives a scalar's JSON text, NULL for an object
  // or an array; json_extract_string unquotes that small text. Rules call this on every row: the
  // earlier body (json_extract, then json_type and json_extract_string inside a list_transform
  // lambda) cost a fifth of the rules' tagging of a million events, and its size slowed planning
  // (the security-group rules' 120 calls: 110 -> 47 ms). A wildcard path (`$.a[*]`) selects
  // several values, no scalar: it becomes a NULL path, so NULL (json_value would hand back a list);
  // the path is a constant in every caller, folded when the statement is planned.
  `CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p) AS json_extract_string(TRY(json_value(j,
    CASE WHEN strpos(p, '*') = 0 THEN regexp_replace(p, '\\["([^"]*)"\\]', '."\\1"', 'g') END)), '$')`,
  'CREATE OR REPLACE TEMP MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  'CREATE OR REPLACE TEMP MACRO regexp_like(s, p) AS regexp_matches(s, p)',
  // DuckDB's date_diff counts unit boundaries crossed; Trino's counts whole units (date_sub).
  'CREATE OR REPLACE TEMP MACRO date_diff(u, a, b) AS date_sub(u, a, b)',
  "CREATE OR REPLACE TEMP MACRO date_add(u, n, ts) AS ts + CAST(CAST(n AS VARCHAR) || ' ' || u AS INTERVAL)",
  `CREATE OR REPLACE TEMP MACRO cardinality(x) AS CAST(
    CASE json_type(to_json(x)) WHEN 'ARRAY' THEN json_array_length(to_json(x))
                               WHEN 'OBJECT' THEN len(json_keys(to_json(x))) END AS BIGINT)`,
  'CREATE OR REPLACE TEMP MACRO element_at(c, k) AS c[k]',
  'CREATE OR REPLACE TEMP MACRO approx_distinct(x) AS approx_count_distinct(x)',
  `CREATE OR REPLACE TEMP MACRO replace(s, x) AS system.main.replace(s, x, ''),
                                    (s, x, y) AS system.main.replace(s, x, y)`,
  `CREATE OR REPLACE TEMP MACRO date_format(ts, f) AS
    strftime(ts, system.main.replace(system.main.replace(system.main.replace(f, '%i', '%M'), '%s', '%S'), '%T', '%H:%M:%S'))`,
  'CREATE OR REPLACE TEMP MACRO to_unixtime(ts) AS epoch(ts)',
  // Trino's slice(array, start, length).
  'CREATE OR REPLACE TEMP MACRO slice(a, s, n) AS list_slice(a, s, s + n - 1)',
  // Trino's array_join(array, separator): the elements as one text, NULLs left out (DuckDB's too).
  'CREATE OR REPLACE TEMP MACRO array_join(l, s) AS array_to_string(l, s)',
  'CREATE OR REPLACE TEMP MACRO json_parse(s) AS json(s)',
  'CREATE OR REPLACE TEMP MACRO json_format(j) AS CAST(json(j) AS VARCHAR)',
  `CREATE OR REPLACE TEMP MACRO json_size(j, p) AS CAST(
    CASE json_type(json_extract(j, p)) WHEN 'ARRAY' THEN json_array_length(j, p)
                                       WHEN 'OBJECT' THEN len(json_keys(j, p)) ELSE 0 END AS BIGINT)`,
  `CREATE OR REPLACE TEMP MACRO json_array_contains(j, v) AS
    list_contains(json_extract_string(j, '$[*]'), CAST(v AS VARCHAR))`,
  // Trino returns NULL when nothing matches; DuckDB returns ''.
  `CREATE OR REPLACE TEMP MACRO regexp_extract(s, p) AS nullif(system.main.regexp_extract(s, p), ''),
                                           (s, p, g) AS nullif(system.main.regexp_extract(s, p, g), '')`,
];
