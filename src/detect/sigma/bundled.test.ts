import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { gateOf } from '../sql.js';
import { BUNDLED_SIGMA_DIR, bundledSigma } from './bundled.js';
import { loadSigmaRules } from './load.js';

describe('the bundled Sigma rules, shipped compiled', () => {
  it('are what compiling data/sigma gives now (after changing either, run npm run build:sigma)', () => {
    const fresh = JSON.parse(JSON.stringify(loadSigmaRules(BUNDLED_SIGMA_DIR))) as unknown;
    expect(bundledSigma()).toStrictEqual(fresh);
    expect(bundledSigma().rules.length).toBeGreaterThan(50);
  });

  it('need the APIs a fresh compile says they need, in a process that compiled nothing', async () => {
    const fresh = loadSigmaRules(BUNDLED_SIGMA_DIR).rules.map((r) => [r.id, gateOf(r.where)]);
    expect(fresh.filter(([, gate]) => gate !== null).length).toBeGreaterThan(40);
    // The gates are kept by predicate text in a module-wide map: this process has compiled the
    // rules, so the bundle is read in a fresh one.
    const script = `import { bundledSigma } from './src/detect/sigma/bundled.ts';
      import { gateOf } from './src/detect/sql.ts';
      console.log(JSON.stringify(bundledSigma().rules.map((r) => [r.id, gateOf(r.where)])));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: new URL('../../..', import.meta.url) },
    );
    expect(JSON.parse(stdout)).toStrictEqual(JSON.parse(JSON.stringify(fresh)));
  });
});
