import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../context.js';
import { messageOf } from '../errors.js';
import { ATHENA_COLUMNS, EVENTS_TABLE, type SourceKind } from '../store/schema.js';
import type { EventStore } from '../store/store.js';
import { discoverTrailFiles, type SkippedFile, type TrailFile } from './discover.js';
import { duckdbReason } from './duckdb-reason.js';
import { Meter } from './meter.js';
import { PrefilterPool, type CandidateChunk } from './prefilter.js';
import { redactSql } from './redact.js';
import { salvageFile } from './salvage.js';
import {
  badRecordCase,
  batchSql,
  candidateReaderSql,
  readerSql,
  subjectValues,
  type RecordFilter,
} from './sql.js';

export type { RecordFilter } from './sql.js';

export interface IngestOptions {
  /** Provenance kind stored with each record (default `file`). */
  sourceKind?: SourceKind;
  /** Provenance reference for a file (default: its absolute path), e.g. its `s3://` URL. */
  sourceRef?: (path: string) => string;
  /** Stored with each record; default a new UUID. */
  ingestId?: string;
  /** Keep only matching records (applied during the scan). */
  filter?: RecordFilter;
  progress?: Progress;
  /** Candidate reads up to this many bytes are staged (default 64 MB; tests set 0 to cover both ways). */
  stageBytes?: number;
}

/**
 * A record that holds the hunted value without being the subject's (CreateAccessKey's response
 * naming the key, another principal acting on the user): found by a key or user hunt, not stored.
 */
export interface Mention {
  eventId: string;
  eventTime: string | null;
  eventName: string | null;
  eventSource: string | null;
  /** Who made the call. */
  principal: string | null;
  accessKeyId: string | null;
  path: string;
}

/** One reason records of one file were not stored. */
export interface BadRecords {
  path: string;
  reason: string;
  count: number;
}

/** What an ingest read, stored and refused. */
export interface IngestReport {
  ingestId: string;
  /** CloudTrail files read (digests and non-JSON names excluded; bad files included). */
  files: number;
  /** Well-formed records read that match the filter. */
  records: number;
  /** Records newly stored (the rest were already in the store: same event id). */
  inserted: number;
  duplicates: number;
  /** Records refused, in total. */
  badRecords: number;
  /** Refused records per file and reason. */
  badRecordDetails: BadRecords[];
  /** Files with a problem of their own (empty, not JSON, truncated); their good records are kept. */
  badFiles: SkippedFile[];
  /** Files deliberately not read (CloudTrail digest files). */
  skipped: SkippedFile[];
  /** Records read per file (after the filter). */
  perFile: Map<string, number>;
  /** Reads split in two because they ran out of the memory budget (the work was redone in halves). */
  memorySplits: number;
  /** Key or user hunts: records holding the value that the subject did not make (one per event id). */
  mentions: Mention[];
  /** Key or user hunts: files read record by record by DuckDB instead of cut by the prefilter, and why. */
  slowFiles: SkippedFile[];
}

/**
 * Uncompressed bytes per DuckDB read. Rows stream from the reader into the table, so memory does
 * not grow with the batch; a batch is the unit of rollback and of bad-file isolation. Batches are
 * large: every further INSERT into the table costs a rewrite of row groups at the next checkpoint
 * (about 2 s per million rows, measured), and progress within a batch comes from DuckDB itself.
 */
const BATCH_BYTES = 4 * 1024 * 1024 * 1024;
/** Candidate chunks per DuckDB read (their records are typed from text: memory grows with the read). */
const CANDIDATE_BATCH_BYTES = 1024 * 1024 * 1024;
const BATCH_FILES = 4000;
/**
 * Candidate reads up to this size are staged in a temporary table and only the subject's rows
 * copied into the store: a DELETE among a transaction's own new rows (the mentions) made its
 * COMMIT cost 65-110 ms for 5,000 rows (0.8 ms without), the copy ~10-30 ms.
 */
