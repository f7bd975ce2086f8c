import { enabledRegions, type EnabledRegions } from '../aws/regions.js';
import type { CaseFile } from '../case/schema.js';
import type { CaseContext } from '../context.js';
import { UsageError, UserError } from '../errors.js';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { ClientPool } from '../aws/pool.js';
import { LOAD_MEMORY_LIMIT, STORE_FILE, openEventStore, type EventStore } from '../store/store.js';
import {
  collectFromBucket,
  discoverTrails,
  loggingThroughout,
  parseS3Source,
  type S3Source,
} from './bucket.js';
import {
  COVERAGE_FILE,
  coverageIncomplete,
  readLedger,
  recordCoverage,
  type CoverageEntry,
} from './coverage.js';
import { DERIVED_SCOPES, lookupFollowing, type FollowDerived } from './follow.js';
import { ingestPaths } from './ingest.js';
import { LOOKUP_HISTORY_MS, collectLookupEvents, scopeName, type LookupTarget } from './lookup.js';

export interface CollectOptions {
  /**
   * `api` (LookupEvents), `trails` (the buckets of the trails DescribeTrails finds),
   * `s3://bucket/prefix` (a trail bucket), or local paths, read in this order. Default `api`.
   */
  sources: string[];
  /** ISO times; default: the 90 days LookupEvents keeps, up to now. */
  since?: string | undefined;
  until?: string | undefined;
  /**
   * The instant the window was computed at (default: the clock's now). A caller that derives
   * `since` from its own now passes that now: LookupEvents' 90 days are counted back from it, and
   * a later reading would find a window starting exactly 90 days back a millisecond too old.
   */
  now?: Date | undefined;
  /** What `api` asks LookupEvents for; default the case subject's access key id and user name. */
  lookup?: LookupTarget[] | undefined;
  /** Follow the credentials the collected events derived, round by round (`respond`). */
  follow?: FollowDerived | undefined;
  /** The account whose folders to read in trail buckets; default the case's account (else all). */
  account?: string | null | undefined;
  /**
   * A pool acting in another account (`--account-role`): LookupEvents there for the derived
   * sessions that acted there. Throws (a user error) when the account cannot be entered.
   */
  poolFor?: ((account: string) => Promise<ClientPool>) | undefined;
  signal?: AbortSignal | undefined;
  onPage?: Parameters<typeof collectLookupEvents>[0]['onPage'];
}

export interface CollectResult {
  /** This run's coverage lines. */
  coverage: CoverageEntry[];
  /** The case's whole ledger (`coverage.json`) after this run. */
  ledger: CoverageEntry[];
  /** Events in the case store after this run. */
  storedEvents: number;
  /** Records read by this run (before de-duplication). */
  recordsRead: number;
  /** Records refused as malformed (counted per file by the ingest). */
  badRecords: number;
  since: string;
  until: string;
  /** Regions read, and where the list came from (null when no source was regional). */
  regions: string[];
  regionSource: EnabledRegions['source'] | null;
  /** LookupEvents targets asked, as `AccessKeyId=…` / `Username=…`. */
  lookedUp: string[];
  /** Trails whose buckets were read (`trails` source). */
  trails: string[];
  interrupted: boolean;
  /** Anything partial, failed or interrupted: exit 3. */
  incomplete: boolean;
}

/** One collection in progress: what every source handler reads and adds to. */
interface Collection {
  ctx: CaseContext;
  options: CollectOptions;
  store: EventStore;
  since: string;
  until: string;
  now: Date;
  result: CollectResult;
  regions(): Promise<string[]>;
  /** Set by `trails`: a multi-region trail logged the whole window and its bucket was read. */
  bucketHoldsWindow: boolean;
  /** Earlier ledger lines this run has re-examined as a whole (its own lines replace them). */
  supersedes: ((e: CoverageEntry) => boolean)[];
}

/** The sources, declared: which argument each handles and how it is read. */
const SOURCES: { handles(source: string): boolean; collect(c: Collection, source: string): Promise<void> }[] =
  [
    { handles: (s) => s === 'api', collect: (c) => fromLookupEvents(c) },
    { handles: (s) => s === 'trails', collect: (c) => fromTrails(c) },
    {
      handles: (s) => s.startsWith('s3://'),
      collect: async (c, s) => void (await fromBuckets(c, [parseS3Source(s)])),
    },
    { handles: () => true, collect: (c, s) => fromFiles(c, s) },
  ];

