import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { defineCommand } from './spec.js';
import { COMMANDS } from './commands/index.js';
import { systemClock } from '../clock.js';
import { CaseFolder, readCaseFile } from '../case/case.js';
import { hashOf, type JournalEntry } from '../case/journal.js';

let root: string;
let dir: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-anchor-'));
  dir = join(root, 'case');
  const c = CaseFolder.create(dir, { clock: systemClock, subject: { input: 'alice', kind: 'user' } });
  c.record('contain.plan', { steps: ['deactivate AKIAEXAMPLE'] });
  c.record('contain.applied', { steps: ['deactivate AKIAEXAMPLE'] });
  await c.addEvidence('iam/user.json', '{"UserName":"alice"}', 'iam:GetUser');
  c.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(argv: string[], commands = COMMANDS): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    cwd: root,
  };
  const code = await main(argv, io, commands);
  return { code, out, err };
}

/**
 * What someone with write access to the folder can do: rewrite history from a line on (here:
 * the containment never applied), recompute every hash after it, and update case.json to match.
 */
function rewriteJournal(caseDir: string): void {
  const file = join(caseDir, 'journal.jsonl');
  const entries = readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalEntry);
  const applied = entries.findIndex((e) => e.kind === 'contain.applied');
  let prev = entries[applied - 1]!.hash;
  for (const e of entries.slice(applied)) {
    if (e.kind === 'contain.applied') e.data = { steps: [], note: 'declined by the responder' };
    e.prev = prev;
    e.hash = hashOf(e);
    prev = e.hash;
  }
  writeFileSync(file, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const caseFile = join(caseDir, 'case.json');
  const info = JSON.parse(readFileSync(caseFile, 'utf8')) as { journal: { seq: number; hash: string } };
  info.journal = { seq: entries.length, hash: prev };
  writeFileSync(caseFile, JSON.stringify(info, null, 2));
}

describe('journal anchoring', () => {
  it('a command that changed a case prints its journal head last, on stderr', async () => {
    const touch = defineCommand({
      name: 'touch',
      summary: 'change a case',
      examples: [],
      args: [],
      options: {},
      load: () =>
        Promise.resolve(() => {
          const c = CaseFolder.open(dir, { clock: systemClock });
          c.record('note', { text: 'one more line' });
          c.close();
          return Promise.resolve({ json: {}, blocks: [] });
        }),
    });
    const r = await cli(['touch'], [touch]);
    expect(r.code).toBe(0);
    const { seq, hash } = readCaseFile(dir).journal;
    expect(r.err.trimEnd().split('\n').at(-1)).toBe(
      `Journal head: line ${seq} sha256 ${hash} (keep it outside the case; \`tourniquet case verify --head ${hash}\` checks the journal still holds it)`,
    );
    expect((await cli(['touch', '--quiet'], [touch])).err).toBe('');
    // A command that writes no journal line prints no head.
    expect((await cli(['case', 'verify', '--case', dir])).err).toBe('');
  });

  it('case verify --head accepts the kept head, and a journal that grew after it', async () => {
    const kept = readCaseFile(dir).journal;
    const c = CaseFolder.open(dir, { clock: systemClock });
    c.record('note', { text: 'appended after the head was noted' });
    c.close();
    const r = await cli(['case', 'verify', '--case', dir, '--head', kept.hash]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(`The kept head is line ${kept.seq} (1 lines appended since).`);
  });

  it('a journal rewritten with case.json passes a plain verify, but not --head with the kept hash', async () => {
    const kept = readCaseFile(dir).journal.hash;
    rewriteJournal(dir);
    expect((await cli(['case', 'verify', '--case', dir])).code).toBe(0); // the gap this closes
    const r = await cli(['case', 'verify', '--case', dir, '--head', kept, '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { ok: boolean; problems: { where: string; what: string }[] };
    expect(doc.problems).toEqual([
      {
        where: 'journal.jsonl',
        what: `no line has the head hash ${kept} kept outside the case: the journal was rewritten (or this is another case)`,
      },
    ]);
    const human = await cli(['case', 'verify', '--case', dir, '--head', kept]);
    expect(human.out.split('\n')[0]).toMatch(/^FAILED: journal.jsonl: no line has the head hash/);
  });

  it('--head must be a whole sha256', async () => {
    const r = await cli(['case', 'verify', '--case', dir, '--head', 'abc123']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--head "abc123" is not a journal head hash \(64 hexadecimal digits\)/);
  });
});
