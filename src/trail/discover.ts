import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { constants } from 'node:zlib';
import { UserError } from '../errors.js';
import { FileInflater } from './inflate.js';

/**
 * How a CloudTrail file is laid out:
 * - `records`: a trail delivery file, `{"Records":[…]}`;
 * - `array`: a bare JSON array of records (Stratus Red Team detonation logs);
 * - `objects`: one record per line (NDJSON) or concatenated objects;
 * - `lookup`: `aws cloudtrail lookup-events` output, records inside `Events[].CloudTrailEvent` strings.
 */
export type TrailFormat = 'records' | 'array' | 'objects' | 'lookup';

/** A file that looks like CloudTrail and will be read. */
export interface TrailFile {
  path: string;
  format: TrailFormat;
  gzip: boolean;
  /** Bytes on disk. */
  size: number;
  /** Bytes once decompressed (from the gzip trailer; a damaged trailer may lie). */
  rawSize: number;
}

/** A file left out, with the reason. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface Discovery {
  files: TrailFile[];
  /** Digest files and the like: not events, not an error. */
  skipped: SkippedFile[];
  /** Files that cannot be read at all (empty, not JSON, unreadable). */
  bad: SkippedFile[];
}

/** File names read when walking folders (a file named explicitly is always read). */
const TRAIL_NAME = /\.(json|jsonl|ndjson)(\.gz)?$/i;
/** CloudTrail digest files (`…/CloudTrail-Digest/…/…_CloudTrail-Digest_…json.gz`) hold hashes, not events. */
const DIGEST = /(^|[\\/_])CloudTrail-Digest([\\/_]|$)/;
const HEAD_BYTES = 64 * 1024;
/** Compressed bytes inflated to sniff a gzip file: ~20 KB of text, enough to see the layout, cheap. */
const GZIP_HEAD_BYTES = 4096;
/**
 * Compressed bytes inflated first (~2 KB of text): enough when the file opens with its layout
 * (`{"Records":`, as CloudTrail writes it). Inflating 4 KB of each file was half of listing a
 * trail (1,466 files: 50-80 ms of 120-160), on the hunt's path before its workers start.
 */
const GZIP_SHORT_HEAD_BYTES = 1024;
/** Text whose layout no further bytes change (`sniffFormat` decides on its first characters). */
const OPENS_WITH_LAYOUT = /^(?:\u00EF\u00BB\u00BF)?\s*(?:\[|\{\s*"(?:Records|Events)"\s*:)/;

/** Inflates the heads of gzip files, one after the other, into the same buffer. */
const heads = new FileInflater();

/**
 * Walk the given files and folders (recursively, in sorted order) and classify each candidate
 * file by sniffing its first bytes. Throws a `UserError` when a path does not exist.
 */
export function discoverTrailFiles(paths: string[]): Discovery {
  const out: Discovery = { files: [], skipped: [], bad: [] };
  const seen = new Set<string>();
  for (const given of paths) {
    const path = resolve(given);
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new UserError('PATH_NOT_FOUND', `${given}: no such file or folder.`, {
        hint: 'Give CloudTrail files (.json, .json.gz) or folders holding them.',
        exitCode: 2,
      });
    }
    const candidates = isDir ? walk(path) : [path];
    for (const file of candidates) {
      if (seen.has(file)) continue;
      seen.add(file);
      classify(file, out);
    }
  }
  return out;
}

function walk(dir: string): string[] {
  const found: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walk(full));
    else if (entry.isFile() && TRAIL_NAME.test(entry.name)) found.push(full);
  }
  return found;
}

