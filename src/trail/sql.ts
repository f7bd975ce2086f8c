import { RECORD_READ_TYPE, athenaSelectList } from '../store/schema.js';
import type { TrailFormat } from './discover.js';
import { MAX_RECORD_BYTES } from './salvage.js';

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
export function maxObjectBytes(largest: number): number {
  let size = 16 * 1024 * 1024; // DuckDB's default
  while (size < largest + 1024 && size < 2 ** 30) size *= 2;
  return size;
}

function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A query yielding `(sourceref, r)`: one row per CloudTrail record `r` (typed RECORD_READ_TYPE)
 * of the given files, read by DuckDB's JSON reader in one parallel scan with an explicit column
 * list (no auto-detection). `sourceRef` replaces the file name (for repaired temp files).
 */
export function readerSql(
  paths: string[],
  format: TrailFormat,
  gzip: boolean,
  largest: number,
  sourceRef?: string,
): string {
  const list = `[${paths.map(lit).join(', ')}]`;
  const common = `compression = '${gzip ? 'gzip' : 'uncompressed'}', filename = true, maximum_object_size = ${maxObjectBytes(largest)}`;
  const ref = sourceRef === undefined ? 'filename' : lit(sourceRef);
  switch (format) {
    case 'records':
      return `SELECT ${ref} AS sourceref, unnest(Records) AS r FROM read_json(${list}, format = 'auto', ${common},
        columns = {Records: '${RECORD_READ_TYPE}[]'})`;
    case 'array':
      return `SELECT ${ref} AS sourceref, r FROM read_json(${list}, format = 'array', records = false, ${common},
        columns = {r: '${RECORD_READ_TYPE}'})`;
    case 'objects':
      return `SELECT ${ref} AS sourceref, r FROM read_json(${list}, format = 'auto', records = false, ${common},
        columns = {r: '${RECORD_READ_TYPE}'})`;
    case 'lookup':
      // `aws cloudtrail lookup-events` nests each record as a JSON string in CloudTrailEvent.
      return `SELECT sourceref, CAST(json(e.CloudTrailEvent) AS ${RECORD_READ_TYPE}) AS r FROM (
        SELECT ${ref} AS sourceref, unnest(Events) AS e FROM read_json(${list}, format = 'auto', ${common},
        columns = {Events: 'STRUCT(CloudTrailEvent VARCHAR)[]'}))`;
  }
}

/** The WHERE clause of a filter over a record struct `r`, or `TRUE`. */
export function filterSql(filter: RecordFilter | undefined): string {
  const parts: string[] = [];
  if (filter?.accessKeyId) parts.push(`r.userIdentity.accessKeyId = ${lit(filter.accessKeyId)}`);
  if (filter?.userName) {
    const name = lit(filter.userName);
    parts.push(
      `(r.userIdentity.userName = ${name} OR r.userIdentity.sessionContext.sessionIssuer.userName = ${name})`,
    );
  }
  if (filter?.since)
    parts.push(`TRY_CAST(r.eventTime AS TIMESTAMPTZ) >= CAST(${lit(filter.since)} AS TIMESTAMPTZ)`);
  if (filter?.until)
    parts.push(`TRY_CAST(r.eventTime AS TIMESTAMPTZ) < CAST(${lit(filter.until)} AS TIMESTAMPTZ)`);
  return parts.length > 0 ? parts.join(' AND ') : 'TRUE';
}

/** Materialise a batch: the table's columns plus `eventts` and `sourceref`, filtered during the scan. */
export function stageSql(stage: string, reader: string, filter: RecordFilter | undefined): string {
  return `CREATE OR REPLACE TEMP TABLE ${stage} AS
    SELECT sourceref, ${athenaSelectList('r')}, TRY_CAST(r.eventTime AS TIMESTAMPTZ) AS eventts
    FROM (${reader}) WHERE ${filterSql(filter)}`;
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
    WHEN eventid IS NULL THEN 'missing eventID'
    WHEN eventtime IS NULL THEN 'missing eventTime'
    WHEN eventts IS NULL THEN 'eventTime is not an ISO-8601 time'
    WHEN ${size} > ${MAX_RECORD_BYTES} THEN 'record larger than 1 MB'
  END)`;
}
