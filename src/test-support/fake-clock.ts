import type { Clock } from '../clock.js';

/** A clock that only moves when the test says so; sleepers wake in time order. */
export class FakeClock implements Clock {
  private time: number;
  private timers: { at: number; resolve: () => void }[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.time = start;
  }

  now(): Date {
    return new Date(this.time);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.time + Math.max(0, ms), resolve });
      this.timers.sort((a, b) => a.at - b.at);
    });
  }

  /** Advance time by `ms`, waking every sleeper due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flush();
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.time = next.at;
      next.resolve();
    }
    this.time = target;
    await flush();
  }

  /** Wake every sleeper, advancing as far as needed. */
  async runAll(): Promise<void> {
    for (let i = 0; i < 100_000; i++) {
      await flush();
      const next = this.timers.shift();
      if (!next) return;
      this.time = Math.max(this.time, next.at);
      next.resolve();
    }
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}
