import { contain, type ContainResult } from '../../actions/contain.js';
import { campaignSuggestions } from '../../actions/campaign-containment.js';
import { containmentRegistry } from '../../actions/containment.js';
import type { PlanRecord } from '../../actions/journal-view.js';
import { CaseFolder } from '../../case/case.js';
import { FINDINGS_FILE } from '../../detect/save.js';
import { caseContext, resolveCaseDir } from '../case-dir.js';
import { runUndo } from '../undo.js';
import { appliedBlock } from '../applied.js';
import type { Block, Outcome, RunEnv } from '../spec.js';
import type { ContainInput } from './contain.js';

function planRows(plan: PlanRecord): (string | null)[][] {
  return plan.steps.map((s, i) => [
    String(i + 1),
    s.action,
    s.target,
    s.account,
    s.noop ? `no change: ${s.change}` : s.change,
    s.reversible ? 'yes' : 'no',
  ]);
}

function seconds(s: number | undefined): string | null {
  if (s === undefined) return null;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function blocksOf(r: ContainResult, again = '', suggested: string[] = []): Block[] {
  const blocks: Block[] = [];
  if (r.state === 'manual-only') {
    blocks.push({
      kind: 'text',
      lines: [
        'ROOT CREDENTIALS: no automated containment is possible. Escalate and work through this checklist:',
        ...r.manual.map((m, i) => `  ${i + 1}. ${m}`),
      ],
    });
    return blocks;
  }
  if (r.lineage.length)
    blocks.push({
      kind: 'table',
      title: 'Derived sessions (CloudTrail)',
      columns: ['KEY', 'VIA', 'FROM', 'ACCOUNT', 'ROLE', 'ISSUED'],
      rows: r.lineage.map((s) => [s.accessKeyId, s.via, s.parentKey, s.account, s.roleArn, s.issuedAt]),
    });
  if (r.plan)
    blocks.push({
      kind: 'table',
      title: `Plan ${r.plan.planId} (written to evidence/${r.plan.file})`,
      columns: ['#', 'STEP', 'TARGET', 'ACCOUNT', 'CHANGE', 'UNDO'],
      rows: planRows(r.plan),
    });
  if (r.forced.length)
    blocks.push({
      kind: 'text',
      lines: ['FORCED past the guards:', ...r.forced.map((f) => `  - ${f.reason}`)],
    });
  if (r.apply) {
    blocks.push(appliedBlock(r.apply));
    blocks.push({
      kind: 'fields',
      title: r.state === 'contained' ? 'CONTAINED' : 'NOT VERIFIED: containment is incomplete',
      fields: [
        ['Aware since', r.timing.awareness],
        ['Planned', r.timing.planned],
        ['Verified', r.timing.verified],
        ['Time to contain', seconds(r.timing.timeToContainSeconds)],
        ['This run', seconds(r.timing.runSeconds)],
      ],
    });
  } else if (r.plan) {
    const changes = r.plan.steps.filter((s) => !s.noop).length;
    blocks.push({
      kind: 'text',
      lines: [
        changes
          ? `Nothing changed yet. Run \`tourniquet contain --apply${again}\` to make these ${changes} change(s).`
          : 'Nothing to change: already contained.',
      ],
    });
  }
  if (suggested.length) blocks.push({ kind: 'text', lines: suggested });
  if (r.manual.length)
    blocks.push({ kind: 'text', lines: ['To do by hand:', ...r.manual.map((m) => `  - ${m}`)] });
  if (r.notChecked.length)
    blocks.push({ kind: 'text', lines: ['Could not check:', ...r.notChecked.map((n) => `  - ${n}`)] });
  return blocks;
}

/** The options that shape the plan, to repeat with `--apply` (a new run plans anew). */
function applyAgain(options: ContainInput['options']): string {
  const repeat = (flag: string, values: string[] | undefined) => (values ?? []).map((v) => ` --${flag} ${v}`);
  return [
    ...repeat('skip', options.skip),
    ...repeat('add', options.add),
    ...repeat('campaign', options.campaign),
    ...repeat('campaign-region', options['campaign-region']),
    ...repeat('bucket', options.bucket),
    ...repeat('sms-spend-limit', options['sms-spend-limit'] ? [options['sms-spend-limit']] : []),
  ].join('');
}

/** Run `tourniquet contain`. */
export async function runContain({ options }: ContainInput, env: RunEnv): Promise<Outcome> {
  const startedAt = env.clock.now();
  const dir = resolveCaseDir(env);
  const folder = CaseFolder.open(dir, { clock: env.clock });
  try {
    const ctx = await caseContext(env, folder);
    if (options.undo) {
      const { outcome } = await runUndo(ctx, containmentRegistry, options.undo, options['account-role']);
      if (folder.info.status === 'contained') folder.update({ status: 'open' });
      return outcome;
    }
    let shownPlan: (string | null)[][] = [];
    const result = await contain(ctx, {
      apply: options.apply ?? false,
      confirm: options.apply
        ? undefined
        : async (question) => {
            // The plan must be on screen before the question; without a terminal there is no
            // question (env.confirm says no) and the plan is printed once, with the result.
            if (process.stdin.isTTY && process.stderr.isTTY && !env.globals.json)
              for (const row of shownPlan) env.log.info(`  ${row.join('  ')}`);
            return env.confirm(question);
          },
      force: options.force ?? false,
      skip: options.skip ?? [],
      add: options.add ?? [],
      ...(options.campaign?.length
        ? {
            campaign: {
              campaigns: options.campaign,
              regions: options['campaign-region'] ?? [],
              buckets: options.bucket ?? [],
              ...(options['sms-spend-limit'] ? { smsSpendLimit: options['sms-spend-limit'] } : {}),
            },
          }
        : {}),
      accountRole: options['account-role'],
      startedAt,
      onPlan: (plan) => {
        shownPlan = planRows(plan);
      },
    });
    const failed =
      result.apply?.results.some((x) => x.outcome === 'failed') || result.state === 'not-verified';
    const exitCode = failed ? 1 : result.notChecked.length || result.manual.length ? 3 : 0;
    return {
      exitCode,
      json: { dir, ...result },
      blocks: blocksOf(
        result,
        applyAgain(options),
        campaignSuggestions(folder.path(FINDINGS_FILE), options.campaign ?? []),
      ),
    };
  } finally {
    folder.close();
  }
}
