import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect } from 'vitest';
import { main } from '../cli/main.js';
import { TRUTH_FILE } from '../cli/commands/demo-run.js';
import type { Truth } from '../sim/scenarios/index.js';

/** One `tourniquet` run in this process: exit code, output, errors. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** A demo run shared by a test file's assertions (filled in by its `beforeAll`). */
export interface DemoOnce {
  root: string;
  dir: string;
  out: string;
  truth: Truth;
  /** Run another command against the same cases folder (`report --case DIR …`). */
  run(args: string[]): Promise<CliRun>;
}

/**
 * `tourniquet demo --scenario NAME` once for the whole file (in a `beforeAll`), as a person would
 * run it: CI's time budget allows one demo run per scenario.
 */
export function demoOnce(scenario: string): DemoOnce {
  const d = { root: '', dir: '', out: '', truth: undefined as unknown as Truth } as DemoOnce;
  d.run = async (args) => {
    let out = '';
    let err = '';
    const code = await main(args, {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: { TOURNIQUET_CASES: join(d.root, 'cases') },
      cwd: d.root,
    });
    return { code, out, err };
  };
  beforeAll(async () => {
    d.root = mkdtempSync(join(tmpdir(), `tq-${scenario}-`));
    d.dir = join(d.root, 'case');
    const demo = await d.run(['demo', '--scenario', scenario, '--out', d.dir]);
    expect(demo.code, demo.err).toBe(0);
    d.out = demo.out;
    d.truth = JSON.parse(readFileSync(join(d.dir, TRUTH_FILE), 'utf8')) as Truth;
  }, 600_000);
  return d;
}