const STAGE_BYTES = 64 * 1024 * 1024;
const PROGRESS_MS = 500;
/** Layouts tried as one-line JSON first (see `ReadSpec.oneLine`). */
const ONE_LINE_FORMATS = new Set<TrailFile['format']>(['records', 'objects']);
/** Loads of this many bytes (or more) get every core; smaller ones are over before threads pay. */
const PARALLEL_LOAD_BYTES = 8 * 1024 * 1024;
/** The temporary table a small batch is read into (see `STAGE_BYTES`). */
const STAGE_TABLE = 'tq_ingest_stage';

/** Provenance kind marking a refused row between its insert and its removal, in one transaction. */
const REFUSED = 'refused:';

/**
 * Load CloudTrail files and folders (recursively) into the store through DuckDB's own JSON
 * reader: `{"Records":[…]}` delivery files, bare arrays, NDJSON and `aws cloudtrail lookup-events`
 * output, plain or gzip; digest files skipped. A file DuckDB refuses is re-read record by record:
 * every good record is kept, every bad one counted with its reason. Records already stored
 * (same `eventid`) are not stored twice.
 *
 * ```ts
 * const report = await ingestPaths(store, ['../shared/datasets/invictus-sigma-aws'], {});
 * report.records; report.badFiles; // [{ path, reason }]
 * ```
 */
export async function ingestPaths(
  store: EventStore | Promise<EventStore>,
  paths: string[],
  options: IngestOptions = {},
): Promise<IngestReport> {
  const values = subjectValues(options.filter);
  // The prefilter's threads boot while this one lists and sniffs the files.
  const pool = values.length > 0 ? PrefilterPool.start(values) : null;
  try {
    return await ingestWith(pool, store, paths, options);
  } finally {
    await pool?.close();
  }
}

async function ingestWith(
  pool: PrefilterPool | null,
  store: EventStore | Promise<EventStore>,
  paths: string[],
  options: IngestOptions,
): Promise<IngestReport> {
  const discovery = discoverTrailFiles(paths);
  const report: IngestReport = {
    ingestId: options.ingestId ?? randomUUID(),
    files: discovery.files.length + discovery.bad.length,
    records: 0,
    inserted: 0,
    duplicates: 0,
    badRecords: 0,
    badRecordDetails: [],
    badFiles: [...discovery.bad],
    skipped: discovery.skipped,
    perFile: new Map(),
    memorySplits: 0,
    mentions: [],
    slowFiles: [],
  };
  const task = options.progress?.start('Reading CloudTrail files', discovery.files.length);
  const temp = new TempFolder();
  const totalBytes = discovery.files.reduce((sum, f) => sum + Math.max(f.size, f.rawSize), 0);
  const meter = new Meter(totalBytes, pool ? 'found' : 'rate');
  try {
    let slow = discovery.files;
    // Lookup-events output nests records in strings: few, small files, read by DuckDB.
    const cuttable = pool ? discovery.files.filter((f) => f.format !== 'lookup') : [];
    const found = pool
      ? await pool.run(cuttable, {
          tempDir: temp.path(),
          onFile: (_file, bytes, candidates) => task?.tick(1, meter.add(bytes, candidates)),
        })
      : null;
    // Done with the threads: their memory goes before DuckDB's read.
    await pool?.close();
    // A store still opening is awaited only now: DuckDB starts while the prefilter's workers search.
    const db = await store;
    const loader = new Loader(db, report, options, temp);
    if (found) {
      // In file order: the workers' answers arrive in any order.
      for (const [index, reasons] of [...found.bad].sort((a, b) => a[0] - b[0])) {
        for (const [why, count] of reasons) loader.addBad(cuttable[index]!.path, why, count);
      }
      report.slowFiles = found.fallback.map((f) => ({ path: f.file.path, reason: f.reason }));
      slow = [...discovery.files.filter((f) => f.format === 'lookup'), ...found.fallback.map((f) => f.file)];
      // DuckDB reads only the candidates and the slow files: threads pay for a big read only (a
      // hunt's few thousand records, and the rules run on them next, cost more CPU with two).
      const duckBytes =
        found.chunks.reduce((sum, c) => sum + c.bytes, 0) +
        slow.reduce((sum, f) => sum + Math.max(f.size, f.rawSize), 0);
      if (duckBytes >= PARALLEL_LOAD_BYTES) await db.useAllCores();
      await loader.loadCandidates(found.chunks, cuttable);
    } else if (totalBytes >= PARALLEL_LOAD_BYTES) {
      await db.useAllCores();
    }
    for (const batch of batches(slow, BATCH_BYTES)) {
      // DuckDB's estimate of the running read, as files and bytes of the batch (never 100% before
      // it ends); records are known when the batch is stored.
      const batchBytes = batch.reduce((sum, f) => sum + Math.max(f.size, f.rawSize), 0);
      const before = { bytes: meter.bytes, records: report.records };
      let shown = 0;
      const timer = task
        ? setInterval(() => {
            const pct = Math.min(db.runningProgress() ?? 0, 99) / 100;
            const n = Math.floor(batch.length * pct);
            meter.bytes = before.bytes + batchBytes * pct;
            task.tick(Math.max(0, n - shown), meter.detail());
            shown = Math.max(shown, n);
          }, PROGRESS_MS)
        : undefined;
      try {
        await loader.load(batch);
      } finally {
        clearInterval(timer);
      }
      meter.bytes = before.bytes;
      task?.tick(batch.length - shown, meter.add(batchBytes, report.records - before.records));
    }
  } finally {
    temp.remove();
  }
  task?.done(`${report.records} records from ${report.files} files`);
  return report;
}

