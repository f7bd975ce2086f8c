import type { JournalEntry } from '../case/journal.js';

/** One thing the responders did, read from the journal. */
export interface ActionTaken {
  at: string;
  /** The journal kind, e.g. `step.verified`. */
  kind: string;
  /** What it was in a few words (`deactivate-access-key applied`, `contain completed`). */
  what: string;
  target: string | null;
  result: string | null;
  actor: string;
}

type Data = Record<string, unknown>;

function str(data: Data, key: string): string | null {
  const value = data[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return null;
}

/** A step id is `<action>:<account>:<target>` (src/actions/engine.ts). */
function step(data: Data): { what: string; target: string | null } {
  const id = str(data, 'stepId') ?? '?';
  const [action = id, account, ...rest] = id.split(':');
  const target = rest.length ? `${rest.join(':')}${account ? ` (account ${account})` : ''}` : null;
  return { what: action, target };
}

/**
 * How each journal kind becomes a line of "actions taken": the journal is shared by every
 * phase; the report keeps what was opened, planned, changed, checked or undone, and phase marks.
 * Kinds not listed (evidence, case updates, progress details) are not actions.
 */
const KINDS: Record<string, (d: Data) => { what: string; target: string | null; result: string | null }> = {
  'case.created': (d) => ({ what: 'case opened', target: subjectInput(d), result: null }),
  'phase.started': (d) => ({ what: `${str(d, 'phase') ?? '?'} started`, target: null, result: null }),
  'phase.completed': (d) => ({ what: `${str(d, 'phase') ?? '?'} completed`, target: null, result: null }),
  'plan.created': (d) => ({
    what: `plan ${str(d, 'planId') ?? '?'} written`,
    target: null,
    result: Array.isArray(d.steps) ? `${d.steps.length} step(s)` : null,
  }),
  'contain.confirmed': (d) => ({
    what: `plan ${str(d, 'planId') ?? '?'} confirmed`,
    target: null,
    result: str(d, 'by'),
  }),
  'step.applied': (d) => ({ ...step(d), what: `${step(d).what} applied`, result: 'done' }),
  'step.failed': (d) => ({ ...step(d), what: `${step(d).what} failed`, result: str(d, 'error') }),
  'step.verified': (d) => ({ ...step(d), what: `${step(d).what} verified`, result: str(d, 'observed') }),
  'step.undone': (d) => ({ ...step(d), what: `${step(d).what} undone`, result: 'restored' }),
  'plan.applied': (d) => ({
    what: `plan ${str(d, 'planId') ?? '?'} applied`,
    target: null,
    result: d.verified === true ? 'every step verified' : 'not every step verified',
  }),
  'contain.manual': (d) => ({ what: 'manual containment required', target: null, result: str(d, 'reason') }),
  'contain.refused': (d) => ({ what: 'containment step refused', target: null, result: str(d, 'reason') }),
};

function subjectInput(data: Data): string | null {
  const subject = data.subject;
  if (typeof subject === 'object' && subject !== null) return str(subject as Data, 'input');
  return null;
}

/** The responders' actions in journal order. */
export function actionsTaken(journal: JournalEntry[]): ActionTaken[] {
  const out: ActionTaken[] = [];
  for (const entry of journal) {
    const describe = KINDS[entry.kind];
    if (!describe) continue;
    const data = typeof entry.data === 'object' && entry.data !== null ? (entry.data as Data) : {};
    out.push({ at: entry.at, kind: entry.kind, actor: entry.actor, ...describe(data) });
  }
  return out;
}

/**
 * When containment was first verified: the contain command's timing line (`contain.timing`
 * with `verified`), else the first fully verified containment plan, else the contain phase's
 * completion when the case says it is contained. Later re-runs only re-verify.
 */
export function containmentTime(
  journal: JournalEntry[],
  phases: Record<string, { started?: string; completed?: string } | undefined>,
  status: string,
): string | null {
  const data = (e: JournalEntry): Data =>
    typeof e.data === 'object' && e.data !== null ? (e.data as Data) : {};
  const timing = journal.find((e) => e.kind === 'contain.timing' && str(data(e), 'verified'));
  if (timing) return str(data(timing), 'verified');
  const plan = journal.find(
    (e) =>
      e.kind === 'plan.applied' &&
      data(e).verified === true &&
      (str(data(e), 'planId') ?? '').startsWith('contain'),
  );
  if (plan) return str(data(plan), 'at') ?? plan.at;
  const done = phases.contain?.completed;
  return done && status !== 'open' ? done : null;
}

/** Whether a step of this action (`rotate-access-key`, …), on this target when given, was applied. */
export function stepApplied(actions: ActionTaken[], action: string, target?: string | null): boolean {
  return actions.some(
    (a) =>
      a.kind === 'step.applied' &&
      a.what === `${action} applied` &&
      (target === undefined || (target !== null && a.target?.startsWith(`${target} `) === true)),
  );
}
