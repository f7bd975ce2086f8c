import { describe, expect, it } from 'vitest';
import { FakeClock } from '../test-support/fake-clock.js';
import { RateLimiter } from './ratelimit.js';

describe('RateLimiter', () => {
  it('spaces LookupEvents at 2/s per region while other regions proceed in parallel', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock);
    const start = clock.now().getTime();
    const starts: Record<string, number[]> = { 'us-east-1': [], 'eu-west-1': [] };
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      for (const region of Object.keys(starts)) {
        calls.push(
          limiter
            .acquire('LookupEvents', region)
            .then(() => void starts[region]!.push(clock.now().getTime() - start)),
        );
      }
    }
    await clock.runAll();
    await Promise.all(calls);
    expect(starts['us-east-1']).toEqual([0, 500, 1000, 1500, 2000]);
    expect(starts['eu-west-1']).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('never lets more than two calls start in any one-second window of a region', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock);
    const times: number[] = [];
    const calls = Array.from({ length: 9 }, () =>
      limiter.acquire('LookupEvents', 'ap-south-1').then(() => void times.push(clock.now().getTime())),
    );
    await clock.runAll();
    await Promise.all(calls);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(2);
  });

  it('does not delay operations without a rule', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock);
    const t0 = clock.now().getTime();
    for (let i = 0; i < 50; i++) await limiter.acquire('ListUsers', 'us-east-1');
    expect(clock.now().getTime()).toBe(t0);
  });

  it('resumes spacing from now after an idle period', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock);
    await limiter.acquire('LookupEvents', 'us-east-1');
    await clock.advance(10_000);
    const before = clock.now().getTime();
    await limiter.acquire('LookupEvents', 'us-east-1');
    expect(clock.now().getTime()).toBe(before);
  });
});
