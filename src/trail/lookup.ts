import { CloudTrailClient, LookupEventsCommand, type LookupAttributeKey } from '@aws-sdk/client-cloudtrail';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { ClientPool } from '../aws/pool.js';
import type { CaseFolder } from '../case/case.js';
import { EVIDENCE_DIR } from '../case/case.js';
import type { Logger, Progress } from '../context.js';
import type { EventStore } from '../store/store.js';
import { messageOf } from '../errors.js';
import type { CoverageEntry } from './coverage.js';
import { ingestPaths } from './ingest.js';
import { addTrailEvidence } from './redact.js';
import { endsCollection, forEachBounded } from './workers.js';

/** Event history keeps 90 days of management events (CloudTrail User Guide, "Viewing events"). */
export const LOOKUP_HISTORY_MS = 90 * 86_400_000;
/** LookupEvents returns at most 50 events per page. */
const PAGE_SIZE = 50;
const CHECKPOINTS = 'collect_checkpoint';
/** Quiet scope ends written together (see QuietEnds). */
const QUIET_BATCH = 64;
const QUIET_FLUSH_MS = 500;
/** The ledger's name for this source. */
export const LOOKUP_SOURCE = 'LookupEvents';

/** What LookupEvents is asked for: one attribute per call (the API takes only one). */
export interface LookupTarget {
  key: Extract<LookupAttributeKey, 'AccessKeyId' | 'Username'>;
  value: string;
  /** Asked in another account (through its pool): the ledger and checkpoints name it. */
  account?: string | undefined;
}

/** One LookupEvents query: a target in a region. */
export interface LookupScope extends LookupTarget {
  region: string;
}

/** A target as the ledger names it: `AccessKeyId=AKIA…`, `Username=alice`, `account 2222… Username=x`. */
export const scopeName = (t: LookupTarget): string =>
  `${t.account ? `account ${t.account} ` : ''}${t.key}=${t.value}`;

export interface LookupCollection {
  pool: ClientPool;
  store: EventStore;
  caseFolder: CaseFolder;
  regions: string[];
  targets: LookupTarget[];
  /** Window asked for (ISO); an unfinished checkpoint of the same scope keeps its own window. */
  since: string;
  until: string;
  now: Date;
  log: Logger;
  progress?: Progress | undefined;
  /** Regions queried at once (default all: each region has its own 2 requests/s in the client pool). */
  concurrency?: number;
  /** Stop between pages when aborted (Ctrl-C, tests); what was fetched stays, the rest resumes. */
  signal?: AbortSignal | undefined;
  /** Called after each stored page with its number of events. */
  onPage?: ((scope: LookupScope, page: number, events: number) => void) | undefined;
}

interface Checkpoint {
  region: string;
  scope: string;
  /** Start of the time covered by this scope (across runs). */
  from: string;
  /** End of the window: covered through here once `done`. */
  to: string;
  /** Start of the current query (`from`, or the previous `to` for a run that extends it). */
  qfrom: string;
  /** When the current query began: its first page saw the 90 days before this. */
  started: string;
  token: string | null;
  pages: number;
  records: number;
  done: boolean;
}

/** The result: one coverage line per scope, and whether the run stopped early. */
export interface LookupResult {
  coverage: CoverageEntry[];
  interrupted: boolean;
  records: number;
}

/**
 * Collect the targets' events with LookupEvents in every given region (global-service events
 * such as IAM and STS are recorded in us-east-1, so it is always included), paged to the end.
 * Regions run in parallel, a region's targets one after another (the client pool paces each
 * region at 2 requests/s). Each page is kept as evidence (sha256 in the manifest), loaded into
 * the store and checkpointed in the store, so an interrupted collection resumes from the next
 * page; event ids keep the store free of duplicates either way. Every scope that ends in this
 * run leaves a `collect.lookup` journal line.
 */
