import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './index.js';

/** Words after "tourniquet " that are prose, not commands (a user agent, a test fixture, a label). */
const NOT_COMMANDS = new Set(['user', 'with', 'test', 'plan']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('commands named in messages and reports', () => {
  it('exist: advice never sends a responder to a command Tourniquet does not have', () => {
    const names = new Set(COMMANDS.map((c) => c.name.split(' ')[0]));
    const unknown: string[] = [];
    const files = [...sources(join(process.cwd(), 'src')), join(process.cwd(), 'README.md')];
    for (const file of files) {
      for (const [, word] of readFileSync(file, 'utf8').matchAll(/\btourniquet ([a-z][a-z-]*)/g)) {
        if (!names.has(word) && !NOT_COMMANDS.has(word!)) unknown.push(`${file}: tourniquet ${word}`);
      }
    }
    expect(unknown).toEqual([]);
    expect(names.has('hunt')).toBe(true);
  });
});
