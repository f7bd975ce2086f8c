import type { PlannedStep } from '../actions/action.js';
import { ActionHistory, KIND, type PlanRecord } from '../actions/journal-view.js';
import type { JournalEntry } from '../case/journal.js';
import { utc } from '../report/words.js';
import { forHtml as esc } from '../untrusted.js';
import type { CaseData } from './case-data.js';
import { table } from './html.js';

/** The purpose eradication writes its plans under (`PURPOSE` in src/eradicate/eradicate.ts). */
const ERADICATE = 'eradicate';

interface StepState {
  state: string;
  tone: '' | 'good' | 'bad';
  detail: string;
}

/** The last journal line of a kind about one step of one plan. */
function last(entries: JournalEntry[], kind: string, planId: string, stepId: string) {
  return entries.findLast((e) => {
    const d = e.data as { planId?: string; stepId?: string };
    return e.kind === kind && d.planId === planId && d.stepId === stepId;
  });
}

/** Where one step stands, from the journal lines the action engine wrote about it. */
export function stepState(entries: JournalEntry[], planId: string, step: PlannedStep): StepState {
  if (step.refused !== undefined) return { state: 'refused', tone: 'bad', detail: step.refused };
  if (step.noop) return { state: 'already so', tone: 'good', detail: 'nothing to change' };
  const at = (kind: string) => last(entries, kind, planId, step.id);
  const undone = at(KIND.stepUndone);
  const applied = at(KIND.stepApplied);
  const failed = at(KIND.stepFailed);
  const verified = at(KIND.stepVerified);
  if (undone && (!applied || undone.seq > applied.seq))
    return { state: 'undone', tone: 'bad', detail: `undone ${utc(undone.at)}` };
  if (verified) {
    const v = verified.data as { ok?: boolean; observed?: string };
    if (failed && failed.seq > (applied?.seq ?? 0))
      return {
        state: 'failed',
        tone: 'bad',
        detail: String((failed.data as { error?: string }).error ?? ''),
      };
    return v.ok
      ? { state: 'verified', tone: 'good', detail: v.observed ?? '' }
      : { state: 'not verified', tone: 'bad', detail: v.observed ?? '' };
  }
  if (failed)
    return { state: 'failed', tone: 'bad', detail: String((failed.data as { error?: string }).error ?? '') };
  if (applied) return { state: 'applied', tone: '', detail: `applied ${utc(applied.at)}, not read back yet` };
  if (at(KIND.stepApplying)) return { state: 'applying', tone: '', detail: 'started, not finished' };
  return { state: 'planned', tone: '', detail: 'not applied' };
}

/** The plan as a whole: applied and read back, applying, or only planned. */
function planState(history: ActionHistory, plan: PlanRecord): { text: string; tone: string } {
  const done = history.entries.findLast(
    (e) => e.kind === KIND.planApplied && (e.data as { planId?: string }).planId === plan.planId,
  );
  if (done) {
    const d = done.data as { verified?: boolean; at?: string };
    return d.verified
      ? { text: `applied and verified ${utc(d.at ?? done.at)}`, tone: 'good' }
      : { text: `applied ${utc(d.at ?? done.at)}, NOT verified: see the steps`, tone: 'bad' };
  }
  return history.interrupted(ERADICATE)?.planId === plan.planId
    ? { text: 'applying (or interrupted: `tourniquet eradicate --apply` resumes it)', tone: 'bad' }
    : { text: 'planned, not applied (`tourniquet eradicate --apply` applies it)', tone: '' };
}

function planSection(history: ActionHistory, plan: PlanRecord, latest: boolean): string {
  const state = planState(history, plan);
  const rows = plan.steps.map((s) => {
    const st = stepState(history.entries, plan.planId, s);
    return [
      esc(s.action),
      `<code>${esc(s.target)}</code>`,
      esc(s.account),
      esc(s.change),
      s.reversible ? 'yes' : 'no',
      `<span class="nowrap ${st.tone}">${esc(st.state)}</span>`,
      esc(st.detail),
    ];
  });
  const counts = new Map<string, number>();
  for (const s of plan.steps) {
    const st = stepState(history.entries, plan.planId, s).state;
    counts.set(st, (counts.get(st) ?? 0) + 1);
  }
  const manual = plan.steps.flatMap((s) => (s.manual ? [s.manual] : []));
  return [
    `<h2>${latest ? 'Plan' : 'Earlier plan'} ${esc(plan.planId)}</h2>`,
    `<p class="${state.tone}">${esc(state.text)} · ${plan.steps.length} step(s): ${[...counts]
      .map(([k, n]) => `${n} ${esc(k)}`)
      .join(', ')} · written to <code>${esc(plan.file)}</code></p>`,
    table(
      ['Action', 'Target', 'Account', 'Change', 'Undo', 'State', 'Detail'],
      rows,
      'The plan has no step.',
    ),
    manual.length ? `<h3>To do by hand</h3><ul>${manual.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>` : '',
  ].join('\n');
}

/** What eradication chose and left aside (its `eradicate.items` journal line). */
function itemsSection(entries: JournalEntry[]): string {
  const items = entries.findLast((e) => e.kind === 'eradicate.items');
  if (!items) return '';
  const d = items.data as {
    source?: string;
    chosen?: { id: string; from?: string }[];
    left?: { id: string; why: string }[];
    disagreements?: { id: string; why: string }[];
  };
  const list = (rows: { id: string; why: string }[] | undefined, empty: string) =>
    table(
      ['Item', 'Why'],
      (rows ?? []).map((r) => [`<code>${esc(r.id)}</code>`, esc(r.why)]),
      empty,
    );
  return [
    `<h2>Items</h2><p>${d.chosen?.length ?? 0} item(s) chosen from ${esc(d.source ?? 'the case')}.</p>`,
    '<details><summary>Left alone (' + String(d.left?.length ?? 0) + ')</summary>',
    list(d.left, 'None.'),
    '</details>',
    '<details><summary>Where scope and the calls disagree (' +
      String(d.disagreements?.length ?? 0) +
      ')</summary>',
    list(d.disagreements, 'None.'),
    '</details>',
  ].join('\n');
}

/** The eradication page: the phase, each plan with every step's state, what was left and why. */
export function eradicationPage(d: CaseData): string {
  const history = new ActionHistory(d.journal);
  const plans = history.plans(ERADICATE);
  const phase = d.info.phases.eradicate;
  const phaseText = phase?.completed
    ? `completed ${utc(phase.completed)}`
    : phase?.started
      ? `started ${utc(phase.started)}, not completed`
      : 'not started';
  const refused = d.journal
    .filter((e) => e.kind === 'eradicate.refused')
    .flatMap((e) => (e.data as { refusals?: { action: string; reason: string }[] }).refusals ?? []);
  return [
    '<h1>Eradication plan</h1>',
    `<p>Eradication phase: ${esc(phaseText)}; case status ${esc(d.info.status)}.</p>`,
    plans.length === 0
      ? '<p class="empty">No eradication plan in this case yet (`tourniquet eradicate` writes one from scope.json).</p>'
      : '',
    ...plans
      .slice()
      .reverse()
      .map((p, i) => planSection(history, p, i === 0)),
    refused.length
      ? `<h2>Refused before planning (${refused.length})</h2>` +
        table(
          ['Action', 'Why'],
          refused.map((r) => [esc(r.action), esc(r.reason)]),
          '',
        )
      : '',
    itemsSection(d.journal),
  ].join('\n');
}
