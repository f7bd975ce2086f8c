import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../sim/scenarios/index.js';
import { main } from '../main.js';
import { demoRuns, describeDemo } from './test-support/demo.js';

// Every scenario's demo runs once in the suite, in the file that checks the most on it (CI is
// CPU-bound): the eradication bar's files (src/eradicate/scenarios-*.test.ts) and scope's
// (src/scope/scope.persistence.test.ts, scope.backdoors.test.ts) run `demoRuns([...])` for theirs
// and check the demo, the account it leaves and its scope on that one run; llmjacking, ses-spam,
// sms-pumping and s3-ransomware have their own files (demo.<name>.test.ts). A scenario none of
// them runs is run here, with the demo's checks.
const SRC = join(import.meta.dirname, '..', '..');

/** Test files under src/, with their text. */
function testFiles(dir = SRC): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') ? [{ path, text: readFileSync(path, 'utf8') }] : [];
  });
}

/** The scenarios each other test file runs the demo of: `demoRuns(['a', 'b'])`, `demoOnce('c')`. */
function demoCalls(): string[][] {
  return testFiles()
    .filter((f) => f.path !== import.meta.filename)
    .map(({ text }) => [
      ...[...text.matchAll(/demoRuns\(\[([^\]]*)\]\)/g)].flatMap((call) =>
        [...call[1]!.matchAll(/'([a-z0-9-]+)'/g)].map((q) => q[1]!),
      ),
      ...[...text.matchAll(/demoOnce\('([a-z0-9-]+)'\)/g)].map((q) => q[1]!),
    ]);
}

const elsewhere = new Set(demoCalls().flat());
const NAMES = listScenarios()
  .map((s) => s.name)
  .filter((n) => !elsewhere.has(n));

describe('the demo runs of the suite', () => {
  it('cover every scenario once: each is run by exactly one test file', () => {
    const counts = new Map<string, number>();
    for (const name of demoCalls().flat()) counts.set(name, (counts.get(name) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
    // Names the calls give are real scenarios (a typo would leave one without its demo).
    const known = new Set(listScenarios().map((s) => s.name));
    expect([...counts.keys()].filter((n) => !known.has(n))).toEqual([]);
    for (const name of listScenarios().map((s) => s.name))
      expect(elsewhere.has(name) || NAMES.includes(name), name).toBe(true);
  });
});

describe('the LookupEvents pace', () => {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    let err = '';
    const code = await main(args, {
      stdout: { write: () => undefined },
      stderr: { write: (s: string) => (err += s) },
      env: { TOURNIQUET_CASES: join(tmpdir(), 'tq-pace-none'), ...env },
      cwd: tmpdir(),
    });
    return { code, err };
  };

  it('demo --lookup-rate takes calls per second; anything else is refused in one line, exit 2, before anything starts', async () => {
    for (const bad of ['0', 'fast', '5000']) {
      const r = await run(['demo', '--lookup-rate', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.err, bad).toMatch(new RegExp(`--lookup-rate=${bad}: not a LookupEvents pace\\.`));
      expect(r.err, bad).toMatch(/AWS allows 2/);
    }
  });

  it('TOURNIQUET_LOOKUP_RATE that is not a pace is refused when the first AWS call is about to be made, exit 2', async () => {
    const r = await run(['triage', 'AKIAIOSFODNN7EXAMPLE', '--endpoint-url', 'http://127.0.0.1:9'], {
      TOURNIQUET_LOOKUP_RATE: 'quick',
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/TOURNIQUET_LOOKUP_RATE=quick: not a LookupEvents pace\./);
  });
});

if (NAMES.length > 0) {
  const demos = demoRuns(NAMES);
  for (const name of NAMES) describeDemo(name, demos);
}
