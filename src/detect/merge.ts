import { highestRow } from './events.js';
import type { Finding } from './finding.js';

/**
 * Fold Sigma findings that only repeat built-in ones: a Sigma finding whose every event is already
 * in some built-in finding is dropped, and each built-in finding sharing its events names the
 * Sigma rule in `alsoMatched` (with the authors' attribution, which the licence requires). A Sigma
 * finding with any event no built-in rule reported stays whole: it adds something. Built-in
 * findings keep their rating, since they check the parameters that make a call dangerous while
 * most Sigma rules match the API name alone.
 */
export function mergeSigmaDuplicates(
  findings: Finding[],
  rows: (f: Finding) => readonly number[] | undefined = () => undefined,
): Finding[] {
  // Each event by its row in the store when every finding knows its rows (an array index where an
  // event id must be hashed, a character at a time), else by its id.
  const byRow = findings.every((f) => rows(f) !== undefined);
  const keysOf = (f: Finding): readonly (string | number)[] => (byRow ? rows(f)! : f.eventIds);
  // A capped event list cannot prove the whole finding is covered.
  const complete = (f: Finding): boolean =>
    f.ruleSource === 'sigma' &&
    f.eventIds.length > 0 &&
    (f.eventCount ?? f.eventIds.length) === f.eventIds.length;
  // The built-in findings holding each event of a Sigma finding that could be covered (null: none
  // yet); only those events are looked up (a million-record case's built-in findings name over
  // a million events, its Sigma findings a fraction, and its capped Sigma findings half of that).
  const hostsOf = byRow
    ? byIndex(findings.reduce((max, f) => (complete(f) ? Math.max(max, highestRow(rows(f)!)) : max), -1) + 1)
    : new Map<string | number, Hosts>();
  for (const f of findings) if (complete(f)) for (const id of keysOf(f)) hostsOf.set(id, null);
  for (const f of findings) {
    if (f.ruleSource === 'sigma') continue;
    for (const id of keysOf(f)) {
      const had = hostsOf.get(id);
      if (had === undefined) continue;
      if (had === null) hostsOf.set(id, f);
      else if (Array.isArray(had)) had.push(f);
      else hostsOf.set(id, [had, f]);
    }
  }
  const kept: Finding[] = [];
  for (const f of findings) {
    const keys = keysOf(f);
    if (!complete(f) || !keys.every((id) => hostsOf.get(id) !== null)) {
      kept.push(f);
      continue;
    }
    const hosts = new Set(keys.flatMap((id) => hostsOf.get(id)!));
    for (const host of hosts) {
      const also = host.alsoMatched ?? [];
      if (!also.some((a) => a.ruleId === f.ruleId))
        also.push({ ruleId: f.ruleId, title: f.title, attribution: f.attribution ?? null });
      host.alsoMatched = also;
    }
  }
  return kept;
}

/** The built-in findings holding an event: none yet (null), one, or several. */
type Hosts = Finding | Finding[] | null;

/** `Map`'s get and set over keys that are rows below `size`: an array, no hashing. */
function byIndex(size: number): {
  get(key: string | number): Hosts | undefined;
  set(key: string | number, value: Hosts): void;
} {
  const at: (Hosts | undefined)[] = new Array<Hosts | undefined>(size);
  return {
    get: (key) => at[key as number],
    set: (key, value) => {
      at[key as number] = value;
    },
  };
}
