import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import { UserError } from '../errors.js';
import { appendManifest, writeEvidenceFile, type EvidenceRecord } from './evidence.js';
import { GENESIS, Journal, type JournalEntry } from './journal.js';
import { CaseLock } from './lock.js';
import { noteWritten } from './written.js';
import { caseSchema, type CaseFile, type Phase } from './schema.js';

export const CASE_FILE = 'case.json';
export const JOURNAL_FILE = 'journal.jsonl';
export const EVIDENCE_DIR = 'evidence';
export const LOCK_FILE = 'case.lock';

/** Read and validate `case.json`; a clear error names the file when it is missing or malformed. */
export function readCaseFile(dir: string): CaseFile {
  const file = join(dir, CASE_FILE);
  if (!existsSync(file)) {
    throw new UserError('CASE_NOT_FOUND', `${dir} is not a case folder (no ${CASE_FILE}).`, {
      hint: 'Pass --case DIR pointing at a folder made by `tourniquet triage` or `tourniquet respond`.',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError('CASE_CORRUPT', `${file} is not valid JSON.`, {
      cause: error,
      hint: 'Restore it from a backup.',
    });
  }
  const parsed = caseSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch';
    throw new UserError('CASE_CORRUPT', `${file} does not match the case schema (${where}).`, {
      hint: 'Restore it from a backup; `tourniquet case verify` checks the rest of the folder.',
    });
  }
  return parsed.data;
}

/** A new case id: sortable by creation time, unique enough to never collide in one folder. */
export function newCaseId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, '')
    .replace('T', '-');
  return `tq-${stamp}-${randomBytes(2).toString('hex')}`;
}

export interface OpenCaseOptions {
  clock: Clock;
  /** Who is acting, written on every journal line (defaults to user@host). */
  actor?: string;
}

/**
 * A case folder opened for writing: holds the exclusive lock until `close()`. Every change to
 * the case goes through here so that it is journalled.
 */
export class CaseFolder {
  private closed = false;
  private actorName: string;

  private constructor(
    readonly dir: string,
    private data: CaseFile,
    private readonly journal: Journal,
    private readonly lock: CaseLock,
    private readonly clock: Clock,
    actor: string | undefined,
  ) {
    this.actorName = actor ?? `${safeUser()}@${hostname()}`;
  }

  /** Create a new case folder (it must not exist or be empty). */
  static create(
    dir: string,
    options: OpenCaseOptions & { id?: string; subject?: CaseFile['subject']; awareness?: Date },
  ): CaseFolder {
    const root = resolve(dir);
    if (existsSync(root) && !statSync(root).isDirectory()) {
      throw new UserError('CASE_NOT_A_FOLDER', `--case ${root} is a file, not a folder.`, {
        hint: 'Pass a new or empty folder, or leave --case out to make one under ./cases.',
        exitCode: 2,
      });
    }
    if (existsSync(join(root, CASE_FILE))) {
      throw new UserError('CASE_EXISTS', `${root} already holds a case.`, {
        hint: 'Use --case to continue it.',
      });
    }
    mkdirSync(join(root, EVIDENCE_DIR), { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700); // also when the folder existed, empty
    const now = options.clock.now();
    const lock = CaseLock.acquire(join(root, LOCK_FILE), now);
    const data: CaseFile = {
      schema: 1,
      id: options.id ?? newCaseId(now),
      created: now.toISOString(),
      subject: options.subject ?? null,
      account: null,
      status: 'open',
      awareness: (options.awareness ?? now).toISOString(),
      phases: {},
      responder: null,
      journal: { seq: 0, hash: GENESIS },
    };
    const folder = new CaseFolder(
      root,
      data,
      new Journal(join(root, JOURNAL_FILE)),
      lock,
      options.clock,
      options.actor,
    );
    folder.record('case.created', { id: data.id, subject: data.subject, awareness: data.awareness });
    folder.writeCaseFileSync();
    return folder;
  }

  /** Open an existing case for writing. */
  static open(dir: string, options: OpenCaseOptions): CaseFolder {
    const root = resolve(dir);
    const data = readCaseFile(root);
    const lock = CaseLock.acquire(join(root, LOCK_FILE), options.clock.now());
    try {
      const journal = new Journal(join(root, JOURNAL_FILE));
      return new CaseFolder(root, data, journal, lock, options.clock, options.actor);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  get id(): string {
    return this.data.id;
  }

  /** A snapshot of `case.json`. */
  get info(): Readonly<CaseFile> {
    return structuredClone(this.data);
  }

  set actor(name: string) {
    this.actorName = name;
  }

  /** A path inside the case folder (for the event store, reports, …). */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Append one journal line. */
  record(kind: string, data: unknown): JournalEntry {
    return this.recordMany([{ kind, data }])[0]!;
  }

  /** Append several journal lines with one fsync. */
  recordMany(items: { kind: string; data: unknown }[]): JournalEntry[] {
    this.assertOpen();
    const at = this.clock.now();
    const written = this.journal.append(items.map((i) => ({ ...i, actor: this.actorName, at })));
    this.data.journal = { seq: this.journal.seq, hash: this.journal.headHash };
    this.writeCaseFileSync();
    noteWritten(this.dir);
    return written;
  }

  /** Change `case.json` fields; the change is journalled. */
  update(patch: Partial<Omit<CaseFile, 'schema' | 'id' | 'created' | 'journal' | 'phases'>>): void {
    this.assertOpen();
    const next = caseSchema.parse({ ...this.data, ...patch });
    this.data = next;
    this.record('case.updated', patch);
  }

  /** Mark a phase started or completed (timestamps feed the response metrics). */
  markPhase(phase: Phase, state: 'started' | 'completed'): void {
    this.assertOpen();
    const entry = { ...(this.data.phases[phase] ?? {}) };
    entry[state] = this.clock.now().toISOString();
    this.data.phases = { ...this.data.phases, [phase]: entry };
    this.record(`phase.${state}`, { phase });
  }

  /** Store an artifact in `evidence/` with its sha256 in the manifest and the journal. */
  async addEvidence(
    relative: string,
    content: Uint8Array | string | Readable,
    source: string,
    received?: EvidenceRecord['received'],
  ): Promise<EvidenceRecord> {
    const [record] = await this.addEvidenceMany([{ path: relative, content, source, received }]);
    return record!;
  }

  /** Store several artifacts; one manifest write and one journal line for the batch. */
  async addEvidenceMany(
    items: {
      path: string;
      content: Uint8Array | string | Readable;
      source: string;
      received?: EvidenceRecord['received'];
    }[],
  ): Promise<EvidenceRecord[]> {
    this.assertOpen();
    const root = this.path(EVIDENCE_DIR);
    const records: EvidenceRecord[] = [];
    for (const item of items) {
      const written = await writeEvidenceFile(root, item.path, item.content);
      records.push({
        ...written,
        source: item.source,
        at: this.clock.now().toISOString(),
        ...(item.received ? { received: item.received } : {}),
      });
    }
    await appendManifest(root, records);
    this.record('evidence.added', {
      files: records.map(({ path, sha256, size, source, received }) => ({
        path,
        sha256,
        size,
        source,
        ...(received ? { received } : {}),
      })),
    });
    return records;
  }

  /** Release the lock. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lock.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`case ${this.data.id} is closed`);
  }

  private writeCaseFileSync(): void {
    // Written through a temp file and rename so a crash never leaves half a case.json.
    const file = this.path(CASE_FILE);
    const temp = `${file}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, JSON.stringify(this.data, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
