import { ATHENA_COLUMNS } from '../store/schema.js';
import type { RecordFilter } from '../trail/sql.js';
import { STRUCT_COLUMNS } from './table.js';

/** A Trino string literal. */
export function trinoString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A Trino quoted identifier. */
export function trinoName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The day folder (`yyyy/MM/dd`, UTC) an ISO time falls in. */
export function dayFolder(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10).replace(/-/g, '/');
}

/** One partition of the work: an account and region of the trail bucket. */
export interface Slice {
  account: string;
  region: string;
}

/**
 * The record conditions of a hunt filter in Trino over the CloudTrail table: the same rows the
 * local loader keeps (`src/trail/sql.ts` filterSql), written for Athena's lower-case columns.
 */
export function filterWhere(filter: RecordFilter): string[] {
  const parts = subjectWhere(filter);
  if (filter.since)
    parts.push(`from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp(${trinoString(filter.since)})`);
  if (filter.until)
    parts.push(`from_iso8601_timestamp(eventtime) < from_iso8601_timestamp(${trinoString(filter.until)})`);
  return parts;
}

/** The subject conditions of a hunt filter (key, user), the same in Athena's and Lake's schema. */
export function subjectWhere(filter: RecordFilter): string[] {
  const parts: string[] = [];
  if (filter.accessKeyId) parts.push(`useridentity.accesskeyid = ${trinoString(filter.accessKeyId)}`);
  if (filter.userName) {
    const name = trinoString(filter.userName);
    parts.push(
      `(useridentity.username = ${name} OR useridentity.sessioncontext.sessionissuer.username = ${name})`,
    );
  }
  return parts;
}

/** The day folders a window's records can be in: from its first day to the day after its last (late delivery). */
export function dayRange(filter: RecordFilter): { from?: string; to?: string } {
  return {
    ...(filter.since ? { from: dayFolder(filter.since) } : {}),
    ...(filter.until ? { to: dayFolder(new Date(Date.parse(filter.until) + DAY_MS).toISOString()) } : {}),
  };
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The partition conditions that keep Athena to one account's region and the days of the window
 * (the partitions the scan estimate counted). Comparisons with literals, AND-ed: what partition
 * projection prunes on.
 */
export function partitionWhere(slice: Slice, filter: RecordFilter): string[] {
  const parts = [`account = ${trinoString(slice.account)}`, `region = ${trinoString(slice.region)}`];
  const days = dayRange(filter);
  if (days.from) parts.push(`"timestamp" >= ${trinoString(days.from)}`);
  if (days.to) parts.push(`"timestamp" <= ${trinoString(days.to)}`);
  return parts;
}

/**
 * The hunt's query for one slice: every column of the matching records, structs and arrays as
 * JSON text (`json_format(CAST(x AS JSON))`: Trino casts a ROW with named fields to a JSON
 * object), so they come back through Athena's text results and load into the store unchanged.
 */
export function huntQuery(database: string, table: string, slice: Slice, filter: RecordFilter): string {
  const select = ATHENA_COLUMNS.map((c) =>
    (STRUCT_COLUMNS as string[]).includes(c) ? `json_format(CAST(${c} AS JSON)) AS ${c}` : c,
  );
  return [
    `SELECT ${select.join(', ')}`,
    `FROM ${trinoName(database)}.${trinoName(table)}`,
    `WHERE ${[...partitionWhere(slice, filter), ...filterWhere(filter)].join('\n  AND ')}`,
  ].join('\n');
}
