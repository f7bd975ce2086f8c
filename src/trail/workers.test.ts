import { afterEach, describe, expect, it } from 'vitest';
import { forEachBounded } from './workers.js';

const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.name);
afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

describe('forEachBounded', () => {
  it('lets every worker listen on the stop signal without a MaxListenersExceededWarning (17 regions at once)', async () => {
    process.on('warning', onWarning);
    const seen: string[] = [];
    const regions = Array.from({ length: 17 }, (_, i) => `region-${i}`);
    await forEachBounded(regions, regions.length, async (region, stop) => {
      // What an SDK request does while it waits: listen for the abort, stop listening when done.
      const onAbort = () => undefined;
      stop.addEventListener('abort', onAbort);
      await new Promise((resolve) => setImmediate(resolve));
      stop.removeEventListener('abort', onAbort);
      seen.push(region);
    });
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.sort()).toEqual([...regions].sort());
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('stops the other workers on the first error and rethrows it', async () => {
    const done: number[] = [];
    await expect(
      forEachBounded([1, 2, 3, 4], 1, async (n) => {
        if (n === 2) throw new Error('region 2 failed');
        done.push(n);
        await Promise.resolve();
      }),
    ).rejects.toThrow('region 2 failed');
    expect(done).toEqual([1]);
  });
});
