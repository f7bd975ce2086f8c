import { resolve } from 'node:path';
import type { PlanRecord } from '../../actions/journal-view.js';
import { CaseFolder } from '../../case/case.js';
import { recover, recoveryRegistry, type RecoverResult } from '../../recover/recover.js';
import { caseContext, resolveCaseDir } from '../case-dir.js';
import { secretSink } from '../secret-sink.js';
import { runUndo } from '../undo.js';
import { appliedBlock } from '../applied.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import type { RecoverInput } from './recover.js';

function planRows(plan: PlanRecord): (string | null)[][] {
  return plan.steps.map((s, i) => [
    String(i + 1),
    s.action,
    s.target,
    s.refused ? `refused: ${s.refused}` : s.noop ? `no change: ${s.change}` : s.change,
  ]);
}

function blocksOf(r: RecoverResult, secretBlocks: Block[]): Block[] {
  const blocks: Block[] = [];
  if (r.plan)
    blocks.push({
      kind: 'table',
      title: `Plan ${r.plan.planId} (written to evidence/${r.plan.file})`,
      columns: ['#', 'STEP', 'TARGET', 'CHANGE'],
      rows: planRows(r.plan),
    });
  if (r.apply) blocks.push(appliedBlock(r.apply));
  else if (r.plan)
    blocks.push({ kind: 'text', lines: ['Nothing changed yet. Run `tourniquet recover --apply`.'] });
  blocks.push(...secretBlocks);
  if (r.secretsToRotate.length)
    blocks.push({
      kind: 'table',
      title: 'Secrets to rotate',
      columns: ['KIND', 'REGION', 'ID', 'READ BY THE ATTACKER'],
      rows: r.secretsToRotate.map((s) => [s.kind, s.region, s.id, s.read ? 'yes' : 'could']),
    });
  if (r.lifted.length)
    blocks.push({
      kind: 'text',
      lines: ['Containment lifted (the principal is clean again):', ...r.lifted.map((l) => `  - ${l}`)],
    });
  if (r.manual.length)
    blocks.push({ kind: 'text', lines: ['To do by hand:', ...r.manual.map((m) => `  - ${m}`)] });
  if (r.notChecked.length)
    blocks.push({ kind: 'text', lines: ['Could not check:', ...r.notChecked.map((n) => `  - ${n}`)] });
  return blocks;
}

/** Run `tourniquet recover`. */
export async function runRecover({ options }: RecoverInput, env: RunEnv): Promise<Outcome> {
  const dir = resolveCaseDir(env);
  const secretOut = options['secret-out'] ? resolve(env.cwd, options['secret-out']) : undefined;
  const folder = CaseFolder.open(dir, { clock: env.clock });
  const secrets = secretSink(options.apply ? secretOut : undefined);
  try {
    const ctx = await caseContext(env, folder);
    if (options.undo) return (await runUndo(ctx, recoveryRegistry, options.undo)).outcome;
    const result = await recover(ctx, {
      apply: options.apply ?? false,
      deleteOld: options['delete-old'] ?? false,
      rotate: true,
      reveal: secrets.reveal,
    });
    const failed =
      result.apply?.results.some((x) => x.outcome === 'failed') || result.state === 'not-verified';
    const exitCode = failed ? 1 : result.manual.length || result.notChecked.length ? 3 : 0;
    const json = { dir, ...result, secrets: secretOut ? [] : secrets.shown };
    return { exitCode, json, blocks: blocksOf(result, secrets.blocks()) };
  } finally {
    secrets.close();
    folder.close();
  }
}
