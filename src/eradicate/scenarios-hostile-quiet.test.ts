import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSim } from '../sim/index.js';
import { checkBar, respondTo } from './test-support/bar.js';

// The scenarios are split over four files so that they run side by side.
describe(
  'respond --yes (scope → eradicate → recover) on every scenario, then the account read back',
  { timeout: 600_000 },
  () => {
    const sims: RunningSim[] = [];
    afterAll(async () => {
      for (const s of sims) await s.stop();
    });

    it('hostile-strings: names carrying markup and escapes are removed without reaching a path or a terminal', async () => {
      const p = await respondTo('hostile-strings');
      sims.push(p.sim);
      await checkBar(p);
      expect(p.manifest().every((f) => /^[\w./@+=,-]+$/.test(f))).toBe(true);
    });

    it('quiet: nothing to eradicate, nothing changed', async () => {
      const p = await respondTo('quiet');
      sims.push(p.sim);
      const second = await checkBar(p);
      expect(second.state).toBe('nothing-to-do');
      expect(existsSync(join(p.dir, 'evidence', 'plans', 'eradicate-1.json'))).toBe(false);
    });
  },
);
