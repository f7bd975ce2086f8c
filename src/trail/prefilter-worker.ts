/**
 * A prefilter worker thread: reads and gunzips one CloudTrail file at a time, finds the records
 * that hold a hunted value and sends back only those (see `prefilter.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isUtf8 } from 'node:buffer';
import { cutRecords, findHits, subjectPatterns } from './candidates.js';
import { FileInflater } from './inflate.js';
import { StructureScanner } from './structure.js';
import type { TrailFormat } from './discover.js';
import { MAX_RECORD_BYTES } from './salvage.js';
import { shapeProblem } from './shape.js';

/** A file to read. */
export interface FileTask {
  index: number;
  path: string;
  format: TrailFormat;
  gzip: boolean;
  rawSize: number;
}

/** A worker's data: the values to find and the index of the next file to take (shared); the files come in a message. */
export interface WorkerInput {
  values: string[];
  next: Int32Array;
}

/** What a worker found in one file. */
export interface FileResult {
  index: number;
  /** Decompressed bytes read. */
  bytes: number;
  /** Candidate lines, `{"f":path,"r":record}\n` each, ready for DuckDB's newline-delimited reader. */
  lines: Uint8Array | null;
  candidates: number;
  /** Longest candidate line, for DuckDB's `maximum_object_size`. */
  longest: number;
  /** Candidates refused, by reason (the reasons of the record-by-record reader). */
  bad: [reason: string, count: number][];
  /** Why this file must be read by the slow path instead (damaged gzip, bad encoding, cut structure). */
  fallback: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const LINE_HEAD = Buffer.from('{"f":');
const LINE_MID = Buffer.from(',"r":');
const LINE_END = Buffer.from('}\n');
/** Bytes of whitespace that may close a well-formed file after its last value. */
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

const input = workerData as WorkerInput;
const patterns = subjectPatterns(input.values);
const scanner = StructureScanner.create();
// Files are inflated where the scanner reads them: no copy of the bytes to scan. Without their
// CRC-32, as DuckDB reads them in a full load (see `FileInflater`).
const inflater = new FileInflater(scanner ? (bytes) => scanner.arena(bytes) : null, {
  checksum: false,
});

/** Read one file and cut out its candidates. */
export function prefilterFile(task: FileTask): FileResult {
  const result: FileResult = {
    index: task.index,
    bytes: 0,
    lines: null,
    candidates: 0,
    longest: 0,
    bad: [],
    fallback: null,
  };
  let buf: Buffer;
  try {
    // Into this worker's own buffers: the bytes are copied out before the next file.
    const raw = inflater.read(task.path);
    buf = task.gzip ? inflater.gunzip(raw, task.rawSize) : raw;
  } catch (error) {
    result.fallback = `unreadable: ${(error as Error).message}`;
    return result;
  }
  result.bytes = buf.length;
  if (!isUtf8(buf)) return { ...result, fallback: 'invalid UTF-8 bytes' };
  if (!endsWhole(buf, task.format)) return { ...result, fallback: 'file does not end its JSON' };
  const cut = cutRecords(buf, task.format, findHits(buf, patterns), patterns, scanner);
  if (cut.problem) return { ...result, fallback: cut.problem };
  const bad = new Map<string, number>();
  const parts: Buffer[] = [];
  const source = Buffer.from(JSON.stringify(task.path));
  for (const [start, end] of cut.spans) {
    const record = buf.subarray(start, end);
    const problem = recordProblem(record);
    if (problem) {
      bad.set(problem, (bad.get(problem) ?? 0) + 1);
      continue;
    }
    // Raw line breaks lie between tokens only (inside strings they are escaped): spaces keep it valid.
    for (let i = record.indexOf(0x0a); i >= 0; i = record.indexOf(0x0a, i + 1)) record[i] = 0x20;
    for (let i = record.indexOf(0x0d); i >= 0; i = record.indexOf(0x0d, i + 1)) record[i] = 0x20;
    parts.push(LINE_HEAD, source, LINE_MID, record, LINE_END);
    result.candidates++;
    result.longest = Math.max(result.longest, record.length + source.length + 16);
  }
  result.bad = [...bad];
  if (parts.length > 0) result.lines = Buffer.concat(parts);
  return result;
}

/** The reasons the record-by-record reader gives (salvage.ts) for a record it cannot keep. */
function recordProblem(record: Buffer): string | null {
  if (record.length > MAX_RECORD_BYTES) return 'record larger than 1 MB';
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(record));
  } catch {
    return 'invalid JSON';
  }
  const problem = shapeProblem(value);
  return problem ? `wrong type: ${problem}` : null;
}

/** The file's last value is closed (a truncated file is read the slow way, which names the damage). */
function endsWhole(buf: Buffer, format: TrailFormat): boolean {
  let i = buf.length - 1;
  while (i >= 0 && SPACE.has(buf[i]!)) i--;
  if (i < 0) return false;
  const last = buf[i]!;
  return format === 'array' ? last === 0x5d : last === 0x7d;
}

/**
 * Results sent together: posting one message per file cost the two workers 48 ms of CPU in
 * `postMessage` over a 1M trail of 1,466 files (profiled; 19 ms in batches), the main thread one
 * event each.
 */
const RESULTS_PER_MESSAGE = 16;
/** Candidate bytes after which the results go at once (the main thread writes them out). */
const LINES_PER_MESSAGE = 1024 * 1024;

// Once the files come, take them until none is left (each worker adds 1 to the shared counter),
// sending the results in batches, in the order this worker read the files.
parentPort?.once('message', (tasks: FileTask[]) => {
  let batch: FileResult[] = [];
  let lines = 0;
  for (let i = Atomics.add(input.next, 0, 1); i < tasks.length; i = Atomics.add(input.next, 0, 1)) {
    const result = prefilterFile(tasks[i]!);
    batch.push(result);
    lines += result.lines?.length ?? 0;
    if (batch.length >= RESULTS_PER_MESSAGE || lines >= LINES_PER_MESSAGE) {
      // Copied, not transferred: a small Buffer shares its memory with Node's pool.
      parentPort!.postMessage(batch);
      batch = [];
      lines = 0;
    }
  }
  if (batch.length > 0) parentPort!.postMessage(batch);
});
