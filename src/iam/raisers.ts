import type { BlastRadius } from './blast-radius.js';

/** What in a blast radius raises an incident's severity. */
export type RaiserId = 'admin-reach' | 'data-of-another-account' | 'cross-account-role-reach';

export interface SeverityRaiser {
  id: RaiserId;
  /** The severity it calls for at least (triage's scale: P1 highest). */
  level: 'P1' | 'P2';
  /** One line for the reports. */
  reason: string;
  /** The principals, paths, escalation targets or resources that show it. */
  evidence: string[];
}

const MAX_EVIDENCE = 20;

interface RaiserDef {
  id: RaiserId;
  level: SeverityRaiser['level'];
  evidence: (b: BlastRadius) => string[];
  reason: (evidence: string[]) => string;
}

const some = (list: string[]) =>
  `${list.slice(0, 3).join('; ')}${list.length > 3 ? `; +${list.length - 3} more` : ''}`;

/** The raisers, declared: each finds its evidence in the blast radius. */
export const RAISERS: RaiserDef[] = [
  {
    id: 'admin-reach',
    level: 'P1',
    evidence: (b) => [
      ...b.principals
        .filter((p) => p.admin)
        .map((p) =>
          p.compromised ? `${p.name} is an administrator` : `${p.path ?? p.name} (administrator)`,
        ),
      ...b.principals.flatMap((p) =>
        p.escalation
          .filter((e) => e.reachesAdmin)
          .map(
            (e) =>
              `${p.name}: ${e.method} on ${e.targets
                .filter((t) => t.reachesAdmin)
                .map((t) => t.name)
                .join(', ')}`,
          ),
      ),
    ],
    reason: (e) => `administrator rights are within reach: ${some(e)}`,
  },
  {
    id: 'data-of-another-account',
    level: 'P1',
    evidence: (b) =>
      b.data
        .filter((d) => d.account !== b.subject.account && d.access.some((a) => a.via.length))
        .map(
          (d) =>
            `${d.access
              .filter((a) => a.via.length)
              .map((a) => a.level)
              .join('/')} ${d.name} (${d.account})`,
        ),
    reason: (e) => `data of another account is within reach: ${some(e)}`,
  },
  {
    id: 'cross-account-role-reach',
    level: 'P2',
    evidence: (b) => b.graph.paths.filter((p) => p.crossAccount).map((p) => p.text),
    reason: (e) => `roles of another account can be assumed: ${some(e)}`,
  },
];

/** The severity raisers a blast radius shows. */
export function severityRaisers(b: BlastRadius): SeverityRaiser[] {
  const out: SeverityRaiser[] = [];
  for (const def of RAISERS) {
    const evidence = [...new Set(def.evidence(b))];
    if (evidence.length)
      out.push({
        id: def.id,
        level: def.level,
        reason: def.reason(evidence),
        evidence: evidence.slice(0, MAX_EVIDENCE),
      });
  }
  return out;
}
