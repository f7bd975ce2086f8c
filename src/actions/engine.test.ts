import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseFolder } from '../case/case.js';
import { verifyCase } from '../case/verify.js';
import { silentLogger } from '../context.js';
import { FakeClock } from '../test-support/fake-clock.js';
import type { ActionDef, ActionEnv } from './action.js';
import { applyPlan, makePlan, registryOf, undoStep } from './engine.js';
import { ActionHistory } from './journal-view.js';

// A resource kept in a JSON file on disk: the engine is tested through real file I/O, with an
// action declared like the AWS ones (plan reads, apply writes, verify reads back, undo restores).
let root: string;
let store: string;
const read = () => JSON.parse(readFileSync(store, 'utf8')) as Record<string, string>;
const writes: string[] = [];
let crashOn: string | undefined;

const switchOff: ActionDef = {
  name: 'switch-off',
  summary: 'turn a switch off',
  target: (p) => p.name!,
  plan(_env, _account, p) {
    const state = read()[p.name!];
    if (p.name === 'guarded')
      return Promise.resolve({ before: { state }, change: 'keep', noop: true, refused: 'a guard says no' });
    return Promise.resolve({
      before: { state },
      change: state === 'off' ? 'already off' : `${state} → off`,
      noop: state === 'off',
    });
  },
  async apply(_env, step, context) {
    if (crashOn === step.params.name) throw new Error('process killed');
    await context.keep(
      'state.json',
      JSON.stringify({ [step.params.name!]: read()[step.params.name!] }),
      'test',
    );
    writes.push(step.params.name!);
    writeFileSync(store, JSON.stringify({ ...read(), [step.params.name!]: 'off' }));
    return { at: context.at.toISOString() };
  },
  verify(_env, step) {
    const state = read()[step.params.name!];
    return Promise.resolve({ ok: state === 'off', observed: `state ${state}` });
  },
  undo(_env, step) {
    const before = (step.before as { state: string }).state;
    writeFileSync(store, JSON.stringify({ ...read(), [step.params.name!]: before }));
    return Promise.resolve({ restored: before });
  },
};
const registry = registryOf([switchOff]);
const requests = ['a', 'b', 'c'].map((name) => ({
  action: 'switch-off',
  account: '111122223333',
  params: { name },
}));

