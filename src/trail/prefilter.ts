import { closeSync, openSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { buildSync } from 'esbuild';
import type { TrailFile } from './discover.js';
import type { FileResult, FileTask, WorkerInput } from './prefilter-worker.js';

/** Candidate records written for DuckDB, `{"f":source file,"r":record}` per line. */
export interface CandidateChunk {
  path: string;
  bytes: number;
  /** Longest line. */
  longest: number;
  /** Indexes (into the prefiltered files) of the files with a record in this chunk. */
  files: number[];
}

/** What the prefilter made of a set of files. */
export interface Prefiltered {
  chunks: CandidateChunk[];
  /** Candidates refused, per file index and reason. */
  bad: Map<number, Map<string, number>>;
  /** Files to read the slow way (DuckDB, then record by record), with the reason. */
  fallback: { file: TrailFile; reason: string }[];
  candidates: number;
  /** Decompressed bytes searched. */
  bytes: number;
}

export interface PrefilterOptions {
  /** Where the candidate chunks go. */
  tempDir: string;
  /** Called after each file: its bytes on disk and decompressed, and its candidates. */
  onFile?: (file: TrailFile, rawBytes: number, candidates: number) => void;
}

/** Bytes per chunk file, at most: a DuckDB read that runs out of memory is redone in halves, by chunks. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Search files for records holding any of the values, in a pool of worker threads (one per core):
 * each gunzips a file with node:zlib, finds the values' byte patterns with `Buffer.indexOf`
 * (escaped forms included), cuts out the records that hold one and checks they are well-formed
 * JSON objects of the reader's shape. Only those records reach DuckDB, which decides by their
 * fields. A file the cut cannot be sure of (damaged gzip, invalid UTF-8, truncated structure) is
 * handed back for the slow, exact path.
 *
 * The threads start before the files are known: they boot (~100 ms of module loading each) while
 * this thread lists and sniffs the files, then get the list in one message. They take the next
 * file from a shared counter, not from messages of this thread: they never wait for it, so it may
 * load modules, open DuckDB and compile rules while they search.
 */
export class PrefilterPool {
  private readonly next = new Int32Array(new SharedArrayBuffer(4));
  private readonly workers: Worker[];
  /** A worker that failed before `run` (its module did not load): `run` rejects with it. */
  private early: Error | null = null;
  private closed = false;

  private constructor(values: string[], threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const worker = startWorker({ values, next: this.next });
      worker.once('error', (error) => (this.early ??= error));
      return worker;
    });
  }

  /**
   * Start the threads (one per core) for these values (any of them: the access key id, the user
   * name). `close()` them when done.
   */
  static start(values: string[]): PrefilterPool {
    return new PrefilterPool(values, Math.max(1, availableParallelism()));
  }

  /** Search the files (once per pool). */
  async run(files: TrailFile[], options: PrefilterOptions): Promise<Prefiltered> {
    const out: Prefiltered = { chunks: [], bad: new Map(), fallback: [], candidates: 0, bytes: 0 };
    if (files.length === 0) return out;
    if (this.early) throw this.early;
    const writer = new ChunkWriter(options.tempDir, out.chunks);
    const tasks: FileTask[] = files.map((file, index) => ({
      index,
      path: file.path,
      format: file.format,
      gzip: file.gzip,
      rawSize: file.rawSize,
    }));
    try {
      await new Promise<void>((resolve, reject) => {
        let pending = files.length;
        for (const worker of this.workers) {
          worker.on('message', (results: FileResult[]) => {
            try {
              for (const result of results) {
                const file = files[result.index]!;
                out.bytes += result.bytes;
                if (result.fallback) out.fallback.push({ file, reason: result.fallback });
                if (result.bad.length > 0) out.bad.set(result.index, new Map(result.bad));
                if (result.lines) writer.write(result.index, result.lines, result.longest);
                out.candidates += result.candidates;
                options.onFile?.(file, result.bytes, result.candidates);
                pending--;
              }
              if (pending === 0) resolve();
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (pending > 0 && code !== 0) reject(new Error(`prefilter worker stopped (exit code ${code})`));
          });
          worker.postMessage(tasks);
        }
      });
    } finally {
      writer.close();
    }
    out.fallback.sort((a, b) => a.file.path.localeCompare(b.file.path));
    return out;
  }

  /** Stop the threads (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The worker's module: the compiled `.js` beside this one, or under tsx (tests, benchmarks from
 * source) the `.ts` source bundled into one module.
 */
function startWorker(workerData: WorkerInput): Worker {
  const source = fileURLToPath(import.meta.url).endsWith('.ts');
  const url = new URL(`./prefilter-worker.${source ? 'ts' : 'js'}`, import.meta.url);
  return source
    ? new Worker(bundledSource(url), { workerData, execArgv: [] })
    : new Worker(url, { workerData });
}

let bundle: URL | undefined;

/**
 * The worker's source and its imports bundled by esbuild (tsx's own transformer) once per process,
 * as a `data:` module. Import hooks registered in the main thread do not reach a worker, and
 * registering tsx in each one cost 0.8 s of CPU per pool of two (measured: 10 pools, 8.1 s against
 * 1.6 s compiled), which every key hunt in the tests paid on CI's two cores.
 */
function bundledSource(entry: URL): URL {
  if (!bundle) {
    const esbuild = createRequire(import.meta.url)('esbuild') as { buildSync: typeof buildSync };
    const built = esbuild.buildSync({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
    });
    const code = Buffer.from(built.outputFiles[0]!.contents).toString('base64');
    bundle = new URL(`data:text/javascript;base64,${code}`);
  }
  return bundle;
}

/** Appends candidate lines to chunk files of bounded size. */
class ChunkWriter {
  private fd: number | null = null;
  private current: (CandidateChunk & { seen: Set<number> }) | null = null;

  constructor(
    private readonly dir: string,
    private readonly chunks: CandidateChunk[],
  ) {}

  write(index: number, lines: Uint8Array, longest: number): void {
    if (this.current && this.current.bytes + lines.length > CHUNK_BYTES) this.close();
    if (!this.current) {
      const path = join(this.dir, `candidates-${this.chunks.length}.ndjson`);
      this.fd = openSync(path, 'w');
      this.current = { path, bytes: 0, longest: 0, files: [], seen: new Set() };
      this.chunks.push(this.current);
    }
    writeSync(this.fd!, lines);
    this.current.bytes += lines.length;
    this.current.longest = Math.max(this.current.longest, longest);
    if (!this.current.seen.has(index)) {
      this.current.seen.add(index);
      this.current.files.push(index);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.current) {
      const { seen: _seen, ...chunk } = this.current;
      this.chunks[this.chunks.indexOf(this.current)] = chunk;
    }
    this.current = null;
  }
}
