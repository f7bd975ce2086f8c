import type { TriageReport } from './report.js';

const unknown = (reason: string) => `unknown (${reason})`;

/** When the next update is due, by severity (hours). */
const NEXT_UPDATE_HOURS = { P1: 1, P2: 4, P3: 24, P4: 72 } as const;

const CREDENTIAL_WORDS: Record<string, string> = {
  'access-key': 'long-term access key',
  'temporary-key': 'temporary (STS) access key',
  'console-password': 'console password',
  'iam-user': 'IAM user (all its credentials)',
  role: 'IAM role',
  'role-session': 'assumed-role session',
  'federated-session': 'federated-user session',
  root: 'root user credentials',
  unknown: 'credential of unknown type',
};

function owner(r: TriageReport): string {
  return (
    r.resolved.user?.arn ??
    r.resolved.role?.arn ??
    r.resolved.sessionArn ??
    unknown(r.notChecked[0] ?? 'owner not found')
  );
}

function status(r: TriageReport): string {
  if (r.key) return `${r.key.status}`;
  if (r.resolved.credential === 'root') return unknown('root credentials cannot be inspected through IAM');
  if (r.resolved.credential === 'role')
    return r.role?.revokedBefore ? `sessions issued before ${r.role.revokedBefore} revoked` : 'active';
  return unknown('no key to inspect');
}

function lastUse(r: TriageReport): string {
  const u = r.key?.lastUsed;
  if (u?.date) return `${u.date} (${u.service ?? 'service unknown'}, ${u.region ?? 'region unknown'})`;
  if (u) return 'never used';
  if (r.activity?.lastSeen) return `${r.activity.lastSeen} (last CloudTrail event)`;
  return unknown(r.activity ? 'no recorded use' : 'activity could not be read');
}

function activity(r: TriageReport): string {
  const a = r.activity;
  if (!a) return unknown('CloudTrail could not be read');
  if (a.events === 0) return `no events in CloudTrail event history (${a.regions.join(', ')})`;
  const top = a.topEvents
    .slice(0, 4)
    .map((e) => `${e.name} ×${e.count}`)
    .join(', ');
  return `${a.truncated ? 'at least ' : ''}${a.events} events (${a.errors} refused) from ${a.sourceIps.length} IP(s) in ${a.regions.join(', ')}, ${a.firstSeen ?? '?'} → ${a.lastSeen ?? '?'}; ${top}`;
}

/**
 * The playbook's initial status update, filled with what triage knows; anything not known is
 * written as `unknown (reason)`, never left as a template bracket.
 */
export function initialStatusUpdate(r: TriageReport, awareness: string | null, responder: string): string[] {
  const next = new Date(
    Date.parse(r.checkedAt) + NEXT_UPDATE_HOURS[r.severity.level] * 3_600_000,
  ).toISOString();
  return [
    `INITIAL STATUS UPDATE — security incident ${r.caseId ?? unknown('no case opened')} — ${r.checkedAt}`,
    `Severity: ${r.severity.level} — ${r.severity.reasons.join('; ')}`,
    `What happened: suspected compromise of a ${CREDENTIAL_WORDS[r.resolved.credential] ?? r.resolved.credential} (${r.resolved.subject.input}) in AWS account ${r.resolved.account ?? unknown('owning account not determined')}.`,
    `Owner: ${owner(r)}`,
    `Aware since: ${awareness ?? unknown('no awareness time recorded')}`,
    `Credential status: ${status(r)}; last used: ${lastUse(r)}`,
    `Activity so far: ${activity(r)}`,
    `Impact: ${unknown('the investigation has not started')}`,
    `Current status: identified; containment not yet applied. Next: \`tourniquet contain --apply\`, then collect and investigate.`,
    `Incident responder: ${responder}`,
    `Next update: by ${next}`,
  ];
}
