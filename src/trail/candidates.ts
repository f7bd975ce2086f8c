import type { TrailFormat } from './discover.js';
import { ENDS_IN_STRING, ENDS_IN_VALUE, type StructureScanner } from './structure.js';

/**
 * The byte patterns of a hunted value. A record can hold the value in a field only if its text
 * holds it inside a JSON string: in its canonical form (found with `Buffer.indexOf`), or with
 * some characters escaped (`\u0041`, `\/`): records holding an escape are tested against `loose`,
 * which accepts every encoding of every character.
 */
export interface SubjectPattern {
  /** The canonical JSON form of the value (inside a string, without quotes), as UTF-8 bytes. */
  exact: Buffer;
  /** Every JSON encoding of the value, over text decoded as latin1 (one char per byte). */
  loose: RegExp;
  /** The value's UTF-16 code units: an escape of any other unit cannot be part of a match. */
  units: Set<number>;
  /**
   * The part of `exact` searched for (`exactHits`), chosen on the first big buffer searched;
   * null until then (the whole of `exact` is searched).
   */
  window: { at: number; bytes: Buffer } | null;
}

/** Escapes that can stand for a character of a hunted value: `\uXXXX` and `\/`. */
export const ESCAPES = [Buffer.from('\\u'), Buffer.from('\\/')];

/** The patterns of the values a record must hold to be a candidate. */
export function subjectPatterns(values: string[]): SubjectPattern[] {
  return values.map((value) => ({
    exact: Buffer.from(JSON.stringify(value).slice(1, -1), 'utf8'),
    loose: new RegExp([...value].map(charEncodings).join('')),
    units: new Set([...Array(value.length).keys()].map((i) => value.charCodeAt(i))),
    window: null,
  }));
}

/** A regex alternative matching every JSON encoding of one character (as latin1-decoded UTF-8). */
function charEncodings(ch: string): string {
  const literal = Buffer.from(JSON.stringify(ch).slice(1, -1), 'utf8').toString('latin1');
  const units = [...Array(ch.length).keys()].map((i) => ch.charCodeAt(i));
  // A character beyond the BMP is escaped as its surrogate pair.
  const escaped = units.map((u) => `\\\\u${hexAnyCase(u)}`).join('');
  const options = [escapeRegex(literal), escaped];
  if (ch === '/') options.push('\\\\/');
  return `(?:${options.join('|')})`;
}

function hexAnyCase(unit: number): string {
  return [...unit.toString(16).padStart(4, '0')]
    .map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d))
    .join('');
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Where a file's hunted values may be: exact matches, and escapes to test with the loose patterns. */
export interface Hits {
  exact: number[];
  escapes: number[];
}

/**
 * Positions of the exact patterns, and of the escapes that stand for a character of a value (real
 * trails escape `&` as `\u0026` often; those cannot be part of an access key id), each ascending.
 */
export function findHits(buf: Buffer, patterns: SubjectPattern[]): Hits {
  const exact: number[] = [];
  for (const p of patterns) exactHits(buf, p, exact);
  if (patterns.length > 1) exact.sort((a, b) => a - b);
  const escapes: number[] = [];
  for (const escape of ESCAPES) {
    for (let i = buf.indexOf(escape); i >= 0; i = buf.indexOf(escape, i + 2)) {
      const unit = escapedUnit(buf, i);
      if (unit === null || patterns.some((p) => p.units.has(unit))) escapes.push(i);
    }
  }
  return { exact, escapes: escapes.sort((a, b) => a - b) };
}

/** Bytes of a longer value searched for in its place (see `exactHits`). */
const WINDOW_BYTES = 4;
/** A buffer big enough to choose a value's window on (a few records are not a sample). */
const SAMPLE_BYTES = 64 * 1024;

