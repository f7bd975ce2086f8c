import type { ClientPool } from '../aws/pool.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../context.js';

/** What an action may use: the AWS pool of the account it acts in, a clock and a logger. */
export interface ActionEnv {
  clock: Clock;
  log: Logger;
  /** The client pool for an account (the responder's own account, or one reached by role). */
  poolFor(account: string): Promise<ClientPool>;
  /**
   * Hand a new secret (a key, a password) to the person running the tool: shown once or written to
   * a file only they can read, never to the journal, the plan, the logs or a report.
   */
  reveal?: (label: string, secret: string) => void;
}

/** The inputs of one step: plain strings, so a plan can be written down and resumed. */
export type StepParams = Record<string, string>;

/** What `plan` reads from AWS and proposes, before anything changes. */
export interface StepProposal {
  /** The state read from AWS now (the before-state kept for undo and for the record). */
  before: unknown;
  /** One line: what would change, e.g. `Active → Inactive`. */
  change: string;
  /** Already in the target state: a result, not an error; apply does nothing. */
  noop: boolean;
  /**
   * Why a guard refuses the step (e.g. the resource existed before the attack, so it is never
   * deleted): the step is kept in the plan for the record, applies nothing and is not verified.
   */
  refused?: string;
  /** What a person must do that no step can (objects AWS cannot give back): listed as to do by hand. */
  manual?: string;
}

/** One step of a plan, as written to the case. */
export interface PlannedStep extends StepProposal {
  /** Stable id within the case: `<action>:<account>:<target>`; what `--undo` names. */
  id: string;
  action: string;
  account: string;
  /** What it acts on, in the playbook's words (key id, user or role ARN). */
  target: string;
  params: StepParams;
  reversible: boolean;
}

/** What `apply` did, kept in the journal so `verify` and `undo` can use it. */
export type ApplyDetail = Record<string, unknown>;

/** What reading the state back showed. */
export interface VerifyOutcome {
  ok: boolean;
  /** One line: what was observed. */
  observed: string;
}

/** Keep one artifact in the case's evidence (sha256 in the manifest) before anything is removed. */
export type KeepEvidence = (
  file: string,
  content: string | Uint8Array,
  source: string,
) => Promise<{ path: string; sha256: string }>;

/** Context of an apply: the time it started (the cut-off of session revocations). */
export interface ApplyContext {
  at: Date;
  /** The case the step belongs to (tags on what the step creates, such as evidence snapshots). */
  caseId: string;
  /** Evidence under a folder of this step, the same on a resumed run (files are replaced). */
  keep: KeepEvidence;
  /** Wait on the tool's clock (AWS work that settles: snapshots, instances shutting down). */
  sleep: (ms: number) => Promise<void>;
}

/**
 * An action, declared as data (DESIGN.md §3.4): `plan` reads the current state and proposes a
 * change; `apply` makes it (and must accept a state that is already the target); `verify` reads
 * it back; `undo` restores the before-state where AWS allows it.
 */
export interface ActionDef {
  name: string;
  /** One line for plans and help. */
  summary: string;
  plan(
    env: ActionEnv,
    account: string,
    params: StepParams,
    prior: PriorApply | undefined,
  ): Promise<StepProposal>;
  apply(env: ActionEnv, step: PlannedStep, context: ApplyContext): Promise<ApplyDetail>;
  verify(env: ActionEnv, step: PlannedStep, applied: ApplyDetail | undefined): Promise<VerifyOutcome>;
  /** Absent when AWS offers no way back (a deleted console password cannot be restored). */
  undo?(env: ActionEnv, step: PlannedStep, applied: ApplyDetail | undefined): Promise<ApplyDetail>;
  /** Why there is no undo, when there is none. */
  irreversibleBecause?: string;
  /** The target's display name, from the params. */
  target(params: StepParams): string;
}

/** The last verified apply of the same step earlier in the case (for idempotent refreshes). */
export interface PriorApply {
  at: string;
  detail: ApplyDetail;
}
