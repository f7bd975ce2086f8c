import { RECORD_READ_TYPE, athenaSelectList } from '../store/schema.js';
import type { TrailFormat } from './discover.js';
import { MAX_RECORD_BYTES } from './salvage.js';
import { shapeCheckSql } from './shape.js';

/** Records to keep, decided during the scan (the rest are never materialised). */
export interface RecordFilter {
  /** `userIdentity.accessKeyId` equals this. */
  accessKeyId?: string | undefined;
  /** `userIdentity.userName` (or the session issuer's user name) equals this. */
  userName?: string | undefined;
  /** Inclusive lower bound on eventTime (ISO-8601). */
  since?: string | undefined;
  /** Exclusive upper bound on eventTime (ISO-8601). */
  until?: string | undefined;
}

/**
 * DuckDB's `maximum_object_size` for files of up to `largest` decompressed bytes. A Records file
 * is one JSON object, so the limit must cover the whole file; but the reader allocates buffers of
 * twice this size per thread, so it is sized to the batch rather than set high once.
 */
export function maxObjectBytes(largest: number, floor = 16 * 1024 * 1024): number {
  let size = floor; // DuckDB's default unless told
  while (size < largest + 1024 && size < 2 ** 30) size *= 2;
  return size;
}

function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** What one DuckDB read covers. */
export interface ReadSpec {
  paths: string[];
  format: TrailFormat;
  gzip: boolean;
  /** Largest decompressed file size in the batch. */
  largest: number;
  /** Replaces the file name as provenance (for repaired temp files). */
  sourceRef?: string | undefined;
  /**
   * Every top-level JSON value sits on one line (CloudTrail writes its delivery files compact, on
   * one line): DuckDB's newline-delimited reader then parses them, about 1.8x faster than its
   * format detection. A file that breaks the promise fails the read, which is retried without it.
   */
  oneLine?: boolean | undefined;
}

/**
 * A query yielding `(sourceref, r, shapebad)`: one row per CloudTrail record `r` (typed
 * RECORD_READ_TYPE) of the given files, read by DuckDB's JSON reader in one parallel scan with an
 * explicit column list (no auto-detection); `shapebad` is why a record does not fit, or NULL.
 * (A key or user hunt reads only the candidates the prefilter cut out: `candidateReaderSql`.)
 */
export function readerSql(spec: ReadSpec): string {
  const list = `[${spec.paths.map(lit).join(', ')}]`;
  const common = `compression = '${spec.gzip ? 'gzip' : 'uncompressed'}', filename = true, maximum_object_size = ${maxObjectBytes(spec.largest)}`;
  const ref = spec.sourceRef === undefined ? 'filename' : lit(spec.sourceRef);
  if (spec.format !== 'lookup') {
    const columns =
      spec.format === 'records' ? `{Records: '${RECORD_READ_TYPE}[]'}` : `{r: '${RECORD_READ_TYPE}'}`;
    const pick = spec.format === 'records' ? 'unnest(Records) AS r' : 'r';
    return `SELECT ${ref} AS sourceref, ${pick}, CAST(NULL AS VARCHAR) AS shapebad
      FROM read_json(${list}, ${formatOption(spec)}, ${common}, columns = ${columns})`;
  }
  // `aws cloudtrail lookup-events` nests each record as a JSON string in CloudTrailEvent: read as
  // text, then typed (the shape test catches what the lenient json_transform would null).
  const raw = `SELECT sourceref, json(e.CloudTrailEvent) AS j FROM (
    SELECT ${ref} AS sourceref, unnest(Events) AS e
    FROM read_json(${list}, format = 'auto', records = true, ${common}, columns = {Events: 'STRUCT(CloudTrailEvent VARCHAR)[]'}))`;
  return `SELECT sourceref, json_transform(j, '"${RECORD_READ_TYPE}"') AS r, ${shapeCheckSql('j')} AS shapebad
    FROM (${raw})`;
}

/**
 * The layout options of a read. `records` is always said: left to detect, DuckDB first reads a
 * sample (up to 32 whole files: all of a delivery file is one line) and works out its structure on
 * one thread before the scan starts (1.2 s before the first row of a 1M-record load; half the
 * instructions of a 30-file load, about 2% of a 1,466-file one, whose sample's parse is reused).
 */
function formatOption(spec: ReadSpec): string {
  if (spec.format === 'array') return "format = 'array', records = false";
  const records = spec.format === 'objects' ? ', records = false' : ', records = true';
  if (spec.oneLine && (spec.format === 'records' || spec.format === 'objects'))
    return `format = 'newline_delimited'${records}`;
  return `format = 'auto'${records}`;
}

