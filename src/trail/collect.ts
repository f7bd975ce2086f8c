import { enabledRegions } from '../aws/regions.js';
import type { CaseContext } from '../context.js';
import { UsageError } from '../errors.js';
import { LOAD_MEMORY_LIMIT, STORE_FILE, openEventStore } from '../store/store.js';
import { collectFromBucket, discoverTrails, parseS3Source, type S3Source } from './bucket.js';
import { coverageIncomplete, readCoverage, recordCoverage, type CoverageEntry } from './coverage.js';
import { ingestPaths } from './ingest.js';
import { LOOKUP_HISTORY_MS, collectLookupEvents } from './lookup.js';

export interface CollectOptions {
  /**
   * `api` (LookupEvents), `trails` (the buckets of the trails DescribeTrails finds),
   * `s3://bucket/prefix` (a trail bucket), or local paths. Default `api`.
   */
  sources: string[];
  /** ISO times; default: the 90 days LookupEvents keeps, up to now. */
  since?: string | undefined;
  until?: string | undefined;
  signal?: AbortSignal | undefined;
  onPage?: Parameters<typeof collectLookupEvents>[0]['onPage'];
}

export interface CollectResult {
  /** This run's coverage lines. */
  coverage: CoverageEntry[];
  /** The case's whole ledger after this run. */
  ledger: CoverageEntry[];
  /** Events in the case store after this run. */
  storedEvents: number;
  /** Records read by this run (before de-duplication). */
  recordsRead: number;
  interrupted: boolean;
  /** Anything partial, failed or interrupted: exit 3. */
  incomplete: boolean;
}

/**
 * Collect CloudTrail for the case's subject into the case store (`case.duckdb`): LookupEvents in
 * every enabled region, trail-bucket objects, or local files; every source writes coverage lines
 * to the ledger in the store and the journal.
 */
export async function collectCloudTrail(ctx: CaseContext, options: CollectOptions): Promise<CollectResult> {
  const info = ctx.case.info;
  const now = ctx.clock.now();
  const until = options.until ?? now.toISOString();
  const since = options.since ?? new Date(now.getTime() - LOOKUP_HISTORY_MS).toISOString();
  const sources = options.sources.length > 0 ? options.sources : ['api'];
  const store = await openEventStore(ctx.case.path(STORE_FILE), { memoryLimit: LOAD_MEMORY_LIMIT });
  const result: CollectResult = {
    coverage: [],
    ledger: [],
    storedEvents: 0,
    recordsRead: 0,
    interrupted: false,
    incomplete: false,
  };
  ctx.case.markPhase('collect', 'started');
  try {
    let regions: string[] | undefined;
    const regionList = async (): Promise<string[]> => {
      if (!regions) {
        const found = await enabledRegions(ctx.aws);
        if (found.source === 'fallback') {
          ctx.log.warn(
            `Could not list the account's regions (${found.reason ?? '?'}); using the default 17.`,
          );
          // Opt-in regions the account may have enabled were not read: say so in the ledger.
          result.coverage.push({
            source: 'region list',
            region: '*',
            scope: 'DescribeRegions',
            from: since,
            to: until,
            status: 'partial',
            reason: `${found.reason ?? 'DescribeRegions failed'}; the default-enabled regions were read, opt-in regions were not`,
            records: 0,
          });
        }
        regions = found.regions;
      }
      return regions;
    };
    for (const source of sources) {
      if (source === 'api') {
        const accessKeyId = info.subject?.accessKeyId;
        const userName = info.subject?.userName;
        if (!accessKeyId && !userName) {
          throw new UsageError(
            'The case has no access key id or user name to look up.',
            'Start the case with `tourniquet triage AKIA…`, or collect from a trail bucket or files.',
          );
        }
        const lookup = await collectLookupEvents({
          pool: ctx.aws,
          store,
          caseFolder: ctx.case,
          regions: await regionList(),
          accessKeyId,
          userName,
          since,
          until,
          now,
          log: ctx.log,
          progress: ctx.progress,
          signal: options.signal,
          onPage: options.onPage,
        });
        result.coverage.push(...lookup.coverage);
        result.recordsRead += lookup.records;
        result.interrupted ||= lookup.interrupted;
      } else if (source.startsWith('s3://') || source === 'trails') {
        const buckets: S3Source[] = [];
        if (source === 'trails') {
          const found = await discoverTrails(ctx.aws, await regionList());
          for (const r of found.refused) {
            result.coverage.push({
              source: 'trails',
              region: r.region,
              scope: 'DescribeTrails',
              from: since,
              to: until,
              status: 'partial',
              reason: r.reason,
              records: 0,
            });
          }
          ctx.case.record('collect.trails', { trails: found.trails });
          const seen = new Set<string>();
          for (const t of found.trails) {
            const key = `${t.source.bucket}/${t.source.prefix}`;
            if (!seen.has(key)) buckets.push(t.source);
            seen.add(key);
          }
          if (found.trails.length === 0) {
            result.coverage.push({
              source: 'trails',
              region: '*',
              scope: 'DescribeTrails',
              from: since,
              to: until,
              status: 'failed',
              reason:
                'no trail found in any region: only LookupEvents (90 days, management events) is available',
              records: 0,
            });
          }
        } else {
          buckets.push(parseS3Source(source));
        }
        for (const target of buckets) {
          const bucket = await collectFromBucket({
            pool: ctx.aws,
            store,
            caseFolder: ctx.case,
            source: target,
            regions: await regionList(),
            account: info.account,
            since,
            until,
            log: ctx.log,
            progress: ctx.progress,
            signal: options.signal,
          });
          result.coverage.push(...bucket.coverage);
          result.recordsRead += bucket.records;
          result.interrupted ||= bucket.interrupted;
        }
      } else {
        const report = await ingestPaths(store, [source], { sourceKind: 'file', progress: ctx.progress });
        const problems = report.badFiles.length + report.badRecords;
        result.recordsRead += report.records;
        result.coverage.push({
          source,
          region: '*',
          scope: `${report.files} files`,
          from: since,
          to: until,
          status: problems > 0 ? 'partial' : 'complete',
          reason:
            problems > 0 ? `${report.badFiles.length} bad files, ${report.badRecords} bad records` : null,
          records: report.records,
        });
      }
    }
    await recordCoverage(store, result.coverage, ctx.clock.now());
    ctx.case.record('collect.coverage', { since, until, sources, entries: result.coverage });
    result.ledger = await readCoverage(store);
    result.storedEvents = await store.count();
    result.incomplete = result.interrupted || coverageIncomplete(result.coverage);
    if (!result.interrupted) ctx.case.markPhase('collect', 'completed');
    return result;
  } finally {
    store.close();
  }
}
