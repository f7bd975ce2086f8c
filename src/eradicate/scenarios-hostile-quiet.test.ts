import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { checkBar, eradicationBar, respondTo } from './test-support/bar.js';

eradicationBar(() => {
  it('hostile-strings: names carrying markup and escapes are removed without reaching a path or a terminal', async () => {
    const p = await respondTo('hostile-strings');
    await checkBar(p);
    expect(p.manifest().every((f) => /^[\w./@+=,-]+$/.test(f))).toBe(true);
  });

  it('quiet: nothing to eradicate, nothing changed', async () => {
    const p = await respondTo('quiet');
    const second = await checkBar(p);
    expect(second.state).toBe('nothing-to-do');
    expect(existsSync(join(p.dir, 'evidence', 'plans', 'eradicate-1.json'))).toBe(false);
  });
});
