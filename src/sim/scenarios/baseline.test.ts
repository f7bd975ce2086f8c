import { describe, expect, it } from 'vitest';
import { baselineSteps } from './baseline.js';
import type { Vars } from './types.js';

const DAY = 24 * 3_600_000;

describe('the owner baseline', () => {
  it('never starts a pipeline run part-way: every step run as a saved session follows the step that saves it', () => {
    // A baseline starts where the scenario's window does, any second of the day (the window is
    // counted back from the clock): slide it across a weekday and a weekend day, 10 s at a time.
    const monday = Date.UTC(2026, 10, 2);
    const saturday = Date.UTC(2026, 10, 7);
    const credentials = { Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T' } };
    let runs = 0;
    for (const day of [monday, saturday])
      for (let from = day; from < day + DAY; from += 10_000) {
        const steps = baselineSteps('seed', from, from + DAY).sort((a, b) => a.at - b.at);
        const vars: Vars = {};
        for (const step of steps) {
          if (!('op' in step)) continue;
          if (step.as) {
            expect(
              vars[step.as],
              `${step.op} at ${new Date(step.at).toISOString()}, window from ${new Date(from).toISOString()}`,
            ).toBeDefined();
            runs++;
          }
          step.save?.(credentials, vars);
        }
      }
    expect(runs).toBeGreaterThan(0);
  });
});
