import type { Finding } from './finding.js';

/**
 * Fold Sigma findings that only repeat built-in ones: a Sigma finding whose every event is already
 * in some built-in finding is dropped, and each built-in finding sharing its events names the
 * Sigma rule in `alsoMatched` (with the authors' attribution, which the licence requires). A Sigma
 * finding with any event no built-in rule reported stays whole: it adds something. Built-in
 * findings keep their rating, since they check the parameters that make a call dangerous while
 * most Sigma rules match the API name alone.
 */
export function mergeSigmaDuplicates(findings: Finding[]): Finding[] {
  const builtin = findings.filter((f) => f.ruleSource !== 'sigma');
  // Only the Sigma findings' events need their built-in findings (a million-record case's
  // built-in findings name over a million events, its Sigma findings a fraction).
  const asked = new Set(findings.flatMap((f) => (f.ruleSource === 'sigma' ? f.eventIds : [])));
  const byEvent = new Map<string, Finding[]>();
  for (const f of builtin) {
    for (const id of f.eventIds) {
      if (!asked.has(id)) continue;
      const of = byEvent.get(id);
      if (of) of.push(f);
      else byEvent.set(id, [f]);
    }
  }
  const kept: Finding[] = [];
  for (const f of findings) {
    if (f.ruleSource !== 'sigma') {
      kept.push(f);
      continue;
    }
    // A capped event list cannot prove the whole finding is covered.
    const complete = (f.eventCount ?? f.eventIds.length) === f.eventIds.length;
    if (!complete || f.eventIds.length === 0 || !f.eventIds.every((id) => byEvent.has(id))) {
      kept.push(f);
      continue;
    }
    const hosts = new Set(f.eventIds.flatMap((id) => byEvent.get(id)!));
    for (const host of hosts) {
      const also = host.alsoMatched ?? [];
      if (!also.some((a) => a.ruleId === f.ruleId))
        also.push({ ruleId: f.ruleId, title: f.title, attribution: f.attribution ?? null });
      host.alsoMatched = also;
    }
  }
  return kept;
}
