import { JOURNAL_FILE } from '../case/case.js';
import type { CaseFolder } from '../case/case.js';
import { readJournal, type JournalEntry } from '../case/journal.js';
import type { ApplyDetail, PlannedStep } from './action.js';

/** Journal kinds written by the action engine. */
export const KIND = {
  planCreated: 'plan.created',
  stepApplying: 'step.applying',
  stepApplied: 'step.applied',
  stepFailed: 'step.failed',
  stepVerified: 'step.verified',
  planApplied: 'plan.applied',
  stepUndoing: 'step.undoing',
  stepUndone: 'step.undone',
} as const;

export interface PlanRecord {
  planId: string;
  purpose: string;
  file: string;
  steps: PlannedStep[];
}

/** The engine's view of the journal: what was planned, applied, verified and undone. */
export class ActionHistory {
  constructor(readonly entries: JournalEntry[]) {}

  /** Read the journal of a case folder. */
  static of(folder: CaseFolder): ActionHistory {
    const entries = readJournal(folder.path(JOURNAL_FILE)).map((line) => JSON.parse(line) as JournalEntry);
    return new ActionHistory(entries);
  }

  plans(purpose?: string): PlanRecord[] {
    return this.entries
      .filter((e) => e.kind === KIND.planCreated)
      .map((e) => e.data as PlanRecord)
      .filter((p) => purpose === undefined || p.purpose === purpose);
  }

  plan(planId: string): PlanRecord | undefined {
    return this.plans().find((p) => p.planId === planId);
  }

  private of(kind: string, planId?: string, stepId?: string): JournalEntry[] {
    return this.entries.filter((e) => {
      if (e.kind !== kind) return false;
      const d = e.data as { planId?: string; stepId?: string };
      return (planId === undefined || d.planId === planId) && (stepId === undefined || d.stepId === stepId);
    });
  }

  /** The `step.applying` line of a step in a plan (its `at` is reused when resuming). */
  applying(planId: string, stepId: string): { at: string } | undefined {
    const e = this.of(KIND.stepApplying, planId, stepId).at(-1);
    return e ? (e.data as { at: string }) : undefined;
  }

  /** The `step.applied` detail of a step in a plan. */
  applied(planId: string, stepId: string): ApplyDetail | undefined {
    const e = this.of(KIND.stepApplied, planId, stepId).at(-1);
    return e ? (e.data as { detail: ApplyDetail }).detail : undefined;
  }

  /** The last successful apply of a step in any plan, not undone since. */
  lastApply(stepId: string): { planId: string; at: string; detail: ApplyDetail; seq: number } | undefined {
    const applied = this.of(KIND.stepApplied, undefined, stepId).at(-1);
    if (!applied) return undefined;
    const undone = this.of(KIND.stepUndone, undefined, stepId).at(-1);
    if (undone && undone.seq > applied.seq) return undefined;
    const d = applied.data as { planId: string; detail: ApplyDetail };
    const applying = this.applying(d.planId, stepId);
    return { planId: d.planId, at: applying?.at ?? applied.at, detail: d.detail, seq: applied.seq };
  }

  /** Whether the apply of a plan finished (verified or not). */
  finished(planId: string): boolean {
    return this.of(KIND.planApplied, planId).length > 0;
  }

  /** The newest plan whose apply started and never finished: the one to resume. */
  interrupted(purpose: string): PlanRecord | undefined {
    const plan = this.plans(purpose).at(-1);
    if (!plan || this.finished(plan.planId)) return undefined;
    return this.of(KIND.stepApplying, plan.planId).length > 0 ? plan : undefined;
  }

  /** The time of the first line of a kind (for the response metrics). */
  firstAt(kind: string): string | undefined {
    return this.entries.find((e) => e.kind === kind)?.at;
  }
}
