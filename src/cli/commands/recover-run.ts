import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PlanRecord } from '../../actions/journal-view.js';
import { CaseFolder } from '../../case/case.js';
import { UserError } from '../../errors.js';
import { recover, recoveryRegistry, type RecoverResult } from '../../recover/recover.js';
import { caseContext, resolveCaseDir } from '../case-dir.js';
import { runUndo } from '../undo.js';
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

function blocksOf(
  r: RecoverResult,
  shown: { label: string; secret: string }[],
  secretOut: string | undefined,
): Block[] {
  const blocks: Block[] = [];
  if (r.plan)
    blocks.push({
      kind: 'table',
      title: `Plan ${r.plan.planId} (written to evidence/${r.plan.file})`,
      columns: ['#', 'STEP', 'TARGET', 'CHANGE'],
      rows: planRows(r.plan),
    });
  if (r.apply)
    blocks.push({
      kind: 'table',
      title: r.apply.resumed ? 'Applied (resumed an interrupted run)' : 'Applied',
      columns: ['STEP', 'RESULT', 'VERIFIED', 'OBSERVED'],
      rows: r.apply.results.map((x) => [
        x.step.id,
        x.error ? `failed: ${x.error}` : x.outcome,
        x.outcome === 'refused' ? '-' : x.verify?.ok ? 'yes' : 'NO',
        x.verify?.observed,
      ]),
    });
  else if (r.plan)
    blocks.push({ kind: 'text', lines: ['Nothing changed yet. Run `tourniquet recover --apply`.'] });
  if (shown.length && !secretOut)
    blocks.push({
      kind: 'text',
      lines: [
        'NEW CREDENTIALS — shown once, stored nowhere; hand them to the owner over a trusted channel:',
        ...shown.map((s) => `  ${s.label}: ${s.secret}`),
      ],
    });
  if (shown.length && secretOut)
    blocks.push({
      kind: 'text',
      lines: [
        `New credentials written to ${secretOut} (mode 0600): ${shown.map((s) => s.label).join('; ')}.`,
      ],
    });
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

/** Open a new file only the current user can read; refuse to overwrite one. */
function secretFile(path: string): number {
  try {
    return openSync(path, 'wx', 0o600);
  } catch (error) {
    throw new UserError('SECRET_OUT', `Cannot create ${path}: ${(error as Error).message}.`, {
      hint: 'Give a path that does not exist yet, in a folder only you can read.',
    });
  }
}

/** Run `tourniquet recover`. */
export async function runRecover({ options }: RecoverInput, env: RunEnv): Promise<Outcome> {
  const dir = resolveCaseDir(env);
  const secretOut = options['secret-out'] ? resolve(env.cwd, options['secret-out']) : undefined;
  const folder = CaseFolder.open(dir, { clock: env.clock });
  let fd: number | undefined;
  try {
    const ctx = await caseContext(env, folder);
    if (options.undo) return (await runUndo(ctx, recoveryRegistry, options.undo)).outcome;
    // The file is made before anything changes, so a bad path loses no credential.
    if (secretOut && options.apply) fd = secretFile(secretOut);
    const shown: { label: string; secret: string }[] = [];
    const result = await recover(ctx, {
      apply: options.apply ?? false,
      deleteOld: options['delete-old'] ?? false,
      rotate: true,
      reveal: (label, secret) => {
        if (fd !== undefined) writeSync(fd, `# ${label}\n${secret}\n`);
        shown.push({ label, secret });
      },
    });
    const failed =
      result.apply?.results.some((x) => x.outcome === 'failed') || result.state === 'not-verified';
    const exitCode = failed ? 1 : result.manual.length || result.notChecked.length ? 3 : 0;
    const json = { dir, ...result, secrets: secretOut ? [] : shown };
    return { exitCode, json, blocks: blocksOf(result, shown, secretOut) };
  } finally {
    if (fd !== undefined) closeSync(fd);
    folder.close();
  }
}
