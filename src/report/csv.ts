import { forCsv } from '../untrusted.js';
import type { TimelineEntry } from './facts.js';

/** Columns of the timeline export, each with how it is read from an entry. */
const COLUMNS: [string, (e: TimelineEntry) => string | null][] = [
  ['time', (e) => e.time],
  ['region', (e) => e.region],
  ['event_source', (e) => e.eventSource],
  ['event_name', (e) => e.eventName],
  ['category', (e) => e.category],
  ['source_ip', (e) => e.sourceIp],
  ['user_agent', (e) => e.userAgent],
  ['principal', (e) => e.principal],
  ['access_key', (e) => e.accessKey],
  ['error', (e) => e.error],
  ['event_id', (e) => e.eventId],
];

/**
 * The timeline as CSV (RFC 4180, CRLF line ends). Every field goes through `forCsv`: attacker
 * text such as `=HYPERLINK(...)` in a user agent arrives as inert text in a spreadsheet.
 */
export function timelineCsv(timeline: TimelineEntry[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const entry of timeline) lines.push(COLUMNS.map(([, read]) => forCsv(read(entry) ?? '')).join(','));
  return lines.join('\r\n') + '\r\n';
}