let clock: FakeClock;
let env: ActionEnv;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tq-engine-'));
  store = join(root, 'switches.json');
  writeFileSync(store, JSON.stringify({ a: 'on', b: 'on', c: 'off' }));
  writes.length = 0;
  crashOn = undefined;
  clock = new FakeClock();
  env = { clock, log: silentLogger, poolFor: () => Promise.reject(new Error('no AWS in this test')) };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('action engine', () => {
  it('plans without changing anything, writes the plan to the case, applies and verifies', async () => {
    const folder = CaseFolder.create(join(root, 'case'), { clock });
    const plan = await makePlan(env, folder, registry, 'contain', requests);
    expect(read()).toEqual({ a: 'on', b: 'on', c: 'off' });
    expect(plan.steps.map((s) => [s.id, s.noop, s.change])).toEqual([
      ['switch-off:111122223333:a', false, 'on → off'],
      ['switch-off:111122223333:b', false, 'on → off'],
      ['switch-off:111122223333:c', true, 'already off'],
    ]);
    const onDisk = JSON.parse(readFileSync(folder.path('evidence', plan.file), 'utf8')) as {
      steps: unknown[];
    };
    expect(onDisk.steps).toHaveLength(3);

    const result = await applyPlan(env, folder, registry, plan);
    expect(result.verified).toBe(true);
    expect(result.results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'unchanged']);
    expect(read()).toEqual({ a: 'off', b: 'off', c: 'off' });
    const kinds = ActionHistory.of(folder).entries.map((e) => e.kind);
    expect(kinds.filter((k) => k.startsWith('step.') || k.startsWith('plan.'))).toEqual([
      'plan.created',
      'step.applying',
      'step.applied',
      'step.applying',
      'step.applied',
      'step.verified',
      'step.verified',
      'step.verified',
      'plan.applied',
    ]);
    folder.close();
    expect((await verifyCase(folder.dir)).ok).toBe(true);
  });

  it("keeps each step's evidence in the case before it changes anything; a refused step is neither applied nor verified", async () => {
    const folder = CaseFolder.create(join(root, 'case'), { clock });
    writeFileSync(store, JSON.stringify({ a: 'on', guarded: 'on' }));
    const plan = await makePlan(env, folder, registry, 'eradicate', [
      requests[0]!,
      { ...requests[0]!, params: { name: 'guarded' } },
    ]);
    const result = await applyPlan(env, folder, registry, plan);
    expect(result.results.map((r) => r.outcome)).toEqual(['applied', 'refused']);
    expect(result.results[1]!.verify).toBeUndefined();
    expect(result.verified).toBe(true);
    expect(read()).toEqual({ a: 'off', guarded: 'on' });
    const manifest = readFileSync(folder.path('evidence', 'manifest.jsonl'), 'utf8');
    const kept = manifest.split('\n').filter((l) => l.includes('state.json'));
    expect(kept).toHaveLength(1);
    const path = (JSON.parse(kept[0]!) as { path: string }).path;
    expect(path).toMatch(/^actions\/eradicate-1\/switch-off_111122223333_a-[0-9a-f]{8}\/state\.json$/);
    expect(JSON.parse(readFileSync(folder.path('evidence', path), 'utf8'))).toEqual({ a: 'on' });
    folder.close();
    expect((await verifyCase(folder.dir)).ok).toBe(true);
  });

  it('a second plan is all no-ops and applying it changes nothing', async () => {
    const folder = CaseFolder.create(join(root, 'case'), { clock });
    await applyPlan(env, folder, registry, await makePlan(env, folder, registry, 'contain', requests));
    writes.length = 0;
    const again = await makePlan(env, folder, registry, 'contain', requests);
    expect(again.planId).toBe('contain-2');
    expect(again.steps.every((s) => s.noop)).toBe(true);
    const result = await applyPlan(env, folder, registry, again);
    expect(writes).toEqual([]);
    expect(result.verified).toBe(true);
    folder.close();
  });

  it('an interrupted apply resumes without repeating done steps, reusing the journalled time', async () => {
    let folder = CaseFolder.create(join(root, 'case'), { clock });
    const plan = await makePlan(env, folder, registry, 'contain', requests);
    crashOn = 'b';
    await expect(applyPlan(env, folder, registry, plan)).rejects.toThrow('process killed');
    folder.close();
    expect(writes).toEqual(['a']);

    crashOn = undefined;
    await clock.advance(60_000);
    folder = CaseFolder.open(join(root, 'case'), { clock });
    const history = ActionHistory.of(folder);
    const interrupted = history.interrupted('contain');
    expect(interrupted?.planId).toBe(plan.planId);
    const firstTry = history.applying(plan.planId, 'switch-off:111122223333:b')!.at;
    const result = await applyPlan(env, folder, registry, interrupted!);
    expect(result.resumed).toBe(true);
    expect(writes).toEqual(['a', 'b']);
    expect(result.results.map((r) => r.outcome)).toEqual(['already-done', 'applied', 'unchanged']);
    expect(ActionHistory.of(folder).applied(plan.planId, 'switch-off:111122223333:b')).toEqual({
      at: firstTry,
    });
    expect(ActionHistory.of(folder).interrupted('contain')).toBeUndefined();
    folder.close();
    expect((await verifyCase(folder.dir)).ok).toBe(true);
  });

  it('applies the steps of different accounts side by side, each account in its own order; results stay in plan order', async () => {
    // Account A's first step waits until account B's has started: one account after the other
    // would never get there (the test would time out).
    let bStarted!: () => void;
    const started = new Promise<void>((r) => (bStarted = r));
    const order: string[] = [];
    const meet: ActionDef = {
      ...switchOff,
      name: 'meet',
      async apply(_env, step) {
        order.push(`start ${step.params.name!}`);
        if (step.params.name === 'b1') bStarted();
        if (step.params.name === 'a1') await started;
        order.push(`end ${step.params.name!}`);
        return {};
      },
      verify: () => Promise.resolve({ ok: true, observed: 'met' }),
    };
    writeFileSync(store, JSON.stringify({ a1: 'on', a2: 'on', b1: 'on', b2: 'on' }));
    const folder = CaseFolder.create(join(root, 'case'), { clock });
    const twoAccounts = [
      ['111122223333', 'a1'],
      ['111122223333', 'a2'],
      ['444455556666', 'b1'],
      ['444455556666', 'b2'],
    ].map(([account, name]) => ({ action: 'meet', account: account!, params: { name: name! } }));
    const plan = await makePlan(env, folder, registryOf([meet]), 'contain', twoAccounts);
    const result = await applyPlan(env, folder, registryOf([meet]), plan);
    expect(result.verified).toBe(true);
    expect(result.results.map((r) => r.step.params.name)).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(order.indexOf('start b1')).toBeLessThan(order.indexOf('end a1'));
    expect(order.indexOf('end a1')).toBeLessThan(order.indexOf('start a2'));
    expect(order.indexOf('end b1')).toBeLessThan(order.indexOf('start b2'));
    folder.close();
    expect((await verifyCase(folder.dir)).ok).toBe(true);
  });

  it('undo restores the before-state of one step, named by a unique prefix', async () => {
    const folder = CaseFolder.create(join(root, 'case'), { clock });
    await applyPlan(env, folder, registry, await makePlan(env, folder, registry, 'contain', requests));
    const done = await undoStep(env, folder, registry, 'switch-off:111122223333:a');
    expect(done.detail).toEqual({ restored: 'on' });
    expect(read()).toEqual({ a: 'on', b: 'off', c: 'off' });
    await expect(undoStep(env, folder, registry, 'switch-off:111122223333:a')).rejects.toThrow(
      /No applied step matches/,
    );
    await expect(undoStep(env, folder, registry, 'switch-off')).resolves.toMatchObject({
      detail: { restored: 'on' },
    });
    expect(read()).toEqual({ a: 'on', b: 'on', c: 'off' });
    folder.close();
  });
});
