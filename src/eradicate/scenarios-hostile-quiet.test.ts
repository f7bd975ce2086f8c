import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SCOPE_FILE } from '../scope/scope.js';
import type { ScopeJson } from '../scope/test-support/respond.js';
import { demoRuns, describeDemo } from '../cli/commands/test-support/demo.js';
import { checkBar, eradicationBar, fromDemo } from './test-support/bar.js';

// One `tourniquet demo` run per scenario feeds the demo's checks and the eradication bar.
const demos = demoRuns(['hostile-strings', 'quiet']);
for (const name of ['hostile-strings', 'quiet']) describeDemo(name, demos);

eradicationBar(() => {
  it('hostile-strings: names carrying markup and escapes are removed without reaching a path or a terminal', async () => {
    const p = await fromDemo(demos.get('hostile-strings'));
    await checkBar(p);
    expect(p.manifest().every((f) => /^[\w./@+=,-]+$/.test(f))).toBe(true);
  });

  it('quiet: scope finds nothing of the attacker’s, nothing to eradicate, nothing changed', async () => {
    const p = await fromDemo(demos.get('quiet'));
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
