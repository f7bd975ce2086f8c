/**
 * The simulated account's time. Every timestamp the simulator writes (event times, create dates,
 * key last-used dates, trail deliveries) comes from here, so a scenario can lay down weeks of
 * history in seconds and a test can step over the 5-minute trail delivery interval.
 *
 * Two modes: *running* (virtual time advances with the wall clock from an anchor, the default for
 * an interactive `tourniquet sim`) and *frozen* (time moves only when told, for tests and
 * scenarios).
 */
export class SimClock {
  private virtualAtAnchor: number;
  private anchorReal: number;
  private frozen: boolean;
  private readonly realNow: () => number;

  constructor(options: { start?: Date | string | number; frozen?: boolean; realNow?: () => number } = {}) {
    this.realNow = options.realNow ?? Date.now;
    this.anchorReal = this.realNow();
    this.virtualAtAnchor = options.start === undefined ? this.anchorReal : new Date(options.start).getTime();
    this.frozen = options.frozen ?? false;
  }

  /** The current simulated time. */
  now(): Date {
    return new Date(this.nowMs());
  }

  /** The current simulated time in epoch milliseconds. */
  nowMs(): number {
    return this.frozen ? this.virtualAtAnchor : this.virtualAtAnchor + (this.realNow() - this.anchorReal);
  }

  /** Jump to a time (it may go backwards: scenarios rewind to lay down history). */
  set(time: Date | string | number): void {
    this.virtualAtAnchor = new Date(time).getTime();
    this.anchorReal = this.realNow();
  }

  /** Move forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.set(this.nowMs() + ms);
  }

  /** Stop following the wall clock (time then moves only with set/advance). */
  freeze(): void {
    this.set(this.nowMs());
    this.frozen = true;
  }

  /** Follow the wall clock again from the current simulated time. */
  resume(): void {
    this.set(this.nowMs());
    this.frozen = false;
  }

  /** Whether time only moves when told. */
  isFrozen(): boolean {
    return this.frozen;
  }
}

/** ISO-8601 UTC without milliseconds (`2024-07-30T21:53:13Z`), as CloudTrail and IAM write times. */
export function isoSeconds(time: Date | number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The Java-style date IAM and STS put in CloudTrail responseElements: `Jul 30, 2024 9:53:13 PM`
 * (aws-facts §7). STS writes a comma after the year (`Nov 30, 2024, 8:43:17 PM`).
 */
export function javaDate(time: Date | number, commaAfterYear = false): string {
  const d = new Date(time);
  const h = d.getUTCHours();
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  return (
    `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}${commaAfterYear ? ',' : ''} ` +
    `${hour12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`
  );
}