export async function collectLookupEvents(options: LookupCollection): Promise<LookupResult> {
  await options.store.run(`CREATE TABLE IF NOT EXISTS ${CHECKPOINTS} (
    region VARCHAR NOT NULL, scope VARCHAR NOT NULL, "from" VARCHAR NOT NULL, "to" VARCHAR NOT NULL,
    qfrom VARCHAR NOT NULL, started VARCHAR NOT NULL, token VARCHAR, pages INTEGER NOT NULL, records BIGINT NOT NULL, done BOOLEAN NOT NULL,
    PRIMARY KEY (region, scope))`);
  const regions = [...new Set(['us-east-1', ...options.regions])].sort();
  const task = options.progress?.start('LookupEvents', regions.length * options.targets.length);
  const result: LookupResult = { coverage: [], interrupted: false, records: 0 };
  // Page writes go one at a time: one DuckDB connection, one journal.
  let persist: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = persist.then(work);
    persist = next.catch(() => undefined);
    return next;
  };
  // Every saved checkpoint, read once (this run is the case's only writer: the case lock).
  const saved = new Map(
    (await options.store.query<Checkpoint>(`SELECT * FROM ${CHECKPOINTS}`)).map((c) => [
      `${c.region} ${c.scope}`,
      c,
    ]),
  );
  const quiet = new QuietEnds(options, serial);
  try {
    await forEachBounded(regions, options.concurrency ?? regions.length, async (region, stop) => {
      for (const target of options.targets) {
        if (stop.aborted) return;
        const scope = { region, ...target };
        const from = saved.get(`${region} ${scopeName(scope)}`);
        result.coverage.push(await collectScope(options, scope, from, serial, quiet, result, stop));
        task?.tick(1, `${region} ${target.key}`);
      }
    });
  } catch (error) {
    await quiet.flush().catch(() => undefined);
    throw error;
  }
  await quiet.flush();
  task?.done(
    `${result.records} events from ${regions.length * options.targets.length} region/attribute queries`,
  );
  result.coverage.sort((a, b) => a.region.localeCompare(b.region) || a.scope.localeCompare(b.scope));
  return result;
}

/** Write one or more checkpoints (one statement). */
async function saveCheckpoints(store: EventStore, cps: Checkpoint[]): Promise<void> {
  if (cps.length === 0) return;
  const row = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  await store.run(
    `INSERT OR REPLACE INTO ${CHECKPOINTS} VALUES ${cps.map(() => row).join(', ')}`,
    cps.flatMap((cp) => [
      cp.region,
      cp.scope,
      cp.from,
      cp.to,
      cp.qfrom,
      cp.started,
      cp.token,
      cp.pages,
      cp.records,
      cp.done,
    ]),
  );
}

/**
 * Scopes whose last page came back empty (most of them: a key is used in few of the 17 regions)
 * end in batches: their checkpoints in one statement, their journal lines with one fsync, at most
 * QUIET_FLUSH_MS after the first of them. A batch cut short by a crash only means those scopes are
 * asked again on resume (event ids keep the store free of duplicates); nothing read is lost, since
 * a page with events is stored and checkpointed at once.
 */
class QuietEnds {
  private checkpoints: Checkpoint[] = [];
  private lines: { kind: string; data: unknown }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: LookupCollection,
    private readonly serial: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  add(cp: Checkpoint, line: { kind: string; data: unknown }): void {
    this.checkpoints.push(cp);
    this.lines.push(line);
    if (this.checkpoints.length >= QUIET_BATCH) void this.flushLater();
    else this.timer ??= setTimeout(() => void this.flushLater(), QUIET_FLUSH_MS);
  }

  /** A flush nobody awaits: a failure only means those scopes are asked again on resume. */
  private async flushLater(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.o.log.warn(
        `LookupEvents: could not checkpoint finished queries (${messageOf(error)}); a resumed collection asks them again.`,
      );
    }
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const checkpoints = this.checkpoints.splice(0);
    const lines = this.lines.splice(0);
    return this.serial(async () => {
      await saveCheckpoints(this.o.store, checkpoints);
      if (lines.length > 0) this.o.caseFolder.recordMany(lines);
    });
  }
}