/**
 * Collect CloudTrail into the case store (`case.duckdb`): LookupEvents in every enabled region
 * (optionally following derived credentials), trail-bucket objects, or local files. Every source
 * writes coverage lines; the run ends by merging them into the case's ledger (`coverage.json`,
 * read by the reports) and journalling them.
 */
export async function collectCloudTrail(ctx: CaseContext, options: CollectOptions): Promise<CollectResult> {
  const now = options.now ?? ctx.clock.now();
  const until = options.until ?? now.toISOString();
  const since = options.since ?? new Date(now.getTime() - LOOKUP_HISTORY_MS).toISOString();
  const sources = options.sources.length > 0 ? options.sources : ['api'];
  // A ledger that cannot be merged into would fail the run at its end: say so before any work.
  readLedger(ctx.case.dir);
  const store = await openEventStore(ctx.case.path(STORE_FILE), { memoryLimit: LOAD_MEMORY_LIMIT });
  const result: CollectResult = {
    coverage: [],
    ledger: [],
    storedEvents: 0,
    recordsRead: 0,
    badRecords: 0,
    since,
    until,
    regions: [],
    regionSource: null,
    lookedUp: [],
    trails: [],
    interrupted: false,
    incomplete: false,
  };
  let regionList: Promise<string[]> | undefined;
  const c: Collection = {
    ctx,
    options,
    store,
    since,
    until,
    now,
    result,
    regions: () => (regionList ??= readRegions(c)),
    bucketHoldsWindow: false,
    supersedes: [],
  };
  ctx.case.markPhase('collect', 'started');
  ctx.case.record('collect.started', { sources, since, until });
  try {
    for (const source of sources) await SOURCES.find((s) => s.handles(source))!.collect(c, source);
    const { ledger, sha256 } = recordCoverage(ctx.case, result.coverage, ctx.clock.now(), (e) =>
      c.supersedes.some((test) => test(e)),
    );
    ctx.case.record('collect.coverage', {
      since,
      until,
      sources,
      entries: result.coverage,
      ledger: { file: COVERAGE_FILE, sha256 },
    });
    result.ledger = ledger;
    result.storedEvents = await store.count();
    result.incomplete = result.interrupted || coverageIncomplete(result.coverage);
    if (!result.interrupted) ctx.case.markPhase('collect', 'completed');
    return result;
  } finally {
    store.close();
  }
}

async function readRegions(c: Collection): Promise<string[]> {
  const found = await enabledRegions(c.ctx.aws);
  c.result.regions = found.regions;
  c.result.regionSource = found.source;
  // A region list read in full makes an earlier run's fallback line untrue.
  if (found.source === 'DescribeRegions') c.supersedes.push((e) => e.source === 'region list');
  if (found.source === 'fallback') {
    c.ctx.log.warn(`Could not list the account's regions (${found.reason ?? '?'}); using the default 17.`);
    // Opt-in regions the account may have enabled were not read: say so in the ledger.
    c.result.coverage.push({
      source: 'region list',
      region: '*',
      scope: 'DescribeRegions',
      from: c.since,
      to: c.until,
      status: 'partial',
      reason: `${found.reason ?? 'DescribeRegions failed'}; the default-enabled regions were read, opt-in regions were not`,
      records: 0,
    });
  }
  return found.regions;
}

/** The case subject's LookupEvents targets: its access key id and its user name. */
function subjectTargets(info: Readonly<CaseFile>): LookupTarget[] {
  const targets: LookupTarget[] = [];
  if (info.subject?.accessKeyId) targets.push({ key: 'AccessKeyId', value: info.subject.accessKeyId });
  if (info.subject?.userName) targets.push({ key: 'Username', value: info.subject.userName });
  if (targets.length === 0) {
    throw new UsageError(
      'The case has no access key id or user name to look up.',
      'Start the case with `tourniquet triage AKIA…`, or collect from a trail bucket or files.',
    );
  }
  return targets;
}

