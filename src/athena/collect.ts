import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { CaseContext } from '../context.js';
import { STORE_FILE } from '../store/store.js';
import { COVERAGE_FILE, readLedger, recordCoverage, type CoverageEntry } from '../trail/coverage.js';
import { huntWithAthena, type AthenaHunt } from './hunt.js';
import type { QueryEvidence } from './load.js';

/** CloudTrail's 90 days of Event history: the default window, as `collect` has it. */
const DEFAULT_WINDOW_MS = 90 * 24 * 3600 * 1000;

export interface AthenaCollectOptions {
  source: string;
  since?: string | undefined;
  until?: string | undefined;
  workGroup: string;
  database: string;
  output: string | undefined;
  maxScan: number;
  confirm(estimate: string): Promise<boolean>;
}

/** What an Athena collection stored and how completely. */
export interface AthenaCollectResult {
  coverage: CoverageEntry[];
  ledger: CoverageEntry[];
  storedEvents: number;
  recordsRead: number;
  since: string;
  until: string;
  /** The Glue tables read, `database.table`. */
  tables: string[];
  queries: QueryEvidence[];
  incomplete: boolean;
}

/**
 * Collect every record of the window from a trail bucket into the case store with Athena (the
 * hunt's queries without a subject filter: lineage needs the sessions the key made too). The
 * queries' evidence (ids, statistics, result sha256) is kept in the case's evidence, the coverage
 * lines merged into the ledger and journalled, as `collect` does for its other sources.
 */
export async function collectWithAthena(
  ctx: CaseContext,
  o: AthenaCollectOptions,
): Promise<AthenaCollectResult> {
  const now = ctx.clock.now();
  const until = o.until ?? now.toISOString();
  const since = o.since ?? new Date(now.getTime() - DEFAULT_WINDOW_MS).toISOString();
  readLedger(ctx.case.dir);
  ctx.case.markPhase('collect', 'started');
  ctx.case.record('collect.started', { sources: [o.source], engine: 'athena', since, until });
  const hunt = await huntWithAthena({
    source: o.source,
    filter: { since, until },
    athena: ctx.aws.get(AthenaClient),
    glue: ctx.aws.get(GlueClient),
    s3: ctx.aws.get(S3Client),
    workGroup: o.workGroup,
    database: o.database,
    output: o.output,
    maxScan: o.maxScan,
    confirm: (estimate) => o.confirm(estimate),
    storeFile: ctx.case.path(STORE_FILE),
    clock: ctx.clock,
    log: ctx.log,
  });
  try {
    const { ledger, incomplete } = await keepQueryCollection(ctx, {
      engine: 'athena',
      source: o.source,
      since,
      until,
      evidence: {
        file: `athena/queries-${stamp(now)}.json`,
        doc: { tables: qualified(hunt), queries: hunt.queries },
        description: `Athena queries over ${o.source}`,
      },
      coverage: hunt.coverage,
    });
    const coverage = hunt.coverage;
    return {
      coverage,
      ledger,
      storedEvents: await hunt.store.count(),
      recordsRead: hunt.ingest.records,
      since,
      until,
      tables: qualified(hunt),
      queries: hunt.queries,
      incomplete,
    };
  } finally {
    hunt.close();
  }
}

function qualified(hunt: AthenaHunt): string[] {
  return hunt.tables.map((t) => `${hunt.database}.${t}`);
}

/** A file name's form of a time (`2026-02-02T08-00-00-000Z`). */
export function stamp(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

/**
 * Keep what a collection by query found in the case: the queries' evidence document, the
 * coverage lines merged into the ledger and journalled; the phase completed when nothing is
 * missing. Shared by the Athena and CloudTrail Lake collections.
 */
export async function keepQueryCollection(
  ctx: CaseContext,
  o: {
    engine: string;
    source: string;
    since: string;
    until: string;
    evidence: { file: string; doc: unknown; description: string };
    coverage: CoverageEntry[];
  },
): Promise<{ ledger: CoverageEntry[]; incomplete: boolean }> {
  await ctx.case.addEvidence(
    o.evidence.file,
    `${JSON.stringify(o.evidence.doc, null, 2)}\n`,
    o.evidence.description,
  );
  const { ledger, sha256 } = recordCoverage(ctx.case, o.coverage, ctx.clock.now());
  ctx.case.record('collect.coverage', {
    since: o.since,
    until: o.until,
    sources: [o.source],
    engine: o.engine,
    entries: o.coverage,
    ledger: { file: COVERAGE_FILE, sha256 },
  });
  const incomplete = o.coverage.some((c) => c.status !== 'complete');
  if (!incomplete) ctx.case.markPhase('collect', 'completed');
  return { ledger, incomplete };
}