/**
 * The reader of candidate chunks written by the prefilter (`{"f": source file, "r": record}` per
 * line): the same rows as `readerSql`. The prefilter has already checked each record against the
 * reader's shape (`shapeProblem`, the same rule), so the records are read typed, like whole files;
 * DuckDB's buffers are sized to the longest line (at most a record of 1 MB).
 */
export function candidateReaderSql(paths: string[], longest: number): string {
  return `SELECT f AS sourceref, r, CAST(NULL AS VARCHAR) AS shapebad
    FROM read_json([${paths.map(lit).join(', ')}], format = 'newline_delimited', records = true,
      maximum_object_size = ${maxObjectBytes(longest, 1024 * 1024)},
      columns = {f: 'VARCHAR', r: '${RECORD_READ_TYPE}'})`;
}

/** The WHERE clause of a filter over a record struct `r`, or `TRUE`. */
export function filterSql(filter: RecordFilter | undefined): string {
  const parts = [subjectSql(filter), windowSql(filter)].filter((p) => p !== 'TRUE');
  return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
}

/** The access key and user conditions of a filter, or `TRUE`. */
function subjectSql(filter: RecordFilter | undefined): string {
  const parts: string[] = [];
  if (filter?.accessKeyId) parts.push(`r.userIdentity.accessKeyId = ${lit(filter.accessKeyId)}`);
  if (filter?.userName) {
    const name = lit(filter.userName);
    parts.push(
      `(r.userIdentity.userName = ${name} OR r.userIdentity.sessionContext.sessionIssuer.userName = ${name})`,
    );
  }
  return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
}

/** The time conditions of a filter, or `TRUE`. */
function windowSql(filter: RecordFilter | undefined): string {
  const parts: string[] = [];
  if (filter?.since)
    parts.push(`TRY_CAST(r.eventTime AS TIMESTAMPTZ) >= CAST(${lit(filter.since)} AS TIMESTAMPTZ)`);
  if (filter?.until)
    parts.push(`TRY_CAST(r.eventTime AS TIMESTAMPTZ) < CAST(${lit(filter.until)} AS TIMESTAMPTZ)`);
  return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
}

/** The values a hunt's records must hold somewhere in their text (its access key id, user name). */
export function subjectValues(filter: RecordFilter | undefined): string[] {
  return [filter?.accessKeyId, filter?.userName].filter((v): v is string => !!v);
}

/**
 * A batch's rows: the table's columns plus `eventts`, `sourceref`, `shapebad` and `mention`,
 * filtered during the scan (a misshapen record is kept, to be counted). With `mentions`, records
 * in the time window that hold the hunted value without being made by the subject are kept too,
 * marked `mention` (the prefilter's candidates: e.g. CreateAccessKey's response naming the key).
 */
export function batchSql(reader: string, filter: RecordFilter | undefined, mentions = false): string {
  const subject = `coalesce(${subjectSql(filter)}, false)`;
  const mention = mentions ? `shapebad IS NULL AND NOT ${subject}` : 'false';
  const keep = mentions ? windowSql(filter) : filterSql(filter);
  return `SELECT sourceref, ${athenaSelectList('r')}, TRY_CAST(r.eventTime AS TIMESTAMPTZ) AS eventts, shapebad,
      ${mention} AS mention
    FROM (${reader}) WHERE (${keep}) OR shapebad IS NOT NULL`;
}

const BIG_FIELDS = [
  'requestparameters',
  'responseelements',
  'additionaleventdata',
  'serviceeventdetails',
  'errormessage',
  'useragent',
];

/**
 * A SQL expression over a staged row: the reason the record is refused, or NULL when it is good.
 * The size test sums the free-form fields, where all of a record's bulk lives.
 */
export function badRecordCase(): string {
  const size = BIG_FIELDS.map((f) => `coalesce(strlen(${f}), 0)`).join(' + ');
  return `(CASE
    WHEN shapebad IS NOT NULL THEN shapebad
    WHEN eventid IS NULL THEN 'missing eventID'
    WHEN eventtime IS NULL THEN 'missing eventTime'
    WHEN eventts IS NULL THEN 'eventTime is not an ISO-8601 time'
    WHEN ${size} > ${MAX_RECORD_BYTES} THEN 'record larger than 1 MB'
  END)`;
}
