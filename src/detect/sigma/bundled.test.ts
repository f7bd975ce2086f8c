import { describe, expect, it } from 'vitest';
import { BUNDLED_SIGMA_DIR, bundledSigma } from './bundled.js';
import { loadSigmaRules } from './load.js';

describe('the bundled Sigma rules, shipped compiled', () => {
  it('are what compiling data/sigma gives now (after changing either, run npm run build:sigma)', () => {
    const fresh = JSON.parse(JSON.stringify(loadSigmaRules(BUNDLED_SIGMA_DIR))) as unknown;
    expect(bundledSigma()).toStrictEqual(fresh);
    expect(bundledSigma().rules.length).toBeGreaterThan(50);
  });
});
