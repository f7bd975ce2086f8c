import { JOURNAL_FILE, type CaseFolder } from '../case/case.js';
import { readJournal, type JournalEntry } from '../case/journal.js';
import type { WatchAlert } from './alerts.js';

/** Journal kinds of the watch: everything it knows on a restart is read back from these. */
export const WATCH = {
  started: 'watch.started',
  poll: 'watch.poll',
  alert: 'watch.alert',
  notified: 'watch.notified',
  notifyFailed: 'watch.notify-failed',
  finished: 'watch.finished',
} as const;

/** What a watch was started with (journalled once; a restart continues it). */
export interface WatchPlan {
  watchId: string;
  /** Calls from here on are watched. */
  since: string;
  /** When the watch ends. */
  until: string;
  everyMs: number;
  regions: string[];
  /** Keys, principals, addresses or event ids whose calls raise no alert. */
  exclude: string[];
  /** Where alerts are posted, without path or query (a webhook URL is a secret). */
  notify: string | null;
}

/** One poll, as journalled: how far each source has been read. */
export interface PollRecord {
  watchId: string;
  at: string;
  /** Source (`LookupEvents <region>`, `s3://bucket/prefix <region>`) → read through (ISO time or last key). */
  checkpoints: Record<string, string>;
  events: number;
  alerts: number;
  /** Sources that could not be read this time, with the reason. */
  notChecked: string[];
}

/** How a watch ended. */
export interface WatchVerdict {
  watchId: string;
  since: string;
  until: string;
  polls: number;
  alerts: number;
  /** `no re-entry for 48 h`, or the number of alerts. */
  verdict: string;
  notChecked: string[];
}

/** The watch as the journal tells it. */
export interface WatchState {
  plan: WatchPlan;
  checkpoints: Record<string, string>;
  polls: number;
  lastPoll: string | null;
  alerts: WatchAlert[];
  /** Alert ids whose webhook post succeeded. */
  notified: Set<string>;
  notChecked: string[];
  finished: WatchVerdict | null;
}

function entries(folder: CaseFolder | string): JournalEntry[] {
  const file = typeof folder === 'string' ? `${folder}/${JOURNAL_FILE}` : folder.path(JOURNAL_FILE);
  return readJournal(file)
    .map((line) => JSON.parse(line) as JournalEntry)
    .filter((e) => e.kind.startsWith('watch.'));
}

/** The newest watch of a case (a folder or its path), or undefined when none was started. */
export function readWatch(folder: CaseFolder | string): WatchState | undefined {
  const lines = entries(folder);
  const start = lines.filter((e) => e.kind === WATCH.started).at(-1);
  if (!start) return undefined;
  const plan = start.data as WatchPlan;
  const mine = lines.filter(
    (e) => e.seq > start.seq && (e.data as { watchId?: string }).watchId === plan.watchId,
  );
  const state: WatchState = {
    plan,
    checkpoints: {},
    polls: 0,
    lastPoll: null,
    alerts: [],
    notified: new Set(),
    notChecked: [],
    finished: null,
  };
  for (const e of mine) {
    if (e.kind === WATCH.poll) {
      const poll = e.data as PollRecord;
      Object.assign(state.checkpoints, poll.checkpoints);
      state.polls += 1;
      state.lastPoll = poll.at;
      for (const n of poll.notChecked) if (!state.notChecked.includes(n)) state.notChecked.push(n);
    } else if (e.kind === WATCH.alert) state.alerts.push((e.data as { alert: WatchAlert }).alert);
    else if (e.kind === WATCH.notified) state.notified.add((e.data as { alertId: string }).alertId);
    else if (e.kind === WATCH.finished) state.finished = e.data as WatchVerdict;
  }
  return state;
}
