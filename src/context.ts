import type { ClientPool } from './aws/pool.js';
import type { CaseFolder } from './case/case.js';
import type { Clock } from './clock.js';

/** Where diagnostics go (stderr in the CLI); never stdout, which is for results. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** One piece of long work. */
export interface ProgressTask {
  /** Advance by `n` (default 1); `detail` names what is being done now. */
  tick(n?: number, detail?: string): void;
  /** Finish, with a one-line summary. */
  done(summary?: string): void;
}

/** Reports progress of long work; silent when nobody is watching (not a TTY, --json, --quiet). */
export interface Progress {
  start(label: string, total?: number): ProgressTask;
}

export const silentProgress: Progress = {
  start: () => ({ tick: () => undefined, done: () => undefined }),
};

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

/** What every phase function receives (DESIGN.md §2). Nothing else is global. */
export interface Context {
  clock: Clock;
  log: Logger;
  progress: Progress;
}

/** A context bound to a case and to AWS. */
export interface CaseContext extends Context {
  case: CaseFolder;
  aws: ClientPool;
}
