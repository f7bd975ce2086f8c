import { createHash } from 'node:crypto';
import type { Ec2Deps } from './model.js';

/** Deterministic deps for unit tests: a settable clock and counter-based hex. */
export function testDeps(start = '2026-05-01T12:00:00Z'): Ec2Deps & { advance(ms: number): void } {
  let now = Date.parse(start);
  let counter = 0;
  return {
    now: () => new Date(now),
    hex: (length) => {
      let out = '';
      while (out.length < length) out += createHash('sha256').update(String(counter++)).digest('hex');
      return out.slice(0, length);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
