import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { messageOf } from '../errors.js';
import { CASE_FILE, EVIDENCE_DIR, JOURNAL_FILE, readCaseFile } from './case.js';
import { MANIFEST, sha256File, type EvidenceRecord } from './evidence.js';
import { GENESIS, hashOf, readJournal, type JournalEntry } from './journal.js';

/** One thing wrong with a case folder, located precisely. */
export interface VerifyProblem {
  /** e.g. `journal.jsonl:7`, `evidence/cloudtrail/x.json.gz`, `case.json` */
  where: string;
  what: string;
}

export interface VerifyResult {
  ok: boolean;
  journalLines: number;
  evidenceFiles: number;
  problems: VerifyProblem[];
  /** With `head`: the journal line carrying it and how many lines were appended since. */
  anchor?: { line: number; after: number };
}

/**
 * Check a case folder's integrity: the hash chain of the journal line by line, the journal head
 * recorded in case.json, and every evidence file against the manifest and the journal.
 */
export async function verifyCase(dir: string, options: { head?: string } = {}): Promise<VerifyResult> {
  const problems: VerifyProblem[] = [];
  let head: { seq: number; hash: string } | undefined;
  try {
    head = readCaseFile(dir).journal;
  } catch (error) {
    problems.push({ where: CASE_FILE, what: messageOf(error) });
  }

  const lines = readJournal(join(dir, JOURNAL_FILE));
  const entries = checkChain(lines, problems);
  if (head && entries.length === lines.length) {
    const last = entries.at(-1);
    const seq = last?.seq ?? 0;
    const hash = last?.hash ?? GENESIS;
    if (seq < head.seq) {
      problems.push({
        where: `${JOURNAL_FILE}:${seq + 1}`,
        what: `journal ends after line ${seq} but case.json records ${head.seq} lines: lines were removed from the end`,
      });
    } else if (seq !== head.seq || hash !== head.hash) {
      problems.push({
        where: CASE_FILE,
        what: `journal head in case.json (line ${head.seq}) does not match the journal`,
      });
    }
  }

  const anchor = options.head === undefined ? undefined : checkAnchor(options.head, entries, problems);
  const evidenceFiles = await checkEvidence(dir, entries, problems);
  return {
    ok: problems.length === 0,
    journalLines: lines.length,
    evidenceFiles,
    problems,
    ...(anchor ? { anchor } : {}),
  };
}

/**
 * A head hash kept outside the case must be the hash of one line of the chain (the journal may
 * have grown since it was noted; lines after it are appends). A journal rewritten from an earlier
 * point, case.json with it, chains and matches, but no longer holds that hash.
 */
function checkAnchor(
  head: string,
  entries: JournalEntry[],
  problems: VerifyProblem[],
): { line: number; after: number } | undefined {
  const wanted = head.trim().toLowerCase();
  const line = entries.find((e) => e.hash === wanted);
  if (line) return { line: line.seq, after: entries.length - line.seq };
  problems.push({
    where: JOURNAL_FILE,
    what: `no line has the head hash ${wanted} kept outside the case: the journal was rewritten (or this is another case)`,
  });
  return undefined;
}

function checkChain(lines: string[], problems: VerifyProblem[]): JournalEntry[] {
  const entries: JournalEntry[] = [];
  let prev = GENESIS;
  for (const [index, line] of lines.entries()) {
    const n = index + 1;
    const where = `${JOURNAL_FILE}:${n}`;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      problems.push({ where, what: 'line is not valid JSON (altered or truncated)' });
      return entries;
    }
    if (entry.seq !== n) {
      problems.push({
        where,
        what: `expected line ${n}, found line ${String(entry.seq)}: lines were removed or reordered`,
      });
      return entries;
    }
    if (entry.prev !== prev) {
      problems.push({
        where,
        what: `does not chain to line ${n - 1} (prev hash mismatch): a line was removed, reordered or altered`,
      });
      return entries;
    }
    if (hashOf(entry) !== entry.hash) {
      problems.push({ where, what: 'content does not match its hash: the line was altered' });
      return entries;
    }
    entries.push(entry);
    prev = entry.hash;
  }
  return entries;
}

async function checkEvidence(
  dir: string,
  entries: JournalEntry[],
  problems: VerifyProblem[],
): Promise<number> {
  const root = join(dir, EVIDENCE_DIR);
  const manifestFile = join(root, MANIFEST);
  const manifest = new Map<string, EvidenceRecord>();
  if (existsSync(manifestFile)) {
    const lines = readFileSync(manifestFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    for (const [index, line] of lines.entries()) {
      try {
        const record = JSON.parse(line) as EvidenceRecord;
        manifest.set(record.path, record);
      } catch {
        problems.push({
          where: `${EVIDENCE_DIR}/${MANIFEST}:${index + 1}`,
          what: 'manifest line is not valid JSON',
        });
      }
    }
  }

  // The journal is the authority: every evidence file it recorded must still be listed, intact.
  const journalled = new Map<string, { sha256: string; line: number }>();
  for (const entry of entries) {
    if (entry.kind !== 'evidence.added') continue;
    const files = (entry.data as { files?: { path: string; sha256: string }[] }).files ?? [];
    for (const f of files) journalled.set(f.path, { sha256: f.sha256, line: entry.seq });
  }
  for (const [path, j] of journalled) {
    const m = manifest.get(path);
    if (!m)
      problems.push({
        where: `${EVIDENCE_DIR}/${path}`,
        what: `recorded in journal line ${j.line} but missing from the manifest`,
      });
    else if (m.sha256 !== j.sha256)
      problems.push({
        where: `${EVIDENCE_DIR}/${path}`,
        what: `manifest hash differs from journal line ${j.line}`,
      });
  }
  for (const path of manifest.keys()) {
    if (!journalled.has(path))
      problems.push({
        where: `${EVIDENCE_DIR}/${path}`,
        what: 'listed in the manifest but never recorded in the journal',
      });
  }

  for (const [path, record] of manifest) {
    const file = join(root, path);
    if (!existsSync(file)) {
      problems.push({ where: `${EVIDENCE_DIR}/${path}`, what: 'file was removed' });
      continue;
    }
    const actual = await sha256File(file);
    if (actual.sha256 !== record.sha256 || actual.size !== record.size) {
      problems.push({
        where: `${EVIDENCE_DIR}/${path}`,
        what: 'file was altered (sha256 differs from the manifest)',
      });
    }
  }

  for (const file of walk(root)) {
    const rel = relative(root, file).split('\\').join('/');
    if (rel === MANIFEST || rel.endsWith('.partial')) continue;
    if (!manifest.has(rel))
      problems.push({ where: `${EVIDENCE_DIR}/${rel}`, what: 'file is not in the manifest' });
  }
  return manifest.size;
}

function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}