/** Group files by layout and compression, then cut into batches of bounded size. */
function* batches(files: TrailFile[], maxBytes: number): Generator<TrailFile[]> {
  const groups = new Map<string, TrailFile[]>();
  for (const file of files) {
    const key = `${file.format}/${file.gzip}`;
    // Appended in place: a copy per file was quadratic (a year of one region's trail is ~100,000 files).
    const group = groups.get(key);
    if (group) group.push(file);
    else groups.set(key, [file]);
  }
  for (const group of groups.values()) {
    let batch: TrailFile[] = [];
    let bytes = 0;
    for (const file of group) {
      const estimate = Math.max(file.size, file.rawSize);
      if (batch.length > 0 && (bytes + estimate > maxBytes || batch.length >= BATCH_FILES)) {
        yield batch;
        batch = [];
        bytes = 0;
      }
      batch.push(file);
      bytes += estimate;
    }
    if (batch.length > 0) yield batch;
  }
}

/** A private folder for a load's temporary files, made when first needed. */
class TempFolder {
  private dir: string | undefined;

  path(): string {
    return (this.dir ??= mkdtempSync(join(tmpdir(), 'tq-ingest-')));
  }

  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

class Loader {
  private readonly mentioned = new Set<string>();
  /**
   * Whether rows of this ingest id may be stored already (an earlier batch, or an id the caller
   * gave): then a batch's rows are told apart by their files too. A hunt's candidates are one
   * batch of often a thousand files; naming them all in each statement cost it ~150 ms.
   */
  private earlierRows: boolean;

  constructor(
    private readonly store: EventStore,
    private readonly report: IngestReport,
    private readonly options: IngestOptions,
    private readonly temp: TempFolder,
  ) {
    this.earlierRows = options.ingestId !== undefined;
  }