function classify(path: string, out: Discovery): void {
  if (DIGEST.test(path) || DIGEST.test(basename(path))) {
    out.skipped.push({ path, reason: 'CloudTrail digest file (hashes, not events)' });
    return;
  }
  let size: number;
  let raw: Buffer;
  let tail: number;
  // One open per file: its size, its first bytes and (gzip) the length its trailer announces.
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    size = fstatSync(fd).size;
    // A gzip file needs only its first compressed bytes; plain text is sniffed over more.
    raw = readAt(fd, GZIP_HEAD_BYTES, 0);
    if (!(raw[0] === 0x1f && raw[1] === 0x8b) && size > raw.length) raw = readAt(fd, HEAD_BYTES, 0);
    tail = raw[0] === 0x1f && raw[1] === 0x8b ? gzipRawSize(fd, size) : size;
  } catch (error) {
    out.bad.push({ path, reason: `unreadable: ${(error as Error).message}` });
    return;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (size === 0) {
    out.bad.push({ path, reason: 'empty file' });
    return;
  }
  const gzip = raw[0] === 0x1f && raw[1] === 0x8b;
  let head: string;
  try {
    // A partial inflate of the first block is enough to see the layout; Z_SYNC_FLUSH returns
    // what was decoded without failing on the (deliberately) cut-off input.
    head = (gzip ? gzipHead(raw) : raw).toString('latin1');
  } catch (error) {
    out.bad.push({ path, reason: `not gzip data: ${(error as Error).message}` });
    return;
  }
  const format = sniffFormat(head);
  if (format === 'empty') {
    out.bad.push({ path, reason: gzip ? 'empty file (gzip of nothing)' : 'empty file (only whitespace)' });
  } else if (format === 'digest') {
    out.skipped.push({ path, reason: 'CloudTrail digest file (hashes, not events)' });
  } else if (format === 'unknown') {
    out.bad.push({ path, reason: `not JSON (starts with ${JSON.stringify(head.trimStart().slice(0, 12))})` });
  } else {
    out.files.push({ path, format, gzip, size, rawSize: tail });
  }
}

/** The first inflated bytes of a gzip file (a view into `heads`): the short head if it is enough. */
function gzipHead(raw: Buffer): Buffer {
  if (raw.length > GZIP_SHORT_HEAD_BYTES) {
    try {
      const short = heads.gunzip(raw.subarray(0, GZIP_SHORT_HEAD_BYTES), 0, constants.Z_SYNC_FLUSH);
      if (OPENS_WITH_LAYOUT.test(short.toString('latin1', 0, 64))) return short;
    } catch {
      // The longer head fails the same way, with the message the file is reported with.
    }
  }
  return heads.gunzip(raw.subarray(0, GZIP_HEAD_BYTES), 0, constants.Z_SYNC_FLUSH);
}

/** Decide the layout from the first decoded characters of a file. */
export function sniffFormat(head: string): TrailFormat | 'empty' | 'digest' | 'unknown' {
  const text = head.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').trimStart();
  if (text === '') return 'empty';
  if (text.startsWith('[')) return 'array';
  if (!text.startsWith('{')) return 'unknown';
  if (/^\{\s*"Records"\s*:/.test(text)) return 'records';
  if (/^\{\s*"Events"\s*:/.test(text)) return 'lookup';
  if (/"digestPublicKeyFingerprint"\s*:|"digestSignatureAlgorithm"\s*:/.test(text)) return 'digest';
  // Keys in another order: a Records array before the end of the first object means a delivery file.
  if (/^\{\s*"[A-Za-z]+"\s*:\s*(?:"[^"]*"|\d+)\s*,[^]*?"Records"\s*:\s*\[/.test(text)) return 'records';
  return 'objects';
}

/** ISIZE, the last four bytes of a gzip member: the uncompressed length modulo 2^32 (RFC 1952 §2.3.1). */
function gzipRawSize(fd: number, size: number): number {
  if (size < 18) return 0;
  // The trailer of a cut-off download is whatever compressed bytes ended it: a length deflate
  // cannot reach (1,032 to 1 at most) is not believed, and the most it could be stands in for it
  // (readers size their buffers by it; DuckDB's allocation for a garbage length failed the load).
  return Math.min(readAt(fd, 4, size - 4).readUInt32LE(0), size * MAX_DEFLATE_RATIO);
}

/** The most a deflate stream expands (RFC 1951: 258 bytes from a 2-bit code, ~1,032 to 1). */
const MAX_DEFLATE_RATIO = 1032;

function readAt(fd: number, bytes: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  const n = readSync(fd, buffer, 0, bytes, position);
  return buffer.subarray(0, n);
}
