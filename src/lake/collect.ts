import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CaseContext } from '../context.js';
import { STORE_FILE } from '../store/store.js';
import { keepQueryCollection, stamp } from '../athena/collect.js';
import { readLedger, type CoverageEntry } from '../trail/coverage.js';
import type { EventDataStoreRef } from './client.js';
import { huntWithLake, type LakeQueryEvidence } from './hunt.js';

/** CloudTrail's 90 days of Event history: the default window, as `collect` has it. */
const DEFAULT_WINDOW_MS = 90 * 24 * 3600 * 1000;

/** What a Lake collection stored and how completely. */
export interface LakeCollectResult {
  coverage: CoverageEntry[];
  ledger: CoverageEntry[];
  storedEvents: number;
  recordsRead: number;
  since: string;
  until: string;
  eventDataStore: string;
  queries: LakeQueryEvidence[];
  incomplete: boolean;
}

/**
 * Collect every record of the window from a CloudTrail Lake event data store into the case store
 * (the hunt's query without a subject filter, as the Athena collection does). The query's evidence
 * (id, statistics, sha256 of its rows) is kept in the case's evidence, its coverage line merged
 * into the ledger and journalled.
 */
export async function collectWithLake(
  ctx: CaseContext,
  o: { eventDataStore: EventDataStoreRef; since?: string | undefined; until?: string | undefined },
): Promise<LakeCollectResult> {
  const now = ctx.clock.now();
  const until = o.until ?? now.toISOString();
  const since = o.since ?? new Date(now.getTime() - DEFAULT_WINDOW_MS).toISOString();
  const source = o.eventDataStore.arn;
  readLedger(ctx.case.dir);
  ctx.case.markPhase('collect', 'started');
  ctx.case.record('collect.started', { sources: [source], engine: 'lake', since, until });
  const hunt = await huntWithLake({
    eventDataStore: o.eventDataStore,
    filter: { since, until },
    cloudtrail: ctx.aws.get(CloudTrailClient, o.eventDataStore.region),
    storeFile: ctx.case.path(STORE_FILE),
    clock: ctx.clock,
    log: ctx.log,
  });
  try {
    const { ledger, incomplete } = await keepQueryCollection(ctx, {
      engine: 'lake',
      source,
      since,
      until,
      evidence: {
        file: `lake/queries-${stamp(now)}.json`,
        doc: { eventDataStore: source, queries: hunt.queries },
        description: `CloudTrail Lake queries over ${source}`,
      },
      coverage: hunt.coverage,
    });
    return {
      coverage: hunt.coverage,
      ledger,
      storedEvents: await hunt.store.count(),
      recordsRead: hunt.ingest.records,
      since,
      until,
      eventDataStore: source,
      queries: hunt.queries,
      incomplete,
    };
  } finally {
    hunt.close();
  }
}