  /**
   * Read a batch in one DuckDB call: first as one-line JSON (how CloudTrail delivers), then, if
   * that fails, with format detection; if that fails too, halve the batch until the refused files
   * are isolated.
   */
  async load(files: TrailFile[], oneLine = true): Promise<void> {
    const first = files[0]!;
    const reader = readerSql({
      paths: files.map((f) => f.path),
      format: first.format,
      gzip: first.gzip,
      largest: Math.max(...files.map((f) => f.rawSize)),
      oneLine,
    });
    try {
      await this.insertBatch(
        reader,
        files.map((f) => f.path),
      );
    } catch (error) {
      // A batch too big for the memory budget is read in halves (the transaction rolled it back).
      if (isOutOfMemory(error) && files.length > 1) {
        this.report.memorySplits++;
        const middle = Math.ceil(files.length / 2);
        await this.load(files.slice(0, middle), oneLine);
        await this.load(files.slice(middle), oneLine);
        return;
      }
      // One file DuckDB cannot hold (its buffers are sized by the length the gzip trailer
      // announces, garbage in a cut-off download): read record by record instead.
      if (isOutOfMemory(error)) return this.salvage(first, messageOf(error));
      // Only the data's fault is handled here; running out of disk is not a bad file.
      if (!isDataError(error)) throw error;
      if (oneLine && ONE_LINE_FORMATS.has(first.format)) return this.load(files, false);
      if (files.length === 1) return this.salvage(first, messageOf(error));
      const middle = Math.ceil(files.length / 2);
      await this.load(files.slice(0, middle), false);
      await this.load(files.slice(middle), false);
    }
  }

  /**
   * Read the prefilter's candidate chunks, a few per DuckDB read: the subject's records are stored,
   * mentions set aside. A read out of memory is redone in halves; a read DuckDB refuses (the
   * chunks hold only records JSON.parse accepted, so this is not expected) is redone from the
   * chunks' source files by the slow path, which names every bad record.
   */
  async loadCandidates(chunks: CandidateChunk[], files: TrailFile[]): Promise<void> {
    let group: CandidateChunk[] = [];
    let bytes = 0;
    for (const chunk of chunks) {
      if (group.length > 0 && bytes + chunk.bytes > CANDIDATE_BATCH_BYTES) {
        await this.loadChunks(group, files);
        group = [];
        bytes = 0;
      }
      group.push(chunk);
      bytes += chunk.bytes;
    }
    if (group.length > 0) await this.loadChunks(group, files);
  }

  private async loadChunks(chunks: CandidateChunk[], files: TrailFile[]): Promise<void> {
    const sources = [...new Set(chunks.flatMap((c) => c.files))].map((i) => files[i]!);
    const reader = candidateReaderSql(
      chunks.map((c) => c.path),
      Math.max(...chunks.map((c) => c.longest)),
    );
    try {
      const bytes = chunks.reduce((sum, c) => sum + c.bytes, 0);
      await this.insertBatch(
        reader,
        sources.map((f) => f.path),
        { mentions: true, stage: bytes <= (this.options.stageBytes ?? STAGE_BYTES) },
      );
    } catch (error) {
      if (isOutOfMemory(error) && chunks.length > 1) {
        this.report.memorySplits++;
        const middle = Math.ceil(chunks.length / 2);
        await this.loadChunks(chunks.slice(0, middle), files);
        await this.loadChunks(chunks.slice(middle), files);
        return;
      }
      if (!isDataError(error)) throw error;
      for (const batch of batches(sources, BATCH_BYTES)) await this.load(batch);
    }
  }

