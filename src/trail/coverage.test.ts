import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseFolder } from '../case/case.js';
import { readCoverage } from '../report/case-inputs.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { COVERAGE_FILE, readLedger, recordCoverage, type CoverageEntry } from './coverage.js';

let root: string;
let folder: CaseFolder;
const clock = new FakeClock(Date.parse('2026-11-28T12:00:00Z'));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tq-ledger-'));
  folder = CaseFolder.create(join(root, 'case'), { clock, subject: { input: 'x', kind: 'unknown' } });
});
afterEach(() => {
  folder.close();
  rmSync(root, { recursive: true, force: true });
});

const line = (
  region: string,
  status: CoverageEntry['status'],
  reason: string | null = null,
): CoverageEntry => ({
  source: 'LookupEvents',
  region,
  scope: 'AccessKeyId=AKIAEXAMPLE',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-11-28T12:00:00.000Z',
  status,
  reason,
  records: 4,
});

describe('the coverage ledger (coverage.json)', () => {
  it('keeps one line per source, region and scope: a later run replaces what an earlier one said', () => {
    recordCoverage(
      folder,
      [line('eu-west-1', 'partial', 'interrupted'), line('us-east-1', 'complete')],
      clock.now(),
    );
    const { ledger, sha256 } = recordCoverage(folder, [line('eu-west-1', 'complete')], clock.now());
    expect(ledger.map((e) => `${e.region} ${e.status}`)).toEqual([
      'eu-west-1 complete',
      'us-east-1 complete',
    ]);
    expect(readLedger(folder.dir)).toEqual(ledger);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('drops the lines a later run made untrue', () => {
    const fallback = { ...line('*', 'partial', 'DescribeRegions refused'), source: 'region list' };
    recordCoverage(folder, [fallback, line('us-east-1', 'complete')], clock.now());
    const { ledger } = recordCoverage(folder, [], clock.now(), (e) => e.source === 'region list');
    expect(ledger.map((e) => e.source)).toEqual(['LookupEvents']);
  });

  it('refuses to overwrite a ledger it cannot read, naming the file', () => {
    const file = join(folder.dir, COVERAGE_FILE);
    writeFileSync(file, '{"entries": [ {"truncated');
    expect(() => recordCoverage(folder, [line('us-east-1', 'complete')], clock.now())).toThrow(
      expect.objectContaining({
        code: 'COVERAGE_UNREADABLE',
        message: expect.stringContaining(file) as string,
      }),
    );
    expect(readFileSync(file, 'utf8')).toBe('{"entries": [ {"truncated');
  });

  it('is what the report reads, status as state; a ledger from before the unified collector still reads', () => {
    recordCoverage(folder, [line('eu-west-1', 'partial', 'AccessDenied')], clock.now());
    expect(readCoverage(folder.dir)).toEqual([
      {
        source: 'LookupEvents',
        region: 'eu-west-1',
        scope: 'AccessKeyId=AKIAEXAMPLE',
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-11-28T12:00:00.000Z',
        state: 'partial',
        reason: 'AccessDenied',
        records: 4,
      },
    ]);
    const legacy = {
      source: 'LookupEvents Username=bob',
      region: 'us-east-1',
      from: null,
      to: null,
      state: 'complete',
      reason: null,
    };
    writeFileSync(join(folder.dir, COVERAGE_FILE), JSON.stringify({ entries: [legacy] }));
    expect(readCoverage(folder.dir)).toEqual([{ ...legacy, scope: null, records: null }]);
  });
});