/**
 * Append the positions of `p.exact` in `buf`, ascending. Over trail text, Node's `indexOf` found a
 * 20-byte access key id at about 3 GB/s, but 4 bytes whose first byte is rare at 8 GB/s (measured:
 * 81 against 31 ms for 249 MB); each match costs a return to JavaScript. So a longer value is
 * found through the 4 bytes of it with the fewest matches in the first big buffer (then the rarest
 * first byte): an `AKIA…` key through its end, not through `KIA`, which every key in a trail
 * holds. Each match of the window is checked for the whole value.
 */
export function exactHits(buf: Buffer, p: SubjectPattern, into: number[]): void {
  const needle = p.exact;
  if (p.window === null && needle.length > WINDOW_BYTES && buf.length >= SAMPLE_BYTES)
    p.window = chooseWindow(needle, buf);
  if (p.window === null) {
    for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) into.push(i);
    return;
  }
  const { at, bytes } = p.window;
  const last = buf.length - needle.length;
  for (let i = buf.indexOf(bytes, at); i >= 0; i = buf.indexOf(bytes, i + 1)) {
    const start = i - at;
    if (start <= last && buf.compare(needle, 0, needle.length, start, start + needle.length) === 0)
      into.push(start);
  }
}

/** The window of `needle` with the fewest matches in `sample`, then the rarest first byte. */
function chooseWindow(needle: Buffer, sample: Buffer): { at: number; bytes: Buffer } {
  const counts = new Uint32Array(256);
  for (let i = 0; i < sample.length; i++) counts[sample[i]!]!++;
  let best = { at: 0, matches: Infinity, firstByte: Infinity };
  for (let at = 0; at + WINDOW_BYTES <= needle.length; at++) {
    const bytes = needle.subarray(at, at + WINDOW_BYTES);
    let matches = 0;
    for (let i = sample.indexOf(bytes); i >= 0; i = sample.indexOf(bytes, i + 1)) matches++;
    const firstByte = counts[needle[at]!]!;
    if (matches < best.matches || (matches === best.matches && firstByte < best.firstByte))
      best = { at, matches, firstByte };
  }
  return { at: best.at, bytes: Buffer.from(needle.subarray(best.at, best.at + WINDOW_BYTES)) };
}

/** The code unit an escape at `i` stands for (`\u0041` → 0x41, `\/` → 0x2f), null if unknown. */
function escapedUnit(buf: Buffer, i: number): number | null {
  if (buf[i + 1] === 0x2f) return 0x2f;
  const hex = buf.toString('latin1', i + 2, i + 6);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : null;
}

