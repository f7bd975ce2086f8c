import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CaseFolder } from '../case/case.js';
import { UserError } from '../errors.js';

/** How completely one source covered one region and time range. */
export type CoverageStatus = 'complete' | 'partial' | 'failed';

/** One line of the coverage ledger: what was read, from where, and how completely. */
export interface CoverageEntry {
  /** `LookupEvents`, `s3://bucket/prefix/`, `trails`, `region list`, or a local path. */
  source: string;
  /** Region, or `*` when the source is not regional. */
  region: string;
  /** What was asked for, e.g. `AccessKeyId=AKIA…`, `account 111122223333`. */
  scope: string;
  from: string;
  to: string;
  status: CoverageStatus;
  /** Why it is partial or failed (one line), else null. */
  reason: string | null;
  /** Records read for this line. */
  records: number;
}

/** A ledger line about a source as a whole (no region of its own), over the whole window. */
export function wholeWindowLine(
  at: { source: string; scope: string; since: string; until: string },
  status: CoverageStatus,
  reason: string | null,
): CoverageEntry {
  return {
    source: at.source,
    region: '*',
    scope: at.scope,
    from: at.since,
    to: at.until,
    status,
    reason,
    records: 0,
  };
}

/**
 * The case's coverage ledger, at the top of the case folder. It is the tool's own statement of
 * what it read (not an artifact copied from the account), rewritten as collections run, so it is
 * not kept in the evidence manifest; each rewrite is journalled with the lines and the file's
 * sha256, which puts every version under the journal's hash chain.
 */
export const COVERAGE_FILE = 'coverage.json';

const entrySchema = z.object({
  source: z.string(),
  region: z.string(),
  scope: z.string(),
  from: z.string(),
  to: z.string(),
  status: z.enum(['complete', 'partial', 'failed']),
  reason: z.string().nullable(),
  records: z.number(),
});

/** The shape of `coverage.json`: `{updated, entries}`. */
export const coverageLedgerSchema = z.object({ updated: z.string(), entries: z.array(entrySchema) });

const keyOf = (e: CoverageEntry): string => `${e.source}\u0000${e.region}\u0000${e.scope}`;

const order = (a: CoverageEntry, b: CoverageEntry): number =>
  a.source.localeCompare(b.source) || a.region.localeCompare(b.region) || a.scope.localeCompare(b.scope);

/** The ledger of the case in `dir` (empty before any collection). */
export function readLedger(dir: string): CoverageEntry[] {
  const file = join(dir, COVERAGE_FILE);
  if (!existsSync(file)) return [];
  let parsed;
  try {
    parsed = coverageLedgerSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) {
    // Never overwrite a ledger we cannot read: it may be the only account of an earlier run.
    throw new UserError('COVERAGE_UNREADABLE', `${file} is not a coverage ledger Tourniquet can read.`, {
      hint: 'Move it aside and collect again; the journal keeps every earlier ledger line (collect.coverage).',
    });
  }
  return parsed.data.entries;
}

/**
 * Merge lines into the case's ledger: one line per (source, region, scope), so a resumed or
 * repeated collection replaces what an earlier run said about the same thing. `drop` removes
 * lines a later run has made untrue. Written through a temp file and rename (never half a file).
 */
export function recordCoverage(
  folder: CaseFolder,
  entries: CoverageEntry[],
  at: Date,
  drop?: (e: CoverageEntry) => boolean,
): { ledger: CoverageEntry[]; sha256: string } {
  const lines = new Map(
    readLedger(folder.dir)
      .filter((e) => !drop?.(e))
      .map((e) => [keyOf(e), e]),
  );
  for (const e of entries) lines.set(keyOf(e), e);
  const ledger = [...lines.values()].sort(order);
  const text = JSON.stringify({ updated: at.toISOString(), entries: ledger }, null, 2) + '\n';
  const file = folder.path(COVERAGE_FILE);
  const fd = openSync(`${file}.tmp`, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(`${file}.tmp`, file);
  return { ledger, sha256: createHash('sha256').update(text).digest('hex') };
}

/** True when any line is partial or failed: the investigation must say what it could not see. */
export function coverageIncomplete(entries: CoverageEntry[]): boolean {
  return entries.some((e) => e.status !== 'complete');
}
