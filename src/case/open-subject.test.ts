import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { CaseFolder } from './case.js';
import { openCaseOfSubject } from './open-subject.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tq-subject-'));
  CaseFolder.create(dir, {
    clock: systemClock,
    subject: { input: 'AKIAOWNCASE00000001', kind: 'access-key', accessKeyId: 'AKIAOWNCASE00000001' },
  }).close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('opens the case of the same subject and refuses another subject’s case, leaving it unlocked', () => {
  expect(() => openCaseOfSubject(dir, 'AKIAOTHER0000000002', systemClock)).toThrow(
    /is the case of AKIAOWNCASE00000001, not AKIAOTHER0000000002/,
  );
  const folder = openCaseOfSubject(dir, 'AKIAOWNCASE00000001', systemClock);
  expect(folder.info.subject?.input).toBe('AKIAOWNCASE00000001');
  folder.close();
});