async function collectScope(
  o: LookupCollection,
  scope: LookupScope,
  saved: Checkpoint | undefined,
  serial: <T>(work: () => Promise<T>) => Promise<T>,
  quiet: QuietEnds,
  result: LookupResult,
  stop: AbortSignal,
): Promise<CoverageEntry> {
  const name = scopeName(scope);
  let cp = startingPoint(saved, scope.region, name, o.since, o.until, o.now.toISOString());
  const line = (status: CoverageEntry['status'], reason: string | null): CoverageEntry => {
    const historyStart = new Date(Date.parse(cp.started) - LOOKUP_HISTORY_MS).toISOString();
    const tooOld = cp.qfrom < historyStart;
    const why = tooOld
      ? `LookupEvents keeps 90 days: events before ${historyStart} need the trail bucket`
      : null;
    return {
      source: LOOKUP_SOURCE,
      region: scope.region,
      scope: name,
      from: tooOld ? historyStart : cp.from,
      to: cp.to,
      status: status === 'complete' && tooOld ? 'partial' : status,
      reason: [reason, why].filter(Boolean).join('; ') || null,
      records: cp.records,
    };
  };
  // The scope's end in this run, journalled: the responder sees each region finish.
  const endLine = (entry: CoverageEntry) => ({
    kind: 'collect.lookup',
    data: {
      region: scope.region,
      attribute: scope.key,
      value: scope.value,
      ...(scope.account ? { account: scope.account } : {}),
      status: entry.status,
      reason: entry.reason,
      pages: cp.pages,
      records: cp.records,
    },
  });
  const ended = (entry: CoverageEntry): CoverageEntry => {
    const { kind, data } = endLine(entry);
    o.caseFolder.record(kind, data);
    return entry;
  };
  if (cp.done) return line('complete', null);
  const client = o.pool.get(CloudTrailClient, scope.region);
  for (;;) {
    if (o.signal?.aborted || stop.aborted) {
      result.interrupted ||= o.signal?.aborted ?? false;
      return line('partial', `interrupted after ${cp.pages} pages: run the collection again to resume`);
    }
    let page;
    try {
      page = await client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: scope.key, AttributeValue: scope.value }],
          StartTime: new Date(cp.qfrom),
          EndTime: new Date(cp.to),
          MaxResults: PAGE_SIZE,
          NextToken: cp.token ?? undefined,
        }),
        // When another region's failure ends the run, a request waiting in its retries ends too.
        { abortSignal: stop },
      );
    } catch (error) {
      if (stop.aborted)
        return line('partial', `interrupted after ${cp.pages} pages: run the collection again to resume`);
      const e = classifyAwsError(error);
      if (endsCollection(e)) throw error;
      if (e.code === 'InvalidNextTokenException' && cp.token) {
        // The token outlived its query (AWS expires them); start the scope again, ids dedupe.
        o.log.warn(`${scope.region}: LookupEvents refused the saved NextToken; starting ${name} again.`);
        cp = { ...cp, token: null, pages: 0 };
        continue;
      }
      o.log.warn(`${scope.region}: LookupEvents ${name}: ${describeAwsError(e)}`);
      // What was read stays; the ledger says what is missing and why.
      const kind = e.kind === 'denied' || e.kind === 'throttled' ? 'partial' : 'failed';
      return ended(line(kind, describeAwsError(e)));
    }
    const events = page.Events ?? [];
    const next = page.NextToken ?? null;
    const pageNo = cp.pages + 1;
    if (events.length === 0 && next === null) {
      cp = { ...cp, token: null, pages: pageNo, done: true };
      const entry = line('complete', null);
      quiet.add(cp, endLine(entry));
      o.onPage?.(scope, pageNo, 0);
      return entry;
    }
    await serial(async () => {
      if (events.length > 0) {
        const stamp = cp.qfrom.replace(/[-:]/g, '').replace(/\.\d+/, '');
        const relative = `cloudtrail/lookup-events/${scope.region}/${scope.key}-${safeName(scope.value)}/${stamp}/page-${String(pageNo).padStart(5, '0')}.json`;
        const evidence = await addTrailEvidence(
          o.caseFolder,
          relative,
          JSON.stringify({ Events: events }),
          `LookupEvents ${scope.region} ${name} page ${pageNo}`,
        );
        const loaded = await ingestPaths(o.store, [o.caseFolder.path(EVIDENCE_DIR, evidence.path)], {
          sourceKind: 'lookup-events',
          sourceRef: () => `evidence/${evidence.path}`,
        });
        result.records += loaded.records;
      }
      cp = { ...cp, token: next, pages: pageNo, records: cp.records + events.length, done: next === null };
      await saveCheckpoints(o.store, [cp]);
    });
    o.onPage?.(scope, pageNo, events.length);
    if (cp.done) return ended(line('complete', null));
  }
}

/**
 * Where a scope's query starts: an unfinished run resumes with its own window and NextToken (a
 * token is only valid for the query it came from); a finished one is extended from where it
 * ended when the window reaches further (a later run of `collect` fetches only what is new); a
 * window starting earlier than what was covered starts again (event ids prevent duplicates).
 */
function startingPoint(
  saved: Checkpoint | undefined,
  region: string,
  scope: string,
  since: string,
  until: string,
  now: string,
): Checkpoint {
  const fresh = {
    region,
    scope,
    from: since,
    to: until,
    qfrom: since,
    started: now,
    token: null,
    pages: 0,
    records: 0,
    done: false,
  };
  if (!saved) return fresh;
  if (!saved.done) return saved;
  if (Date.parse(since) < Date.parse(saved.from)) return fresh;
  if (Date.parse(until) <= Date.parse(saved.to)) return saved;
  return { ...saved, qfrom: saved.to, to: until, started: now, token: null, pages: 0, done: false };
}

/** An attribute value as a path segment (user names may hold `+=,.@`). */
function safeName(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@+=,-]/g, '_');
}
