import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { UserError } from '../errors.js';
import { CaseFolder, readCaseFile } from './case.js';
import { verifyCase } from './verify.js';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'tq-case-')), 'case');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

async function makeCase(lines = 5): Promise<void> {
  const c = CaseFolder.create(dir, {
    clock: systemClock,
    subject: { input: 'AKIAEXAMPLE', kind: 'access-key' },
  });
  for (let i = 0; i < lines; i++) c.record('note', { i, text: `step ${i}` });
  await c.addEvidence('policies/user-inline.json', '{"Version":"2012-10-17"}', 'iam:GetUserPolicy');
  await c.addEvidence('cloudtrail/a.json', '{"Records":[]}', 'test');
  c.close();
}

const journalFile = () => join(dir, 'journal.jsonl');
const lines = () => readFileSync(journalFile(), 'utf8').trimEnd().split('\n');
const writeLines = (l: string[]) => writeFileSync(journalFile(), l.join('\n') + '\n');

describe('case folder', () => {
  it('creates a schema-valid case.json and a verifiable journal', async () => {
    await makeCase();
    const info = readCaseFile(dir);
    expect(info.subject?.kind).toBe('access-key');
    expect(info.journal.seq).toBe(lines().length);
    const result = await verifyCase(dir);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.evidenceFiles).toBe(2);
  });

  it('chains each line to the previous one', async () => {
    await makeCase();
    const entries = lines().map((l) => JSON.parse(l) as { seq: number; prev: string; hash: string });
    entries.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      if (i > 0) expect(e.prev).toBe(entries[i - 1]!.hash);
    });
  });

  it('reopened, goes on from the last line however long the lines are (the head is read from the end)', async () => {
    await makeCase(3);
    for (const size of [10, 40_000, 300_000]) {
      const c = CaseFolder.open(dir, { clock: systemClock });
      c.record('note', { text: 'x'.repeat(size) });
      c.close();
    }
    const c = CaseFolder.open(dir, { clock: systemClock });
    c.record('note', { text: 'after the long lines' });
    c.close();
    const entries = lines().map((l) => JSON.parse(l) as { seq: number; prev: string; hash: string });
    entries.forEach((e, i) => {
      expect(e.seq).toBe(i + 1);
      if (i > 0) expect(e.prev).toBe(entries[i - 1]!.hash);
    });
    expect((await verifyCase(dir)).problems).toEqual([]);
  });

  it('detects an altered line and names it', async () => {
    await makeCase();
    const l = lines();
    l[3] = l[3]!.replace('step 2', 'step 9');
    writeLines(l);
    const result = await verifyCase(dir);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ where: 'journal.jsonl:4' });
    expect(result.problems[0]!.what).toMatch(/altered/);
  });

  it('detects a removed line in the middle', async () => {
    await makeCase();
    const l = lines();
    l.splice(2, 1);
    writeLines(l);
    const result = await verifyCase(dir);
    expect(result.problems[0]).toMatchObject({ where: 'journal.jsonl:3' });
    expect(result.problems[0]!.what).toMatch(/removed or reordered/);
  });

  it('detects removal of the last lines through the head kept in case.json', async () => {
    await makeCase();
    const l = lines();
    writeLines(l.slice(0, -2));
    const result = await verifyCase(dir);
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.where).toBe(`journal.jsonl:${l.length - 1}`);
    expect(result.problems[0]!.what).toMatch(/removed from the end/);
  });

  it('detects two swapped lines', async () => {
    await makeCase();
    const l = lines();
    [l[2], l[3]] = [l[3]!, l[2]!];
    writeLines(l);
    const result = await verifyCase(dir);
    expect(result.problems[0]).toMatchObject({ where: 'journal.jsonl:3' });
  });

  it('detects a line re-hashed after editing (the chain breaks at the next line)', async () => {
    await makeCase();
    const { hashOf } = await import('./journal.js');
    const l = lines();
    const e = JSON.parse(l[2]!) as Parameters<typeof hashOf>[0] & { hash: string; data: unknown };
    e.data = { forged: true };
    e.hash = hashOf(e);
    l[2] = JSON.stringify(e);
    writeLines(l);
    const result = await verifyCase(dir);
    expect(result.problems[0]).toMatchObject({ where: 'journal.jsonl:4' });
  });

  it('detects an edited, a removed and an unlisted evidence file', async () => {
    await makeCase();
    writeFileSync(join(dir, 'evidence/cloudtrail/a.json'), '{"Records":[{"forged":1}]}');
    let result = await verifyCase(dir);
    expect(result.problems).toContainEqual({
      where: 'evidence/cloudtrail/a.json',
      what: expect.stringMatching(/altered/) as unknown,
    });

    unlinkSync(join(dir, 'evidence/policies/user-inline.json'));
    writeFileSync(join(dir, 'evidence/planted.txt'), 'x');
    result = await verifyCase(dir);
    const wheres = result.problems.map((p) => p.where);
    expect(wheres).toContain('evidence/policies/user-inline.json');
    expect(wheres).toContain('evidence/planted.txt');
  });

  it('detects a manifest line removed to hide an evidence file', async () => {
    await makeCase();
    const manifest = join(dir, 'evidence/manifest.jsonl');
    const m = readFileSync(manifest, 'utf8').trimEnd().split('\n');
    writeFileSync(manifest, m.slice(1).join('\n') + '\n');
    unlinkSync(join(dir, 'evidence/policies/user-inline.json'));
    const result = await verifyCase(dir);
    expect(result.problems[0]!.what).toMatch(/missing from the manifest/);
  });

  it('refuses a second writer in the same process', async () => {
    await makeCase(1);
    const first = CaseFolder.open(dir, { clock: systemClock });
    expect(() => CaseFolder.open(dir, { clock: systemClock })).toThrow(UserError);
    first.close();
    const again = CaseFolder.open(dir, { clock: systemClock });
    again.close();
  });

  it("refuses a writer while another process holds the case, and takes over a dead holder's lock", async () => {
    await makeCase(1);
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(join(dir, 'case.lock'))}, JSON.stringify({pid: process.pid, host: require('os').hostname(), at: 'now'})); setInterval(() => {}, 1000)`,
      ],
      { stdio: 'ignore' },
    );
    // Wait for the holder to have written its lock (a busy machine starts node slowly).
    const lock = join(dir, 'case.lock');
    for (
      let waited = 0;
      !existsSync(lock) || !readFileSync(lock, 'utf8').includes(String(holder.pid));
      waited += 20
    ) {
      if (waited > 30_000) throw new Error('the lock holder did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    let error: unknown;
    try {
      CaseFolder.open(dir, { clock: systemClock });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('CASE_LOCKED');
    expect((error as UserError).message).toContain(String(holder.pid));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('exit', r));
    const c = CaseFolder.open(dir, { clock: systemClock });
    expect(existsSync(join(dir, 'case.lock'))).toBe(true);
    c.close();
    expect(existsSync(join(dir, 'case.lock'))).toBe(false);
  });

  it('rejects a malformed case.json with a message naming the field', async () => {
    await makeCase(0);
    const file = join(dir, 'case.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    data.account = 'not-an-account';
    writeFileSync(file, JSON.stringify(data));
    expect(() => readCaseFile(dir)).toThrow(/account/);
  });

  it('records phases and updates in the journal', async () => {
    const c = CaseFolder.create(dir, { clock: systemClock });
    c.markPhase('triage', 'started');
    c.update({ account: '111122223333' });
    c.markPhase('triage', 'completed');
    c.close();
    const info = readCaseFile(dir);
    expect(info.account).toBe('111122223333');
    expect(info.phases.triage?.completed).toBeDefined();
    expect(lines().map((l) => (JSON.parse(l) as { kind: string }).kind)).toEqual([
      'case.created',
      'phase.started',
      'case.updated',
      'phase.completed',
    ]);
    expect((await verifyCase(dir)).ok).toBe(true);
  });

  it('keeps evidence paths inside the evidence folder', async () => {
    const c = CaseFolder.create(dir, { clock: systemClock });
    await expect(c.addEvidence('../../escape.txt', 'x', 'test')).rejects.toThrow(UserError);
    await expect(c.addEvidence('/etc/passwd', 'x', 'test')).rejects.toThrow(UserError);
    c.close();
  });
});
