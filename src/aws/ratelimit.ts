import type { Clock } from '../clock.js';

/** Requests per second for an (operation, region) pair; undefined = no limit. */
export type RateRule = (operation: string, region: string) => number | undefined;

/**
 * AWS's documented per-region API rates that we keep below on purpose, so the adaptive retry
 * rarely needs to back off. LookupEvents: 2 requests/s per account per region.
 */
export const DEFAULT_RATES: RateRule = (operation) => (operation === 'LookupEvents' ? 2 : undefined);

/**
 * Spaces calls per (operation, region): each key has its own schedule, so one throttled region
 * never delays another.
 */
export class RateLimiter {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly rule: RateRule = DEFAULT_RATES,
  ) {}

  /** Wait until a call to `operation` in `region` may start. */
  async acquire(operation: string, region: string): Promise<void> {
    const perSecond = this.rule(operation, region);
    if (perSecond === undefined || perSecond <= 0) return;
    const interval = 1000 / perSecond;
    const key = `${operation}\u0000${region}`;
    const now = this.clock.now().getTime();
    const slot = Math.max(now, this.next.get(key) ?? now);
    this.next.set(key, slot + interval);
    if (slot > now) await this.clock.sleep(slot - now);
  }
}
