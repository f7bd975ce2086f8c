import type { CheckDef, Verdict } from './check.js';
import type { AuditFacts } from './facts.js';

/**
 * The three alarms the issue asks for, each found either as a CloudWatch Logs metric filter with
 * an alarm that notifies someone (CIS 3.0.0 §4) or as an enabled EventBridge rule with a target.
 * Patterns are matched on the text that matters: a filter or rule that mentions it counts.
 */
interface Monitor {
  id: string;
  title: string;
  cis: string;
  filter(pattern: string): boolean;
  rule(pattern: string): boolean;
  fix: string;
}

const IAM_POLICY_EVENTS =
  /(Put|Delete|Attach|Detach)(User|Group|Role)Policy|CreatePolicy(Version)?|DeletePolicy(Version)?/;

const MONITORS: Monitor[] = [
  {
    id: 'alarms.root-use',
    title: 'An alarm fires on any use of the root user',
    cis: '4.3',
    filter: (p) => /userIdentity\.type\s*=\s*"?Root"?/.test(p),
    rule: (p) => /"userIdentity"/.test(p) && /"Root"/.test(p),
    fix: 'Deploy the EventBridge rules `tourniquet prevent` writes (root use, IAM changes, console failures), or the CIS metric filter `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }` with an alarm.',
  },
  {
    id: 'alarms.iam-changes',
    title: 'An alarm fires on IAM policy changes',
    cis: '4.4',
    filter: (p) => IAM_POLICY_EVENTS.test(p),
    rule: (p) => /"aws\.iam"|iam\.amazonaws\.com/.test(p),
    fix: 'Deploy the EventBridge rules `tourniquet prevent` writes, or the CIS 4.4 metric filter on the IAM policy events with an alarm.',
  },
  {
    id: 'alarms.console-failures',
    title: 'An alarm fires on console sign-in failures',
    cis: '4.6',
    filter: (p) => /ConsoleLogin/.test(p) && /Failed authentication/.test(p),
    rule: (p) => /ConsoleLogin/.test(p) && /Failure|Failed authentication/.test(p),
    fix: 'Deploy the EventBridge rules `tourniquet prevent` writes, or the CIS 4.6 metric filter `{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }` with an alarm.',
  },
];

function judge(m: Monitor, f: AuditFacts): Verdict {
  const found: string[] = [];
  const unread: string[] = [];
  for (const region of f.regions) {
    const filters = f.metricFilters[region];
    const alarms = f.alarms[region];
    const rules = f.eventRules[region];
    if (filters?.ok && alarms?.ok) {
      for (const flt of filters.value.filter((x) => m.filter(x.pattern))) {
        const alarm = alarms.value.find(
          (a) => a.metric === flt.metric && a.namespace === flt.namespace && a.enabled && a.actions.length,
        );
        if (alarm)
          found.push(
            `${region}: metric filter ${flt.name} on ${flt.logGroup} → alarm ${alarm.name} → ${alarm.actions.join(', ')}`,
          );
      }
    } else {
      for (const r of [filters, alarms]) if (r && !r.ok) unread.push(r.why);
    }
    if (rules?.ok)
      for (const r of rules.value.filter((x) => x.enabled && x.targets > 0 && m.rule(x.pattern)))
        found.push(`${region}: EventBridge rule ${r.name} (${r.targets} target${r.targets > 1 ? 's' : ''})`);
    else if (rules) unread.push(rules.why);
  }
  if (found.length) return { status: 'pass', evidence: found };
  if (unread.length)
    return {
      status: 'not-checked',
      why: `nothing found in what could be read; not read: ${unread.join('; ')}`,
      evidence: [],
    };
  return {
    status: 'fail',
    evidence: [
      'no metric filter with an alarm, and no enabled EventBridge rule with a target, in any region',
    ],
  };
}

/** The alarm checks. */
export const MONITOR_CHECKS: CheckDef[] = MONITORS.map((m) => ({
  id: m.id,
  title: m.title,
  area: 'detection',
  cis: [m.cis],
  fix: m.fix,
  judge: (f) => judge(m, f),
}));
