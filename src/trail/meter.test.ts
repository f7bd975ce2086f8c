import { describe, expect, it } from 'vitest';
import { Meter } from './meter.js';

describe('progress meter', () => {
  it('shows bytes and records per second and the time left', () => {
    let now = 0;
    const meter = new Meter(1_000_000_000, 'rate', () => now);
    now = 2000;
    expect(meter.add(400_000_000, 300_000)).toBe('200 MB/s · 150,000 rec/s · ETA 0:03');
    now = 5000;
    expect(meter.add(600_000_000, 450_000)).toBe('200 MB/s · 150,000 rec/s');
  });

  it("shows a hunt's records as the matches found so far", () => {
    let now = 0;
    const meter = new Meter(300_000_000, 'found', () => now);
    now = 1000;
    expect(meter.add(100_000_000, 1946)).toBe('100 MB/s · 1,946 found · ETA 0:02');
    expect(meter.add(0, 1_234_567 - 1946)).toBe('100 MB/s · 1,234,567 found · ETA 0:02');
    expect(meter.add(0, -1_234_567)).toBe('100 MB/s · 0 found · ETA 0:02');
  });
});
