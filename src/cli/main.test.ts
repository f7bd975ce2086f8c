import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseFolder } from '../case/case.js';
import { systemClock } from '../clock.js';
import { COMMANDS } from './commands/index.js';
import { main } from './main.js';

function capture() {
  let out = '';
  let err = '';
  return {
    io: (cwd: string, env: NodeJS.ProcessEnv = {}) => ({
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      cwd,
    }),
    out: () => out,
    err: () => err,
  };
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tq-cli-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('tourniquet CLI', () => {
  it('--help lists exactly the registered commands and the global options', async () => {
    const c = capture();
    expect(await main(['--help'], c.io(root))).toBe(0);
    for (const cmd of COMMANDS) expect(c.out()).toContain(`  ${cmd.name}`);
    for (const flag of [
      '--case DIR',
      '--profile NAME',
      '--region REGION',
      '--endpoint-url URL',
      '--json',
      '--no-color',
      '--quiet',
    ]) {
      expect(c.out()).toContain(flag);
    }
    const listed = c.out().split('Commands:')[1]!.split('Global options:')[0]!.trim().split('\n');
    expect(listed).toHaveLength(COMMANDS.length);
  });

  it('case --help lists the case subcommands only', async () => {
    const c = capture();
    expect(await main(['case', '--help'], c.io(root))).toBe(0);
    expect(c.out()).toContain('case list');
    expect(c.out()).toContain('case show');
    expect(c.out()).toContain('case verify');
    expect(c.out()).toContain('Usage: tourniquet case <command>');
  });

  it('usage errors exit 2 with a one-line message', async () => {
    const c = capture();
    expect(await main(['case', 'verify', '--bogus'], c.io(root))).toBe(2);
    expect(c.err()).toMatch(/error: .*--bogus/);
  });

  it('case list, show and verify work on a real case folder; verify exits 1 naming the bad line', async () => {
    const dir = join(root, 'cases', 'one');
    const folder = CaseFolder.create(dir, {
      clock: systemClock,
      subject: { input: 'AKIAEXAMPLE', kind: 'access-key' },
    });
    folder.record('note', { text: 'hello' });
    folder.close();

    let c = capture();
    expect(await main(['case', 'list', '--json'], c.io(root))).toBe(0);
    const listed = JSON.parse(c.out()) as { cases: { dir: string; subject: { input: string } }[] };
    expect(listed.cases[0]!.subject.input).toBe('AKIAEXAMPLE');

    c = capture();
    expect(await main(['case', 'show'], c.io(root))).toBe(0);
    expect(c.out()).toContain('AKIAEXAMPLE (access-key)');

    c = capture();
    expect(await main(['case', 'verify', '--case', dir], c.io(root))).toBe(0);
    expect(c.out()).toMatch(/^OK: 2 journal lines/);

    const file = join(dir, 'journal.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('hello', 'HELLO'));
    c = capture();
    expect(await main(['case', 'verify', '--case', dir], c.io(root))).toBe(1);
    expect(c.out()).toContain('FAILED: journal.jsonl:2');
  });

  it('a missing case is a clear error, not a stack trace', async () => {
    const c = capture();
    expect(await main(['case', 'show', '--case', join(root, 'nope')], c.io(root))).toBe(1);
    expect(c.err()).toMatch(/is not a case folder/);
    expect(c.err()).not.toMatch(/at .*\.ts/);
  });

  it('escapes terminal control sequences from case data', async () => {
    const dir = join(root, 'cases', 'evil');
    const folder = CaseFolder.create(dir, {
      clock: systemClock,
      subject: { input: 'evil\u001b]0;pwned\u0007\u001b[31mred', kind: 'user' },
    });
    folder.close();
    const c = capture();
    await main(['case', 'list'], c.io(root));
    expect(c.out()).not.toContain('\u001b');
    expect(c.out()).not.toContain('\u0007');
  });
});
