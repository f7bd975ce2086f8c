import type { JournalEntry } from '../case/journal.js';
import { unknown, type Fact } from './unknown.js';

/** What the watch after eradication saw (`tourniquet watch`, journalled as `watch.*` lines). */
export interface WatchFacts {
  since: string;
  until: string;
  finished: boolean;
  polls: number;
  alerts: number;
  /** `no re-entry for 48 h`, the alerts, or `still watching`. */
  verdict: string;
}

/** The newest watch of the case, from its journal lines. */
export function watchFacts(journal: JournalEntry[]): Fact<WatchFacts> {
  const start = journal.filter((e) => e.kind === 'watch.started').at(-1);
  if (!start) return unknown('no watch for re-entry has run (tourniquet watch)');
  const plan = start.data as { watchId: string; since: string; until: string };
  const mine = journal.filter(
    (e) => e.seq > start.seq && (e.data as { watchId?: string } | null)?.watchId === plan.watchId,
  );
  const finished = mine.find((e) => e.kind === 'watch.finished')?.data as { verdict: string } | undefined;
  const alerts = mine.filter((e) => e.kind === 'watch.alert').length;
  return {
    since: plan.since,
    until: plan.until,
    finished: finished !== undefined,
    polls: mine.filter((e) => e.kind === 'watch.poll').length,
    alerts,
    verdict:
      finished?.verdict ?? `still watching until ${plan.until}${alerts ? `; ${alerts} alert(s) so far` : ''}`,
  };
}