async function fromLookupEvents(c: Collection): Promise<void> {
  const { ctx, options, result } = c;
  const first = options.lookup ?? subjectTargets(ctx.case.info);
  const regions = await c.regions();
  const lookup = async (targets: LookupTarget[], pool = ctx.aws): Promise<void> => {
    const r = await collectLookupEvents({
      pool,
      store: c.store,
      caseFolder: ctx.case,
      regions,
      targets,
      since: c.since,
      until: c.until,
      now: c.now,
      log: ctx.log,
      progress: ctx.progress,
      signal: options.signal,
      onPage: options.onPage,
    });
    result.coverage.push(...r.coverage);
    result.recordsRead += r.records;
    result.interrupted ||= r.interrupted;
    result.lookedUp.push(...targets.map(scopeName));
  };
  if (!options.follow) return lookup(first);
  const { poolFor } = options;
  const lookupElsewhere = poolFor
    ? async (account: string, targets: LookupTarget[]): Promise<string | null> => {
        let pool: ClientPool;
        try {
          pool = await poolFor(account);
        } catch (error) {
          const why = error instanceof UserError ? error.message : describeAwsError(classifyAwsError(error));
          return `derived sessions acted in account ${account}; it could not be entered (${why}), so its CloudTrail was not collected: name a role there that trusts the responder with --account-role NAME`;
        }
        // The home account's regions: listing the other account's needs more of the role.
        await lookup(targets, pool);
        return null;
      }
    : undefined;
  const lines = await lookupFollowing({
    store: c.store,
    first,
    follow: options.follow,
    lookup: (targets) => lookup(targets),
    lookupElsewhere,
    bucketHoldsWindow: c.bucketHoldsWindow,
    interrupted: () => result.interrupted,
    since: c.since,
    until: c.until,
  });
  // A following that ran to its end re-judged what was derived: its lines replace earlier ones.
  if (!result.interrupted) c.supersedes.push((e) => e.region === '*' && DERIVED_SCOPES.has(e.scope));
  result.coverage.push(...lines);
}

async function fromTrails(c: Collection): Promise<void> {
  const { ctx, result } = c;
  const whole = (status: CoverageEntry['status'], region: string, reason: string): CoverageEntry => ({
    source: 'trails',
    region,
    scope: 'DescribeTrails',
    from: c.since,
    to: c.until,
    status,
    reason,
    records: 0,
  });
  const found = await discoverTrails(ctx.aws, await c.regions());
  // Every region was asked again: earlier refusals or "no trail" are replaced by this run's answer.
  c.supersedes.push((e) => e.source === 'trails');
  for (const r of found.refused) result.coverage.push(whole('partial', r.region, r.reason));
  ctx.case.record('collect.trails', { trails: found.trails });
  if (found.trails.length === 0) {
    result.coverage.push(
      whole(
        'failed',
        '*',
        'no trail found in any region: only LookupEvents (90 days, management events) is available',
      ),
    );
    return;
  }
  result.trails.push(...found.trails.map((t) => t.name));
  const buckets = new Map<string, S3Source>();
  for (const t of found.trails) buckets.set(`${t.source.bucket}/${t.source.prefix}`, t.source);
  const lines = await fromBuckets(c, [...buckets.values()]);
  if (!c.options.follow) return;
  // Only worth two calls when derived credentials may be followed (respond).
  for (const t of found.trails) {
    const label = `s3://${t.source.bucket}/${t.source.prefix}`;
    const read = lines.filter((l) => l.source === label);
    if (
      read.length > 0 &&
      read.every((l) => l.status === 'complete') &&
      (await loggingThroughout(ctx.aws, t, c.since))
    )
      c.bucketHoldsWindow = true;
  }
}

async function fromBuckets(c: Collection, targets: S3Source[]): Promise<CoverageEntry[]> {
  const { ctx, result } = c;
  const lines: CoverageEntry[] = [];
  for (const source of targets) {
    const bucket = await collectFromBucket({
      pool: ctx.aws,
      store: c.store,
      caseFolder: ctx.case,
      source,
      regions: await c.regions(),
      account: c.options.account === undefined ? ctx.case.info.account : c.options.account,
      since: c.since,
      until: c.until,
      log: ctx.log,
      progress: ctx.progress,
      signal: c.options.signal,
    });
    lines.push(...bucket.coverage);
    result.recordsRead += bucket.records;
    result.interrupted ||= bucket.interrupted;
  }
  result.coverage.push(...lines);
  return lines;
}

async function fromFiles(c: Collection, source: string): Promise<void> {
  const report = await ingestPaths(c.store, [source], { sourceKind: 'file', progress: c.ctx.progress });
  const problems = report.badFiles.length + report.badRecords;
  c.result.recordsRead += report.records;
  c.result.badRecords += report.badRecords;
  c.result.coverage.push({
    source,
    region: '*',
    scope: `${report.files} files`,
    from: c.since,
    to: c.until,
    status: problems > 0 ? 'partial' : 'complete',
    reason: problems > 0 ? `${report.badFiles.length} bad files, ${report.badRecords} bad records` : null,
    records: report.records,
  });
}
