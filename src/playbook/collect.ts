import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { enabledRegions } from '../aws/regions.js';
import { EVIDENCE_DIR } from '../case/case.js';
import type { CaseContext } from '../context.js';
import { lineageOf, type LineageNode } from '../detect/lineage.js';
import { EVENTS_TABLE } from '../store/schema.js';
import { STORE_FILE, openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from '../trail/ingest.js';
import { BUCKET_DIR, collectTrailBuckets } from './collect-bucket.js';
import { LOOKUP_DIR, lookupEverywhere, previousCoverage, type LookupTarget } from './collect-api.js';
import { COVERAGE_FILE, type CoverageEntry } from './coverage.js';

/** LookupEvents keeps 90 days of management events. */
const LOOKUP_DAYS = 90;
const DAY = 86_400_000;
/** Rounds of "collect, then follow the keys the collected events derived" before giving up. */
const MAX_ROUNDS = 5;

export interface CollectOptions {
  /** The compromised access keys (long-term or session). */
  keys: string[];
  /** The IAM user owning them, when known: LookupEvents by user name also finds console sign-ins. */
  userName?: string | undefined;
  /** The account the credential belongs to (trail bucket folders are per account). */
  account: string;
  /** Earliest time worth reading (e.g. the key's creation); clamped to LookupEvents' 90 days. */
  since?: Date | undefined;
}

export interface CollectResult {
  regions: string[];
  regionSource: string;
  window: { from: string; to: string };
  coverage: CoverageEntry[];
  /** Keys whose events were looked up (the subject's and every key derived from it). */
  keysFollowed: string[];
  lookupEvents: number;
  trails: string[];
  bucketObjects: number;
  /** Records now in the case's event store. */
  storedRecords: number;
  badRecords: number;
}

/**
 * The collection phase: LookupEvents in every enabled region for the subject (by user name or
 * key) and, round by round, for every key its events derived (AssumeRole, GetSessionToken,
 * GetFederationToken, CreateAccessKey); then the trail bucket of every trail for the same
 * window. Everything read is kept as evidence and loaded into the case's DuckDB store; the
 * coverage ledger (`coverage.json`) says per source and region what was read completely.
 */
export async function collectEvidence(ctx: CaseContext, options: CollectOptions): Promise<CollectResult> {
  const to = ctx.clock.now();
  const floor = to.getTime() - LOOKUP_DAYS * DAY;
  const from = new Date(Math.max(floor, (options.since?.getTime() ?? floor) - DAY));
  const window = { from, to };
  const regions = await enabledRegions(ctx.aws);
  const coverage: CoverageEntry[] = [];
  if (regions.source === 'fallback')
    coverage.push({
      source: 'region list',
      region: '*',
      from: null,
      to: null,
      state: 'partial',
      reason: `DescribeRegions failed (${regions.reason ?? '?'}); the default-enabled regions were read, opt-in regions were not`,
    });

  const store = await openEventStore(ctx.case.path(STORE_FILE));
  try {
    // The trail bucket first: when it holds the whole window, LookupEvents need not be asked for
    // every derived session in every region (2 requests/s per region make that slow).
    const bucket = await collectTrailBuckets(ctx, options.account, window);
    coverage.push(...bucket.coverage);
    let stored = 0;
    let bad = 0;
    if (bucket.objects.size) {
      const ingest = await ingestPaths(store, [ctx.case.path(EVIDENCE_DIR, BUCKET_DIR)], {
        sourceKind: 's3',
        sourceRef: (path) => sourceOf(ctx, bucket.objects, path),
        progress: ctx.progress,
      });
      stored += ingest.inserted;
      bad += ingest.badRecords;
    }
    if (!bucket.trails.length)
      coverage.push({
        source: 'trail bucket',
        region: '*',
        from: from.toISOString(),
        to: to.toISOString(),
        state: 'complete',
        reason:
          'no trail delivers to S3: LookupEvents (management events) is the only record; S3 data events were not logged',
      });

    const followed = new Set<string>(options.keys);
    const targets: LookupTarget[] = options.userName
      ? [{ attribute: 'Username', value: options.userName }]
      : [];
    for (const key of options.keys)
      if (!options.userName || key.startsWith('ASIA')) targets.push({ attribute: 'AccessKeyId', value: key });
    let lookupEvents = 0;
    let pending = targets;
    const asked = new Set(targets.map((t) => `${t.attribute}=${t.value}`));
    for (let round = 0; round < MAX_ROUNDS && pending.length; round++) {
      const r = await lookupEverywhere(ctx, regions.regions, pending, window);
      lookupEvents += r.events;
      const pages = ctx.case.path(EVIDENCE_DIR, LOOKUP_DIR);
      if (existsSync(pages)) {
        const ingest = await ingestPaths(store, [pages], {
          sourceKind: 'lookup-events',
          progress: ctx.progress,
        });
        stored += ingest.inserted;
        bad += ingest.badRecords;
      }
      const lineage = await lineageOf(store, options.keys);
      const derived = flatten(lineage.roots).filter((n) => !followed.has(n.key));
      for (const n of derived) followed.add(n.key);
      if (derived.length && bucket.wholeWindow && !(await loggingTamperedWith(store))) {
        coverage.push({
          source: `LookupEvents for ${derived.length} derived credential(s)`,
          region: '*',
          from: from.toISOString(),
          to: to.toISOString(),
          state: 'complete',
          reason:
            'not asked: a multi-region trail logged throughout the window and nobody stopped or narrowed it, so its bucket holds their events',
        });
        break;
      }
      pending = targetsFor(derived, options.account, asked);
      for (const t of pending) asked.add(`${t.attribute}=${t.value}`);
    }
    coverage.push(...previousCoverage(ctx));
    coverage.push(...(await otherAccounts(store, options.keys, options.account, window)));

    const result: CollectResult = {
      regions: regions.regions,
      regionSource: regions.source,
      window: { from: from.toISOString(), to: to.toISOString() },
      coverage,
      keysFollowed: [...followed],
      lookupEvents,
      trails: bucket.trails,
      bucketObjects: bucket.objects.size,
      storedRecords: await store.count(),
      badRecords: bad,
    };
    writeCoverage(ctx, coverage);
    ctx.case.record('collect.result', { ...result, coverage: undefined, inserted: stored });
    return result;
  } finally {
    store.close();
  }
}

function flatten(nodes: LineageNode[]): LineageNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/**
 * LookupEvents targets for derived credentials acting in our account. LookupEvents' Username is
 * the role session name, the federated user's name, or the IAM user (GetSessionToken sessions
 * and new keys act as the user): one query per name covers every session sharing it, which
 * matters at 2 requests/s per region when a key minted many sessions. Sessions acting in another
 * account are recorded there, not here.
 */
function targetsFor(nodes: LineageNode[], account: string, asked: Set<string>): LookupTarget[] {
  const out = new Map<string, LookupTarget>();
  for (const n of nodes) {
    if (n.account && n.account !== account) continue;
    const name = n.principal?.match(/:(?:assumed-role\/[^/]+|federated-user|user(?:\/.*)?)\/([^/]+)$/)?.[1];
    const t: LookupTarget = name
      ? { attribute: 'Username', value: name }
      : { attribute: 'AccessKeyId', value: n.key };
    const id = `${t.attribute}=${t.value}`;
    if (!asked.has(id)) out.set(id, t);
  }
  return [...out.values()];
}

/** Calls that stop a trail or change what it records (defense evasion): the bucket then has gaps. */
async function loggingTamperedWith(store: EventStore): Promise<boolean> {
  const rows = await store.query<{ n: number }>(
    `SELECT count(*) AS n FROM ${EVENTS_TABLE} WHERE eventsource = 'cloudtrail.amazonaws.com'
     AND eventname IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors', 'PutInsightSelectors')
     AND errorcode IS NULL`,
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

/** Derived sessions acting in other accounts: their calls are in those accounts' CloudTrail. */
async function otherAccounts(
  store: EventStore,
  keys: string[],
  account: string,
  window: { from: Date; to: Date },
): Promise<CoverageEntry[]> {
  const lineage = await lineageOf(store, keys);
  const accounts = new Set<string>();
  const walk = (nodes: typeof lineage.roots): void => {
    for (const n of nodes) {
      if (n.account && n.account !== account) accounts.add(n.account);
      walk(n.children);
    }
  };
  walk(lineage.roots);
  return [...accounts].map((a) => ({
    source: `account ${a}`,
    region: '*',
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    state: 'partial' as const,
    reason: `derived sessions acted in account ${a}; its CloudTrail was not collected (run tourniquet with credentials for that account)`,
  }));
}

function sourceOf(ctx: CaseContext, objects: Map<string, string>, path: string): string {
  const prefix = ctx.case.path(EVIDENCE_DIR) + '/';
  return objects.get(path.startsWith(prefix) ? path.slice(prefix.length) : path) ?? path;
}

/** The ledger at the case's top level (derived from the journal's checkpoints; rewritten per run). */
function writeCoverage(ctx: CaseContext, coverage: CoverageEntry[]): void {
  const file = ctx.case.path(COVERAGE_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify({ entries: coverage }, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}
