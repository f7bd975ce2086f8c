import { eradicationRegistry } from '../../actions/eradicate/index.js';
import type { PlanRecord } from '../../actions/journal-view.js';
import { CaseFolder } from '../../case/case.js';
import { eradicate, type EradicateResult } from '../../eradicate/eradicate.js';
import { leftByWhy } from '../../eradicate/sources.js';
import { forTerminal } from '../../untrusted.js';
import { UsageError } from '../../errors.js';
import { caseContext, resolveCaseDir } from '../case-dir.js';
import { appliedBlock } from '../applied.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import { runUndo } from '../undo.js';
import type { EradicateInput } from './eradicate.js';

function planRows(plan: PlanRecord): (string | null)[][] {
  return plan.steps.map((s, i) => [
    String(i + 1),
    s.action,
    s.target,
    s.refused ? `REFUSED: ${s.refused}` : s.noop ? `no change: ${s.change}` : s.change,
    s.reversible ? 'yes' : 'no',
  ]);
}

/** The attacker's items left in place with `--exclude`: by this run's plan, or by the plan `--verify` read back. */
function excludedOf(r: EradicateResult): string[] {
  return r.excluded ?? leftByWhy(r.left).excluded.map((l) => l.item.scopeId ?? l.item.id);
}

function blocksOf(r: EradicateResult): Block[] {
  const blocks: Block[] = [];
  if (r.plan && !r.verify)
    blocks.push({
      kind: 'table',
      title: `Plan ${r.plan.planId} from ${r.source} (written to evidence/${r.plan.file})`,
      columns: ['#', 'STEP', 'TARGET', 'CHANGE', 'UNDO'],
      rows: planRows(r.plan),
    });
  if (r.left.length)
    blocks.push({
      kind: 'table',
      title: 'Not acted on',
      columns: ['ITEM', 'WHY'],
      rows: r.left.map((l) => [l.item.scopeId ?? l.item.id, l.why]),
    });
  if (r.disagreements.length)
    blocks.push({
      kind: 'text',
      lines: [
        `Scope and the case's calls disagree on ${r.disagreements.length} item(s):`,
        ...r.disagreements.map((d) => `  - ${d.item.scopeId ?? d.item.id}: ${d.why}`),
      ],
    });
  if (r.refused.length)
    blocks.push({
      kind: 'text',
      lines: [
        'Refused, left in place for a person to judge:',
        ...r.refused.map((x) => `  - ${x.request.action} ${JSON.stringify(x.request.params)}: ${x.reason}`),
      ],
    });
  if (r.apply) blocks.push(appliedBlock(r.apply));
  if (r.verify)
    blocks.push({
      kind: 'table',
      title: `Read back: ${r.plan?.planId ?? ''}`,
      columns: ['STEP', 'HOLDS', 'OBSERVED'],
      rows: r.verify.map((v) => [v.stepId, v.ok ? 'yes' : 'NO', v.observed]),
    });
  const status: Record<EradicateResult['state'], string> = {
    planned: 'Nothing changed yet. Run `tourniquet eradicate --apply` to apply this plan.',
    eradicated: 'ERADICATED: every step applied and read back.',
    'not-verified': 'NOT VERIFIED: some step did not hold; see above, then apply again.',
    'nothing-to-do': 'Nothing to eradicate.',
    verified: 'VERIFIED: every step of the last plan still holds.',
  };
  const excluded = excludedOf(r).map(forTerminal);
  blocks.push({
    kind: 'text',
    lines: [
      r.state === 'eradicated' && excluded.length
        ? `APPLIED, NOT ERADICATED: every step applied and read back, but the attacker's ${excluded.join(', ')} left (--exclude).`
        : r.state === 'verified' && excluded.length
          ? `VERIFIED, NOT ERADICATED: every step of the last plan still holds, but it left the attacker's ${excluded.join(', ')} (--exclude).`
          : status[r.state],
    ],
  });
  if (r.manual.length)
    blocks.push({ kind: 'text', lines: ['To do by hand:', ...r.manual.map((m) => `  - ${m}`)] });
  if (r.byContainment.length)
    blocks.push({ kind: 'text', lines: ['Left to containment:', ...r.byContainment.map((m) => `  - ${m}`)] });
  if (r.notChecked.length)
    blocks.push({ kind: 'text', lines: ['Could not check:', ...r.notChecked.map((n) => `  - ${n}`)] });
  return blocks;
}

/** Run `tourniquet eradicate`. */
export async function runEradicate({ options }: EradicateInput, env: RunEnv): Promise<Outcome> {
  const modes = [
    options.plan,
    options.apply || options.yes,
    options.verify,
    options.undo !== undefined,
  ].filter(Boolean);
  if (modes.length > 1) throw new UsageError('Give one of --plan, --apply, --verify, --undo.');
  const dir = resolveCaseDir(env);
  const folder = CaseFolder.open(dir, { clock: env.clock });
  try {
    const ctx = await caseContext(env, folder);
    if (options.undo) return (await runUndo(ctx, eradicationRegistry, options.undo)).outcome;
    const mode = options.verify ? 'verify' : options.apply || options.yes ? 'apply' : 'plan';
    const result = await eradicate(ctx, {
      mode,
      include: options.include ?? [],
      exclude: options.exclude ?? [],
      accountRole: options['account-role'],
      ...(mode === 'plan' && !options.plan ? { confirm: (q: string) => env.confirm(q) } : {}),
    });
    const failed =
      result.apply?.results.some((x) => x.outcome === 'failed') || result.state === 'not-verified';
    const exitCode = failed
      ? 1
      : result.manual.length ||
          result.refused.length ||
          result.notChecked.length ||
          (['eradicated', 'verified'].includes(result.state) && excludedOf(result).length)
        ? 3
        : 0;
    return { exitCode, json: { dir, ...result }, blocks: blocksOf(result) };
  } finally {
    folder.close();
  }
}