/** The records of a file that contain a hit, as byte ranges, or why the file cannot be cut. */
export interface Cut {
  spans: [start: number, end: number][];
  /** The file's structure is not whole JSON up to the last hit (read it the slow way). */
  problem: string | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const RECORDS_KEY = Buffer.from('"Records"');

/**
 * Cut out the records holding a hit: one exact pass over the JSON structure (strings, escapes,
 * depth) from the start of the file up to the end of the last record with a hit. The records are
 * the elements of the top-level `Records` array (`records`), of the top-level array (`array`), or
 * the top-level values (`objects`). A hit inside a string cannot fool it: the pass knows at every
 * byte whether it is inside a string. `loose` decides for records holding only escapes.
 * With a `scanner` (structure.wat) each record's end is found 64 bytes at a time, with the same
 * result (it is loaded with `buf` here; a file too big for it is walked byte by byte).
 */
export function cutRecords(
  buf: Buffer,
  format: TrailFormat,
  hits: Hits,
  patterns: SubjectPattern[],
  scanner: StructureScanner | null = null,
): Cut {
  const spans: Cut['spans'] = [];
  const exact = hits.exact;
  const escapes = hits.escapes;
  if (exact.length === 0 && escapes.length === 0) return { spans, problem: null };
  const fast = scanner?.load(buf) ? scanner : null;
  const last = Math.max(exact.at(-1) ?? -1, escapes.at(-1) ?? -1);
  const n = buf.length;
  // Depth of the values that are records: -1 until the container is open.
  let recordDepth = format === 'objects' ? 0 : -1;
  let depth = 0;
  let start = -1;
  let e = 0;
  let s = 0;
  const take = (from: number, to: number): void => {
    while (e < exact.length && exact[e]! < from) e++;
    while (s < escapes.length && escapes[s]! < from) s++;
    if (e < exact.length && exact[e]! < to) {
      spans.push([from, to]);
    } else if (s < escapes.length && escapes[s]! < to) {
      const text = buf.toString('latin1', from, to);
      if (patterns.some((p) => p.loose.test(text))) spans.push([from, to]);
    }
  };
  let i = 0;
  while (i < n) {
    const c = buf[i]!;
    if (c === QUOTE) {
      const begin = i;
      i = closingQuote(buf, i + 1);
      if (i < 0) return { spans, problem: 'file ends inside a string' };
      i++;
      if (depth === recordDepth && start < 0) {
        take(begin, i);
        if (begin > last) return { spans, problem: null };
      } else if (format === 'records' && depth === 1 && recordDepth < 0 && isRecordsKey(buf, begin, i)) {
        recordDepth = 2;
      }
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === recordDepth && start < 0) {
        if (i > last) return { spans, problem: null };
        if (fast) {
          const end = fast.close(i);
          if (end >= 0) {
            // The record's end, found 64 bytes at a time: on from there, at the same depth.
            take(i, end + 1);
            i = end + 1;
            continue;
          }
          if (end === ENDS_IN_STRING) return { spans, problem: 'file ends inside a string' };
          if (end === ENDS_IN_VALUE) return { spans, problem: 'file ends inside a record (truncated)' };
          // A backslash outside strings (not JSON): byte by byte, as without a scanner.
        }
        start = i;
      } else if (format === 'array' && depth === 0 && c === OPEN_ARRAY) {
        recordDepth = 1;
      }
      depth++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth < 0) return { spans, problem: `unbalanced ${String.fromCharCode(c)} at byte ${i}` };
      if (depth === recordDepth && start >= 0) {
        take(start, i + 1);
        start = -1;
      } else if (depth < recordDepth) {
        // The records' container closed: nothing after it is a record.
        return { spans, problem: null };
      }
    } else if (depth === recordDepth && start < 0 && !SEPARATOR[c]) {
      // A bare number or literal where a record should be: one value up to the next separator.
      const begin = i;
      while (i < n && !SEPARATOR[buf[i]!] && buf[i] !== CLOSE_ARRAY) i++;
      take(begin, i);
      continue;
    }
    i++;
  }
  if (depth !== 0 || start >= 0) return { spans, problem: 'file ends inside a record (truncated)' };
  return { spans, problem: null };
}

/**
 * The quote that closes the string whose text starts at `from`, or -1: the next quote found by
 * `Buffer.indexOf` (native, most of a trail's bytes are inside strings) that an even number of
 * backslashes precedes. The string's opening quote stops the backward count.
 */
export function closingQuote(buf: Buffer, from: number): number {
  for (let q = buf.indexOf(QUOTE, from); q >= 0; q = buf.indexOf(QUOTE, q + 1)) {
    let k = q - 1;
    while (buf[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
  }
  return -1;
}

/** Whitespace, commas and colons: bytes between values. */
const SEPARATOR = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d, 0x2c, 0x3a]) SEPARATOR[c] = 1;

/** The string at [begin, end) is the key `"Records"` and an array follows its colon. */
function isRecordsKey(buf: Buffer, begin: number, end: number): boolean {
  if (end - begin !== RECORDS_KEY.length || buf.compare(RECORDS_KEY, 0, RECORDS_KEY.length, begin, end) !== 0)
    return false;
  let i = end;
  while (i < buf.length && SEPARATOR[buf[i]!] && buf[i] !== 0x2c) i++;
  return buf[i] === OPEN_ARRAY && buf.indexOf(0x3a, end) < i;
}
