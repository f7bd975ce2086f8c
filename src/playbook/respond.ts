import type { PlanRecord } from '../actions/journal-view.js';
import type { ClientPool } from '../aws/pool.js';
import type { CaseFolder } from '../case/case.js';
import type { CaseContext, Context } from '../context.js';
import { buildFacts, factText, isUnknown, type CoverageEntry, type Facts } from '../report/index.js';
import { eradicationHolds } from '../eradicate/eradicate.js';
import { openCaseFor, type CaseLocation } from './open-case.js';
import { PLAYBOOK, REPORT_FILES, type PhaseState, type Run } from './phases.js';

export interface RespondOptions {
  /** Access key id, user name/ARN, role ARN, or `root`. */
  subject: string;
  /** Apply the containment plan without asking. */
  yes: boolean;
  /** Asked before containment changes anything when `yes` is false (no answer = no). */
  confirm?: (question: string) => Promise<boolean>;
  /** Where the case is, or is to be created. */
  where: CaseLocation;
  /** When the organisation became aware (default: now); kept only when a new case is opened. */
  awareness?: Date;
  /** Told when a phase starts (progress). */
  onPhaseStart?: (phase: { index: number; total: number; title: string }) => void;
  /** Told when a phase ends, with its one-paragraph result. */
  /** After each phase, with the journal head then (a responder keeps it outside the case). */
  onPhaseEnd?: (phase: PhaseReport, head: { seq: number; hash: string }) => void;
  /** Role to assume in other accounts that derived sessions reached (contain's `--account-role`). */
  accountRole?: string | undefined;
  /** Shown the containment plan before the question. */
  onPlan?: (plan: PlanRecord) => void;
  /** Called once the case is open, before any phase (e.g. to keep the alert the case started from). */
  onOpened?: (folder: CaseFolder, resumed: boolean) => Promise<void>;
  /** Rotate the credential in the recovery phase (else left to the person). */
  rotate?: boolean;
  /** Where a new credential goes: printed once or written 0600 by the CLI, never the case. */
  reveal?: (label: string, secret: string) => void;
}

export interface PhaseReport {
  phase: string;
  title: string;
  state: PhaseState;
  summary: string;
  seconds: number;
}

export interface RespondResult {
  caseId: string;
  dir: string;
  /** Whether an existing case was continued (phases the journal shows completed were skipped). */
  resumed: boolean;
  phases: PhaseReport[];
  contained: boolean;
  /** Eradication applied and every step reads back as it should now (`eradicate --verify`). */
  clean: boolean;
  /** Something was not covered or not checked (exit code 3). */
  partial: boolean;
  failed: boolean;
  coverage: CoverageEntry[];
  reports: { html: string; md: string; csv: string; json: string };
  done: string[];
  /** What the playbook leaves to a person: eradication, rotation, AWS Support, regulators. */
  needsHuman: string[];
  facts: Facts;
}

/**
 * The whole playbook for one credential: triage → contain (plan, confirm, apply, verify) →
 * collect (LookupEvents in every region, the trail bucket) → investigate → report. Each phase is
 * marked in the case; a re-run of the same subject continues the case: completed phases are
 * skipped, an interrupted one is run again (containment resumes its journalled plan, collection
 * skips the regions it finished).
 */
export async function respond(
  ctx: Context & { aws: ClientPool },
  options: RespondOptions,
): Promise<RespondResult> {
  const startedAt = ctx.clock.now();
  const { folder, resumed } = openCaseFor(
    options.subject,
    PLAYBOOK.map((p) => p.phase),
    options.where,
    ctx.clock,
    options.awareness,
  );
  try {
    ctx.aws.caseId = folder.id;
    const caseCtx: CaseContext = { ...ctx, case: folder };
    const run: Run = {
      ctx: caseCtx,
      yes: options.yes,
      confirm: options.confirm,
      onPlan: options.onPlan,
      accountRole: options.accountRole,
      startedAt,
      rotate: options.rotate ?? false,
      reveal: options.reveal,
      manual: [],
    };
    if (resumed) folder.record('respond.resumed', { subject: options.subject });
    else folder.record('respond.started', { subject: options.subject, yes: options.yes });
    await options.onOpened?.(folder, resumed);
    const phases: PhaseReport[] = [];
    for (const [index, def] of PLAYBOOK.entries()) {
      options.onPhaseStart?.({ index: index + 1, total: PLAYBOOK.length, title: def.title });
      const t0 = Date.now();
      const completed = folder.info.phases[def.phase]?.completed;
      // The report is written again whenever an earlier phase ran now: it must say what is true now.
      const stale = def.phase === 'report' && phases.some((p) => p.state !== 'skipped');
      let report: PhaseReport;
      if (completed && !stale) {
        def.reload?.(run);
        report = {
          phase: def.phase,
          title: def.title,
          state: 'skipped',
          summary: `Already completed at ${completed} (per the case journal); not repeated.`,
          seconds: 0,
        };
      } else {
        const outcome = await def.run(run);
        report = { phase: def.phase, title: def.title, ...outcome, seconds: (Date.now() - t0) / 1000 };
      }
      phases.push(report);
      options.onPhaseEnd?.(report, folder.info.journal);
    }
    // The case is clean only when what eradication did still holds, read back now.
    const clean = await eradicationHolds(caseCtx);
    const facts = await buildFacts(folder.dir, { asOf: ctx.clock.now() });
    const coverage = isUnknown(facts.coverage) ? [] : facts.coverage;
    const failed = phases.some((p) => p.state === 'failed');
    const partial =
      coverage.some((c) => c.state !== 'complete') ||
      phases.some((p) => p.state === 'partial' || p.state === 'declined') ||
      (run.triage?.notChecked.length ?? 0) > 0;
    const result: RespondResult = {
      caseId: folder.id,
      dir: folder.dir,
      resumed,
      phases,
      contained: facts.contained,
      clean,
      partial,
      failed,
      coverage,
      reports: {
        html: folder.path(REPORT_FILES.html),
        md: folder.path(REPORT_FILES.md),
        csv: folder.path(REPORT_FILES.csv),
        json: folder.path(REPORT_FILES.json),
      },
      done: doneList(phases),
      needsHuman: humanList(run, facts),
      facts,
    };
    folder.record('respond.finished', {
      phases: phases.map((p) => ({ phase: p.phase, state: p.state })),
      contained: result.contained,
      clean,
      partial,
      needsHuman: result.needsHuman,
    });
    return result;
  } finally {
    folder.close();
  }
}

function doneList(phases: PhaseReport[]): string[] {
  return phases
    .filter((p) => p.state === 'done' || p.state === 'skipped' || p.state === 'partial')
    .map(
      (p) =>
        `${p.title}${p.state === 'partial' ? ' (partial)' : p.state === 'skipped' ? ' (earlier run)' : ''}`,
    );
}

/** Containment's manual items, the report's next steps, and the decisions with their deadlines. */
function humanList(run: Run, facts: Facts): string[] {
  const out = [...run.manual];
  for (const d of facts.decisions) {
    if (d.answer === 'no') continue;
    const deadlines = d.deadlines.map((x) => `${x.label}: ${factText(x.at, (t) => t)}`).join('; ');
    out.push(`Decide: ${d.question} — ${d.answer} (${d.criterion})${deadlines ? `; ${deadlines}` : ''}`);
  }
  out.push(...facts.nextSteps);
  return [...new Set(out)];
}
