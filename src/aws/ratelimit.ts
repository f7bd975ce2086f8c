import { UsageError } from '../errors.js';
import type { Clock } from '../clock.js';

/** Requests per second for an (operation, region) pair; undefined = no limit. */
export type RateRule = (operation: string, region: string) => number | undefined;

/** AWS's LookupEvents quota (calls per second per account and region). */
export const LOOKUP_EVENTS_RATE = 2;

/**
 * The rates with LookupEvents paced at `perSecond`: for a simulated account that allows more
 * (`tourniquet demo --lookup-rate`, `TOURNIQUET_LOOKUP_RATE`); AWS itself allows 2.
 */
export function lookupEventsAt(perSecond: number): RateRule {
  return (operation) => (operation === 'LookupEvents' ? perSecond : undefined);
}

/**
 * AWS's documented per-region API rates that we keep below on purpose, so the adaptive retry
 * rarely needs to back off: LookupEvents at its quota.
 */
export const DEFAULT_RATES: RateRule = lookupEventsAt(LOOKUP_EVENTS_RATE);

/**
 * The LookupEvents pace a setting names (`TOURNIQUET_LOOKUP_RATE`, `--lookup-rate`): a number of
 * calls per second from 0.1 to 1000, else an error naming the setting.
 */
export function parseLookupRate(value: string, name: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n >= 0.1 && n <= 1000))
    throw new UsageError(
      `${name}=${value}: not a LookupEvents pace.`,
      'Give calls per second per region, from 0.1 to 1000; AWS allows 2, raise it only for a simulated account.',
    );
  return n;
}

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

/** The pool's rates a command's environment asks for (`TOURNIQUET_LOOKUP_RATE`), if any. */
export function ratesFromEnv(env: Readonly<Record<string, string | undefined>>): { rates?: RateRule } {
  const pace = env.TOURNIQUET_LOOKUP_RATE;
  // A simulated account may allow LookupEvents faster than AWS's 2 calls per second.
  return pace ? { rates: lookupEventsAt(parseLookupRate(pace, 'TOURNIQUET_LOOKUP_RATE')) } : {};
}
