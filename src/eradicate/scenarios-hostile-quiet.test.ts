import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SCOPE_FILE } from '../scope/scope.js';
import type { ScopeJson } from '../scope/test-support/respond.js';
import { checkBar, eradicationBar, respondTo } from './test-support/bar.js';

eradicationBar(() => {
  it('hostile-strings: names carrying markup and escapes are removed without reaching a path or a terminal', async () => {
    const p = await respondTo('hostile-strings');
    await checkBar(p);
    expect(p.manifest().every((f) => /^[\w./@+=,-]+$/.test(f))).toBe(true);
  });

  it('quiet: scope finds nothing of the attacker’s, nothing to eradicate, nothing changed', async () => {
    const p = await respondTo('quiet');
    const second = await checkBar(p);
    expect(second.state).toBe('nothing-to-do');
    expect(existsSync(join(p.dir, 'evidence', 'plans', 'eradicate-1.json'))).toBe(false);
    // Scope, on the same run: no resource and no way in is the attacker's.
    const scope = JSON.parse(readFileSync(join(p.dir, SCOPE_FILE), 'utf8')) as ScopeJson;
    expect(scope.inventory.length).toBeGreaterThan(30);
    expect(scope.inventory.filter((i) => i.attribution?.origin === 'attacker')).toEqual([]);
    expect(scope.persistence.filter((i) => i.attribution === 'attacker')).toEqual([]);
    expect(scope.summary.persistence.attacker).toBe(0);
  });
});
