import type { Level, TriageReport } from './report.js';

type Facts = Omit<TriageReport, 'severity'>;

const DAY = 86_400_000;

function activeCredential(r: Facts): boolean {
  if (r.key) return r.key.status === 'Active';
  if (r.resolved.credential === 'iam-user')
    return r.otherKeys.some((k) => k.status === 'Active') || (r.consolePassword?.exists ?? false);
  return r.resolved.credential !== 'unknown';
}

function usedWithin(r: Facts, days: number): boolean {
  const now = Date.parse(r.checkedAt);
  const dates = [
    r.key?.lastUsed?.date,
    ...r.otherKeys.map((k) => k.lastUsed?.date),
    r.consolePassword?.lastUsed,
    r.role?.lastUsed,
    r.activity?.lastSeen,
  ];
  return dates.some((d) => d && now - Date.parse(d) <= days * DAY);
}

/**
 * Severity rules, declared: the highest level that matches wins, and every matching reason is
 * listed. Root or administrator rights are P1 (issue 6 §1).
 */
export const SEVERITY_RULES: { level: Level; when: (r: Facts) => boolean; reason: (r: Facts) => string }[] = [
  {
    level: 'P1',
    when: (r) => r.resolved.credential === 'root',
    reason: () => 'root user credentials: full control of the account',
  },
  { level: 'P1', when: (r) => r.admin === true, reason: () => 'the principal has administrator rights' },
  {
    level: 'P2',
    when: (r) => r.admin !== true && (r.escalation?.length ?? 0) > 0,
    reason: (r) =>
      `can change IAM (escalation or persistence): ${r.escalation!.slice(0, 4).join(', ')}${r.escalation!.length > 4 ? ', …' : ''}`,
  },
  {
    level: 'P2',
    when: (r) => (r.quarantine?.attached.length ?? 0) > 0,
    reason: () => 'AWS has quarantined the key: it saw it exposed',
  },
  {
    level: 'P2',
    when: (r) => activeCredential(r) && usedWithin(r, 7),
    reason: () => 'active and used in the last 7 days',
  },
  {
    level: 'P3',
    when: (r) => activeCredential(r) && !usedWithin(r, 7),
    reason: () => 'the credential is still active',
  },
  { level: 'P4', when: () => true, reason: () => 'no active credential and no dangerous rights found' },
];

const ORDER: Level[] = ['P1', 'P2', 'P3', 'P4'];

/** Apply the rules: the highest matching level, with the reasons at that level and above. */
export function assessSeverity(facts: Facts): { level: Level; reasons: string[] } {
  const matched = SEVERITY_RULES.filter((rule) => rule.when(facts));
  const level = ORDER.find((l) => matched.some((m) => m.level === l)) ?? 'P4';
  const reasons = matched.filter((m) => m.level !== 'P4' || level === 'P4').map((m) => m.reason(facts));
  if (facts.notChecked.length && level !== 'P1')
    reasons.push(`${facts.notChecked.length} check(s) could not be made: the level may be higher`);
  return { level, reasons };
}
