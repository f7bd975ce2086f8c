import { readFileSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import type { TrailFormat } from './discover.js';
import { shapeProblem } from './shape.js';

/** CloudTrail never delivers an event this large (its own limit is 256 KB); bigger means damage. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** What the record-by-record reader made of a file DuckDB's reader refused. */
export interface Salvage {
  /** Each good record as one line of JSON. */
  records: string[];
  /** Bad records by reason. */
  bad: Map<string, number>;
  /** What is wrong with the file as a whole, if anything (truncated, malformed tail…). */
  fileProblem: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Read one damaged file record by record, keeping every record that is whole and well-formed.
 * Only used for files DuckDB's reader rejected, so the speed of plain JS is fine here.
 */
export function salvageFile(path: string, format: TrailFormat, gzip: boolean): Salvage {
  const result: Salvage = { records: [], bad: new Map(), fileProblem: null };
  let bytes: Buffer = readFileSync(path);
  if (gzip) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      // Keep whatever decompresses before the damage (a cut-off download, a bad block).
      result.fileProblem = `damaged gzip (${(error as Error).message})`;
      try {
        bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
      } catch {
        bytes = Buffer.alloc(0);
      }
    }
  }
  const text = bytes; // scanned as bytes: offsets stay exact whatever the encoding damage
  let start = 0;
  if (format === 'records' || format === 'lookup') {
    const key = format === 'records' ? '"Records"' : '"Events"';
    const at = text.indexOf(key);
    const open = at < 0 ? -1 : text.indexOf('[', at + key.length);
    if (open < 0) {
      result.fileProblem = joinProblem(result.fileProblem, `no ${key} array`);
      return result;
    }
    start = open + 1;
  } else if (format === 'array') {
    start = text.indexOf('[') + 1;
  }
  const inArray = format !== 'objects';
  const scan =
    format === 'objects' && isLineDelimited(text) ? splitLines(text) : scanValues(text, start, inArray);
  if (scan.tail) result.fileProblem = joinProblem(result.fileProblem, scan.tail);
  for (const slice of scan.values) {
    const problem = format === 'lookup' ? takeLookupRecord(slice, result) : takeRecord(slice, result);
    if (problem) result.bad.set(problem, (result.bad.get(problem) ?? 0) + 1);
  }
  if (scan.tail) {
    // The damaged tail holds at least one record that cannot be recovered.
    result.bad.set(scan.tail, (result.bad.get(scan.tail) ?? 0) + 1);
  }
  return result;
}

function takeRecord(slice: Buffer, result: Salvage): string | null {
  if (slice.length > MAX_RECORD_BYTES) return `record larger than 1 MB`;
  let text: string;
  try {
    text = utf8.decode(slice);
  } catch {
    return 'invalid UTF-8 bytes';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'invalid JSON';
  }
  const problem = shapeProblem(value);
  if (problem) return `wrong type: ${problem}`;
  result.records.push(JSON.stringify(value));
  return null;
}

function takeLookupRecord(slice: Buffer, result: Salvage): string | null {
  let entry: unknown;
  try {
    entry = JSON.parse(utf8.decode(slice));
  } catch {
    return 'invalid JSON in Events entry';
  }
  const inner = (entry as { CloudTrailEvent?: unknown } | null)?.CloudTrailEvent;
  if (typeof inner !== 'string') return 'Events entry without a CloudTrailEvent string';
  return takeRecord(Buffer.from(inner, 'utf8'), result);
}

function joinProblem(a: string | null, b: string): string {
  return a ? `${a}; ${b}` : b;
}

/** NDJSON when the first non-empty line is a whole JSON value on its own. */
function isLineDelimited(text: Buffer): boolean {
  const end = text.indexOf(0x0a);
  const first = text
    .subarray(0, end < 0 ? text.length : end)
    .toString('utf8')
    .trim();
  try {
    JSON.parse(first);
    return true;
  } catch {
    return false;
  }
}

/** One value per non-empty line: a broken line costs that line only. */
function splitLines(text: Buffer): { values: Buffer[]; tail: string | null } {
  const values: Buffer[] = [];
  let begin = 0;
  while (begin < text.length) {
    let end = text.indexOf(0x0a, begin);
    if (end < 0) end = text.length;
    const line = text.subarray(begin, end);
    if (line.toString('latin1').trim() !== '') values.push(line);
    begin = end + 1;
  }
  return { values, tail: null };
}

const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x2c]); // whitespace and commas between values

/**
 * Split a sequence of JSON values (array elements after `[`, or whitespace-separated objects)
 * into byte slices by bracket depth, honouring strings and escapes. Stops at the closing `]`
 * of the array; `tail` says why the text ended early.
 */
export function scanValues(
  text: Buffer,
  start: number,
  inArray: boolean,
): { values: Buffer[]; tail: string | null } {
  const values: Buffer[] = [];
  let i = start;
  const n = text.length;
  for (;;) {
    while (i < n && SPACE.has(text[i]!)) i++;
    if (i >= n) return { values, tail: inArray ? 'file ends before the closing ] (truncated)' : null };
    if (inArray && text[i] === 0x5d) return { values, tail: null };
    const begin = i;
    if (OPEN.has(text[i]!)) {
      let depth = 0;
      let inString = false;
      for (; i < n; i++) {
        const c = text[i]!;
        if (inString) {
          if (c === 0x5c) i++;
          else if (c === 0x22) inString = false;
        } else if (c === 0x22) inString = true;
        else if (OPEN.has(c)) depth++;
        else if (CLOSE.has(c)) {
          depth--;
          if (depth === 0) break;
        }
      }
      if (i >= n)
        return { values, tail: `file ends inside a record at byte ${begin} (truncated or malformed)` };
      i++;
    } else if (text[i] === 0x22) {
      // A string (not a record, but one value: its spaces and commas do not split it).
      for (i++; i < n && text[i] !== 0x22; i++) if (text[i] === 0x5c) i++;
      if (i >= n)
        return { values, tail: `file ends inside a string at byte ${begin} (truncated or malformed)` };
      i++;
    } else {
      // A number, literal or junk: up to the next separator.
      while (i < n && !SPACE.has(text[i]!) && text[i] !== 0x5d) i++;
    }
    values.push(text.subarray(begin, i));
  }
}
