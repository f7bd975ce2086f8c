import { describe, expect, it } from 'vitest';
import { licenceOk, runtimeLicences } from './licences.js';

describe('runtime dependency licences', () => {
  it('reads SPDX expressions: permissive ones pass, GPL-2.0-only and unknown ones do not', () => {
    expect(licenceOk('MIT')).toBe(true);
    expect(licenceOk('(MIT OR GPL-2.0-only)')).toBe(true);
    expect(licenceOk('MIT AND BSD-3-Clause')).toBe(true);
    expect(licenceOk('MIT AND GPL-2.0-only')).toBe(false);
    expect(licenceOk('GPL-2.0-only')).toBe(false);
    expect(licenceOk('SSPL-1.0')).toBe(false);
    expect(licenceOk('UNKNOWN')).toBe(false);
  });

  it('every package of the installed production tree has an AGPL-3.0-compatible licence', () => {
    const byLicence = runtimeLicences(process.cwd());
    const all = [...byLicence.values()].flat();
    // The AWS SDK alone brings dozens: an empty walk would pass the check below for nothing.
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((p) => p.startsWith('@duckdb/node-api@'))).toBe(true);
    const refused = [...byLicence].filter(([licence]) => !licenceOk(licence));
    expect(refused).toEqual([]);
  }, 60_000);
});