  private async salvage(file: TrailFile, duckdbError: string): Promise<void> {
    let salvage: ReturnType<typeof salvageFile>;
    try {
      salvage = salvageFile(file.path, file.format, file.gzip);
    } catch (error) {
      this.report.badFiles.push({ path: file.path, reason: `unreadable: ${firstLine(messageOf(error))}` });
      return;
    }
    const reason = salvage.fileProblem ?? duckdbReason(duckdbError, file.path);
    for (const [why, count] of salvage.bad) this.addBad(file.path, why, count);
    // Bad records are reported as such; the file itself is named when it is damaged as a whole.
    if (salvage.fileProblem || salvage.records.length === 0) {
      this.report.badFiles.push({
        path: file.path,
        reason: `${reason} (${salvage.records.length} records recovered)`,
      });
    }
    if (salvage.records.length === 0) return;
    const temp = join(this.temp.path(), `${randomUUID()}.ndjson`);
    writeFileSync(temp, salvage.records.join('\n') + '\n');
    try {
      const reader = readerSql({
        paths: [temp],
        format: 'objects',
        gzip: false,
        largest: maxLine(salvage.records),
        sourceRef: file.path,
      });
      await this.insertBatch(reader, [file.path]);
    } catch (error) {
      this.report.badFiles.push({
        path: file.path,
        reason: `refused after repair: ${duckdbReason(messageOf(error), file.path)}`,
      });
      this.addBad(file.path, 'unreadable record', salvage.records.length);
      return;
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /**
   * Stream one read into the table in a transaction: every row goes in, refused ones marked in
   * their provenance kind with the reason; then the refused rows are counted and removed, and so
   * are the batch's records already stored (same event id). Writing straight from the reader
   * costs one pass; staging the batch first cost as much again. With `mentions` (candidates of a
   * hunt), records that hold the value without being the subject's are set aside the same way.
   * With `stage` (a small read) the rows go to a temporary table first and only the kept ones
   * into the store: no DELETE among the transaction's new rows, whose COMMIT is slow.
   */
  private async insertBatch(
    reader: string,
    paths: string[],
    { mentions = false, stage = false }: { mentions?: boolean; stage?: boolean } = {},
  ): Promise<void> {
    const bad = badRecordCase();
    const kind = sqlString(this.options.sourceKind ?? 'file');
    const ingest = sqlString(this.report.ingestId);
    const refOf = this.options.sourceRef ?? ((p: string) => p);
    const refs = [...new Set(paths.map(refOf))];
    const refExpr = this.options.sourceRef
      ? `CASE b.sourceref ${paths.map((p) => `WHEN ${sqlString(p)} THEN ${sqlString(refOf(p))}`).join(' ')} ELSE b.sourceref END`
      : 'b.sourceref';
    const inBatch = this.earlierRows
      ? `ingestid = ${ingest} AND sourceref IN (${refs.map(sqlString).join(', ')})`
      : `ingestid = ${ingest}`;
    const rows = `SELECT ${ATHENA_COLUMNS.map((c) => (c === 'responseelements' ? redactSql(`b.${c}`) : `b.${c}`)).join(', ')},
           coalesce(b.eventts, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS eventts,
           CASE WHEN b.mention THEN ${MENTION_SQL} ELSE coalesce(${REFUSED_SQL} || ${bad}, ${kind}) END AS sourcekind,
           ${refExpr} AS sourceref, ${ingest} AS ingestid
         FROM (${batchSql(reader, this.options.filter, mentions)}) b`;
    const setAside = `(starts_with(sourcekind, ${REFUSED_SQL}) OR sourcekind = ${MENTION_SQL})`;
    // Where the batch's rows are before the refused ones and mentions go.
    const batch = stage ? { table: STAGE_TABLE, where: 'true' } : { table: EVENTS_TABLE, where: inBatch };
    await this.store.transaction(async () => {
      // A first load into an empty store (the usual case) looks for repeats among its own rows only.
      const alone = (await this.store.count()) === 0;
      await this.store.run(
        stage ? `CREATE TEMP TABLE ${STAGE_TABLE} AS ${rows}` : `INSERT INTO ${EVENTS_TABLE} ${rows}`,
      );
      const counts = await this.store.query<{ sourceref: string; kind: string; n: number }>(
        `SELECT sourceref, sourcekind AS kind, count(*) AS n FROM ${batch.table} WHERE ${batch.where}
         GROUP BY ALL ORDER BY sourceref, kind`,
      );
      if (mentions) await this.takeMentions(batch.table, batch.where);
      if (stage) {
        await this.store.run(
          `INSERT INTO ${EVENTS_TABLE} SELECT * FROM ${STAGE_TABLE} WHERE NOT ${setAside}`,
        );
        await this.store.run(`DROP TABLE ${STAGE_TABLE}`);
      } else {
        await this.store.run(`DELETE FROM ${EVENTS_TABLE} WHERE ${inBatch} AND ${setAside}`);
      }
      const removed = await this.removeRepeats(inBatch, alone);
      for (const row of counts) {
        if (row.kind === MENTION) continue;
        if (row.kind.startsWith(REFUSED)) {
          this.addBad(row.sourceref, row.kind.slice(REFUSED.length), row.n);
        } else {
          this.report.records += row.n;
          this.report.inserted += row.n;
          this.report.perFile.set(row.sourceref, (this.report.perFile.get(row.sourceref) ?? 0) + row.n);
        }
      }
      this.report.inserted -= removed;
      this.report.duplicates += removed;
    });
    this.earlierRows = true;
  }

  /** Note the batch's mentions (once per event id, across batches) before they are removed. */
  private async takeMentions(table: string, inBatch: string): Promise<void> {
    const rows = await this.store.query<Mention>(
      `SELECT eventid AS "eventId", eventtime AS "eventTime", eventname AS "eventName",
         eventsource AS "eventSource", useridentity.arn AS principal,
         useridentity.accesskeyid AS "accessKeyId", sourceref AS path
       FROM ${table} WHERE ${inBatch} AND sourcekind = ${MENTION_SQL} AND eventid IS NOT NULL
       ORDER BY eventts, eventid`,
    );
    for (const row of rows) {
      if (this.mentioned.has(row.eventId)) continue;
      this.mentioned.add(row.eventId);
      this.report.mentions.push(row);
    }
  }

  /**
   * Keep one row per event id: the batch's rows whose id was already stored go, and of repeats
   * within the batch the one from the first file (by name) stays. Returns how many went. `alone`:
   * the store held no rows before the batch.
   *
   * Repeats are looked for by the ids' 64-bit hashes first (equal ids have equal hashes, so no
   * repeated hash means no repeat): grouping a million hashes took a third of the time of a
   * million id texts. A repeated hash (a repeat, or rarely two ids sharing one) runs the exact
   * statement below, which compares the ids themselves.
   */
  private async removeRepeats(inBatch: string, alone: boolean): Promise<number> {
    const hashes = alone
      ? `SELECT hash(eventid) AS h FROM ${EVENTS_TABLE} WHERE ${inBatch}`
      : `SELECT hash(eventid) AS h FROM ${EVENTS_TABLE}
         WHERE hash(eventid) IN (SELECT hash(eventid) FROM ${EVENTS_TABLE} WHERE ${inBatch})`;
    const [found] = await this.store.query<{ n: number }>(
      `SELECT count(*) AS n FROM (${hashes} GROUP BY h HAVING count(*) > 1)`,
    );
    if ((found?.n ?? 0) === 0) return 0;
    const repeated = `SELECT eventid FROM ${EVENTS_TABLE}
      WHERE eventid IN (SELECT eventid FROM ${EVENTS_TABLE} WHERE ${inBatch})
      GROUP BY eventid HAVING count(*) > 1`;
    const before = await this.store.count();
    await this.store.run(
      `DELETE FROM ${EVENTS_TABLE} WHERE rowid IN (
         SELECT rowid FROM (
           SELECT rowid, row_number() OVER (PARTITION BY eventid ORDER BY (${inBatch}), sourceref) AS rn
           FROM ${EVENTS_TABLE} WHERE eventid IN (${repeated}))
         WHERE rn > 1)`,
    );
    return before - (await this.store.count());
  }

  addBad(path: string, reason: string, count: number): void {
    this.report.badRecords += count;
    const existing = this.report.badRecordDetails.find((b) => b.path === path && b.reason === reason);
    if (existing) existing.count += count;
    else this.report.badRecordDetails.push({ path, reason, count });
  }
}

const REFUSED_SQL = sqlString(REFUSED);
/** Provenance kind marking a hunt's mention between its insert and its removal. */
const MENTION = 'mention';
const MENTION_SQL = sqlString(MENTION);

function isOutOfMemory(error: unknown): boolean {
  return /^Out of Memory Error/.test(messageOf(error));
}

/** DuckDB's errors for input it cannot read (malformed JSON, wrong shape, bad encoding, gzip). */
function isDataError(error: unknown): boolean {
  return /^(Invalid Input Error|Conversion Error|IO Error)/.test(messageOf(error));
}

function maxLine(lines: string[]): number {
  return lines.reduce((max, l) => Math.max(max, Buffer.byteLength(l)), 0);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 300);
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
