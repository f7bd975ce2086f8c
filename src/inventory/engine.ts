import pLimit from 'p-limit';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { ClientPool } from '../aws/pool.js';
import type { Logger, Progress } from '../context.js';
import type { InventoryCoverage, InventoryItem, ListContext, ListerDef } from './types.js';

export interface InventoryOptions {
  pool: ClientPool;
  account: string;
  /** The enabled regions to read (regional listers run in each). */
  regions: string[];
  /** Regions known to be disabled (opt-in not done): skipped, and said so. */
  disabledRegions?: string[];
  listers: readonly ListerDef[];
  log: Logger;
  progress: Progress;
  /**
   * Calls in flight at once, all services and regions together (default 32). The scope of a
   * thousand resources is mostly per-item reads; at ~100 ms a call from a laptop to a far
   * region, 32 at a time keeps it well under half a minute without tripping AWS's request rates
   * (the pool's adaptive retries absorb the occasional throttle).
   */
  concurrency?: number;
}

export interface InventoryResult {
  items: InventoryItem[];
  coverage: InventoryCoverage[];
}

/**
 * Read the live account: every lister in every enabled region (global ones once), each AWS call
 * bounded to `concurrency` in flight. A call that is refused (AccessDenied) or throttled past the
 * pool's retries marks what it read "not checked" in that region and the reading goes on; any
 * other AWS error marks it failed; rejected credentials stop everything (nothing else would work
 * either).
 */
export async function readInventory(options: InventoryOptions): Promise<InventoryResult> {
  const { pool, account, listers } = options;
  const limit = pLimit(options.concurrency ?? 32);
  const items: InventoryItem[] = [];
  const coverage: InventoryCoverage[] = [];
  const runs = listers.flatMap((lister) =>
    (lister.scope === 'global' ? [lister.homeRegion ?? pool.defaultRegion] : options.regions).map(
      (region) => ({
        lister,
        region,
      }),
    ),
  );
  const task = options.progress.start('Reading the account', runs.length);

  // One line per disabled region for all regional listers: nothing of any service runs there.
  if (listers.some((l) => l.scope === 'regional')) {
    for (const region of options.disabledRegions ?? []) {
      coverage.push({
        service: '*',
        lister: 'every regional service',
        region,
        status: 'skipped',
        items: 0,
        reason: 'region not enabled for the account (opt-in region): nothing can run there',
      });
    }
  }

  await Promise.all(
    runs.map(async ({ lister, region }) => {
      const gaps: InventoryCoverage[] = [];
      const ctx: ListContext = {
        pool,
        account,
        region,
        read: async (what, call) => {
          const outcome = await limit(() => guarded(call));
          if (outcome.ok) return outcome.value;
          if (!gaps.some((g) => g.lister === `${lister.id}:${what}`)) {
            gaps.push({
              service: lister.service,
              lister: `${lister.id}:${what}`,
              region,
              items: 0,
              ...outcome.gap,
            });
          }
          options.log.debug(`inventory: ${lister.id} ${what} in ${region}: ${outcome.gap.reason}`);
          return undefined;
        },
      };
      const found = await lister.list(ctx);
      items.push(...found);
      coverage.push(...gaps);
      coverage.push({
        service: lister.service,
        lister: lister.id,
        region,
        status: 'complete',
        items: found.length,
      });
      task.tick(1, `${lister.id} ${region}`);
    }),
  );
  task.done(`${items.length} resources`);
  items.sort(
    (a, b) => a.type.localeCompare(b.type) || a.region.localeCompare(b.region) || a.id.localeCompare(b.id),
  );
  coverage.sort(
    (a, b) =>
      a.lister.localeCompare(b.lister) ||
      a.region.localeCompare(b.region) ||
      a.status.localeCompare(b.status),
  );
  return { items, coverage: settle(coverage) };
}

/**
 * A lister whose own calls (not only its per-item reads) failed did not read the region: its
 * `complete` line is replaced by the gap's state.
 */
function settle(coverage: InventoryCoverage[]): InventoryCoverage[] {
  return coverage.filter(
    (c) =>
      c.status !== 'complete' ||
      !coverage.some(
        (g) => g.region === c.region && g.status !== 'complete' && g.lister === `${c.lister}:list`,
      ),
  );
}

type Guarded<T> =
  { ok: true; value: T | null } | { ok: false; gap: { status: 'not-checked' | 'failed'; reason: string } };

/**
 * One AWS read with its outcome as data (STYLE.md: expected outcomes are data): absent → null;
 * refused or throttled → not checked; any other AWS answer → failed with its reason; rejected
 * credentials and bugs are raised.
 */
async function guarded<T>(read: () => Promise<T>): Promise<Guarded<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    const c = classifyAwsError(error);
    if (c.credentialsRejected) throw error;
    if (c.kind === 'absent') return { ok: true, value: null };
    if (c.kind === 'denied' || c.kind === 'throttled')
      return { ok: false, gap: { status: 'not-checked', reason: describeAwsError(c) } };
    if (c.kind === 'other' && c.httpStatus === undefined && !c.network) throw error;
    return { ok: false, gap: { status: 'failed', reason: describeAwsError(c) } };
  }
}
