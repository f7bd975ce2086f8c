import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
import { canonicalJson, sha256Hex } from './canonical.js';

/** One line of `journal.jsonl`. `hash = sha256(prev + canonical JSON of the other fields)`. */
export interface JournalEntry {
  seq: number;
  at: string;
  kind: string;
  actor: string;
  data: unknown;
  prev: string;
  hash: string;
}

/** The `prev` of the first line. */
export const GENESIS = '0'.repeat(64);

/** The hash a line must carry, computed from its other fields. */
export function hashOf(entry: Omit<JournalEntry, 'hash'>): string {
  const { seq, at, kind, actor, data, prev } = entry;
  return sha256Hex(prev + canonicalJson({ seq, at, kind, actor, data, prev }));
}

/**
 * The append-only, hash-chained journal. Every append is written and fsync'ed before it returns,
 * so a crash loses at most the line being written, never an earlier one.
 */
export class Journal {
  private head: { seq: number; hash: string };

  constructor(
    private readonly file: string,
    head?: { seq: number; hash: string },
  ) {
    this.head = head ?? lastHead(file);
  }

  get seq(): number {
    return this.head.seq;
  }

  get headHash(): string {
    return this.head.hash;
  }

  /** Append one or more entries in one write and one fsync. */
  append(items: { kind: string; actor: string; data: unknown; at: Date }[]): JournalEntry[] {
    const written: JournalEntry[] = [];
    let { seq, hash: prev } = this.head;
    for (const item of items) {
      seq += 1;
      const body = {
        seq,
        at: item.at.toISOString(),
        kind: item.kind,
        actor: item.actor,
        data: item.data ?? null,
        prev,
      };
      const entry: JournalEntry = { ...body, hash: hashOf(body) };
      written.push(entry);
      prev = entry.hash;
    }
    if (written.length === 0) return written;
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, written.map((e) => JSON.stringify(e) + '\n').join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.head = { seq, hash: prev };
    return written;
  }
}

/** Read every line of a journal file (no checks: see `verifyCase`). */
export function readJournal(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The seq and hash of the journal's last line, read from the end of the file: a case opened for
 * every poll of a long watch would otherwise read its whole journal each time.
 */
function lastHead(file: string): { seq: number; hash: string } {
  if (!existsSync(file)) return { seq: 0, hash: GENESIS };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    // Grow the window from the end until it holds a whole last line (or the whole file).
    for (let window = 16_384; ; window *= 4) {
      const length = Math.min(window, size);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      const text = buffer.toString('utf8').replace(/\n+$/, '');
      const cut = text.lastIndexOf('\n');
      if (cut < 0 && length < size) continue;
      const last = text.slice(cut + 1);
      if (last === '') return { seq: 0, hash: GENESIS };
      const entry = JSON.parse(last) as JournalEntry;
      return { seq: entry.seq, hash: entry.hash };
    }
  } finally {
    closeSync(fd);
  }
}
