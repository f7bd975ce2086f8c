import type { EventStore } from '../store/store.js';

/** How completely one source covered one region and time range. */
export type CoverageStatus = 'complete' | 'partial' | 'failed';

/** One line of the coverage ledger: what was read, from where, and how completely. */
export interface CoverageEntry {
  /** `lookup-events`, `s3://bucket/prefix`, or a local path. */
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

const TABLE = 'coverage_ledger';

/** The ledger's table in the case store (created on first use). */
async function ensureTable(store: EventStore): Promise<void> {
  await store.run(`CREATE TABLE IF NOT EXISTS ${TABLE} (
    source VARCHAR NOT NULL, region VARCHAR NOT NULL, scope VARCHAR NOT NULL,
    "from" VARCHAR NOT NULL, "to" VARCHAR NOT NULL, status VARCHAR NOT NULL,
    reason VARCHAR, records BIGINT NOT NULL, updated VARCHAR NOT NULL,
    PRIMARY KEY (source, region, scope))`);
}

/**
 * Record (or replace) ledger lines in the case store: one line per (source, region, scope), so a
 * resumed collection overwrites what the interrupted one said.
 */
export async function recordCoverage(store: EventStore, entries: CoverageEntry[], at: Date): Promise<void> {
  await ensureTable(store);
  for (const e of entries) {
    await store.run(`INSERT OR REPLACE INTO ${TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      e.source,
      e.region,
      e.scope,
      e.from,
      e.to,
      e.status,
      e.reason,
      e.records,
      at.toISOString(),
    ]);
  }
}

/** The whole ledger, ordered by source, region and scope. */
export async function readCoverage(store: EventStore): Promise<CoverageEntry[]> {
  const [exists] = await store.query<{ n: number }>(
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = '${TABLE}'`,
  );
  if (!exists?.n) return [];
  return store.query<CoverageEntry>(
    `SELECT source, region, scope, "from", "to", status, reason, records FROM ${TABLE} ORDER BY source, region, scope`,
  );
}

/** True when any line is partial or failed: the investigation must say what it could not see. */
export function coverageIncomplete(entries: CoverageEntry[]): boolean {
  return entries.some((e) => e.status !== 'complete');
}
