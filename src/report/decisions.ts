import { usd } from './cost.js';
import { storePhrase } from './data-stores.js';
import type { Facts } from './facts.js';
import { isUnknown, unknown, type Fact } from './unknown.js';

/** One decision the playbook asks for, answered from the facts. */
export interface Decision {
  id: 'forensics' | 'aws-support' | 'gdpr' | 'nis2' | 'internal';
  question: string;
  answer: 'yes' | 'no' | 'depends' | 'unknown';
  /** The rule the answer rests on, in the words of the playbook or the regulation. */
  criterion: string;
  /** The facts that decided it. */
  basis: string;
  deadlines: { label: string; at: Fact<string> }[];
}

type FactsSoFar = Omit<Facts, 'decisions' | 'nextSteps'>;

const HOUR = 3_600_000;

function after(awareness: Fact<string>, hours: number): Fact<string> {
  if (isUnknown(awareness)) return unknown(`awareness: ${awareness.unknown}`);
  return new Date(Date.parse(awareness) + hours * HOUR).toISOString();
}

/** What the facts say about activity, in the few numbers the rules use. */
function signals(f: FactsSoFar) {
  const known = !isUnknown(f.timeline);
  const events = known ? (f.timeline as Exclude<FactsSoFar['timeline'], { unknown: string }>).length : 0;
  const created = isUnknown(f.resources) ? [] : f.resources.filter((r) => r.action === 'created');
  const instances = created.filter((r) => r.type === 'EC2 instance').length;
  const functions = created.filter((r) => r.type === 'Lambda function').length;
  const reads = isUnknown(f.dataAccessed) ? [] : f.dataAccessed.filter((d) => d.succeeded);
  const categories = isUnknown(f.findingsByCategory) ? [] : f.findingsByCategory.map((c) => c.category);
  // Instances, and the RDS theft's storage, copies and exports where there was one.
  const cost = isUnknown(f.cost) ? 0 : f.cost.totalUsd + (f.cost.rds?.usd ?? 0);
  const partial = !isUnknown(f.coverage) && f.coverage.some((c) => c.state !== 'complete');
  const stores = isUnknown(f.dataStores) ? [] : f.dataStores;
  return { known, events, created, instances, functions, reads, categories, cost, partial, stores };
}

type Signals = ReturnType<typeof signals>;

/** The stores taken out or held to ransom, once each, for a basis. */
function wholeStores(s: Signals): string {
  const names = [...new Set(s.stores.filter((x) => x.whole).map((x) => x.store))];
  return names.length ? `, data taken out or held to ransom (${names.join(', ')})` : '';
}
type Rule = Omit<Decision, 'answer' | 'basis' | 'deadlines'> & {
  decide(s: Signals, f: FactsSoFar): { answer: Decision['answer']; basis: string };
  deadlines(f: FactsSoFar): Decision['deadlines'];
};

const noEvents = (s: Signals) =>
  s.known
    ? null
    : {
        answer: 'unknown' as const,
        basis: 'the attacker events are not known yet (run collect and investigate)',
      };

const coverageNote = (s: Signals) => (s.partial ? '; coverage is partial, so this can change' : '');

/** The decision points as data: question, criterion, rule and deadlines. */
const RULES: Rule[] = [
  {
    id: 'forensics',
    question: 'Is forensic analysis needed beyond CloudTrail?',
    criterion:
      'Yes when the attacker ran code on compute (instances, functions) or reached data or planted persistence: disks and code must be preserved (snapshots, function packages) before anything is deleted.',
    decide: (s) =>
      noEvents(s) ??
      (s.instances + s.functions > 0 || s.reads.length > 0 || s.categories.includes('persistence')
        ? {
            answer: 'yes',
            basis: `${s.instances} instance(s) and ${s.functions} function(s) created, ${s.reads.length} successful data read(s)${s.categories.includes('persistence') ? ', persistence findings' : ''}`,
          }
        : {
            answer: 'no',
            basis: `no compute created, no data read, no persistence among ${s.events} attacker call(s)${coverageNote(s)}`,
          }),
    deadlines: () => [],
  },
  {
    id: 'aws-support',
    question: 'Report to AWS Support?',
    criterion:
      'Yes when the attacker created resources or incurred charges: a support case asks AWS to review the account and is the way to request a billing adjustment.',
    decide: (s) =>
      noEvents(s) ??
      (s.created.length > 0 || s.cost > 0
        ? {
            answer: 'yes',
            basis: `${s.created.length} resource(s) created; estimated cost ${usd(s.cost)}`,
          }
        : { answer: 'no', basis: `no resources created and no estimated cost${coverageNote(s)}` }),
    deadlines: (f) => [{ label: 'open the case', at: f.times.nextUpdate }],
  },
  {
    id: 'gdpr',
    question: 'Notify the data-protection supervisory authority (GDPR Art. 33)?',
    criterion:
      'A personal-data breach is notified without undue delay and, where feasible, within 72 hours of becoming aware of it, unless it is unlikely to result in a risk to people. It applies when the data the attacker reached holds personal data.',
    decide: (s) =>
      noEvents(s) ??
      (s.stores.some((x) => x.whole)
        ? {
            answer: 'yes',
            basis: `data left the account or was made unavailable: ${s.stores.map(storePhrase).join('; ')}; notify unless its owners show it holds no personal data (the 72 h run from awareness)`,
          }
        : s.reads.length > 0 || s.categories.includes('exfiltration') || s.categories.includes('data-access')
          ? {
              answer: 'depends',
              basis: `the attacker read ${s.reads.length} data item(s); ask the data owners and the DPO whether they hold personal data`,
            }
          : { answer: 'no', basis: `no data read or exfiltration found${coverageNote(s)}` }),
    deadlines: (f) => [{ label: 'notification (72 h from awareness)', at: after(f.times.awareness, 72) }],
  },
  {
    id: 'nis2',
    question: 'Notify the CSIRT or competent authority (NIS2 Art. 23)?',
    criterion:
      'Essential and important entities report a significant incident (severe operational disruption or financial loss, or considerable damage to others): early warning within 24 hours of becoming aware, incident notification within 72 hours, final report within one month of the notification.',
    decide: (s, f) =>
      noEvents(s) ??
      (s.events > 0
        ? {
            answer: 'depends',
            basis: `if the organisation is in NIS2 scope: ${s.events} attacker call(s), estimated cost ${usd(s.cost)}, severity ${isUnknown(f.severity) ? 'unknown' : f.severity.level}${wholeStores(s)}; judge significance`,
          }
        : { answer: 'no', basis: `no attacker activity found${coverageNote(s)}` }),
    deadlines: (f) => [
      { label: 'early warning (24 h from awareness)', at: after(f.times.awareness, 24) },
      { label: 'incident notification (72 h from awareness)', at: after(f.times.awareness, 72) },
      {
        label: 'final report (one month after the notification)',
        at: after(f.times.awareness, 72 + 30 * 24),
      },
    ],
  },
  {
    id: 'internal',
    question: 'Escalate internally (management, legal, data owners)?',
    criterion:
      'Yes for any confirmed attacker activity or a P1/P2 severity: management hears of it at the next status update, legal and the data owners when data was reached.',
    decide: (s, f) => {
      const level = isUnknown(f.severity) ? null : f.severity.level;
      if (s.events > 0 || level === 'P1' || level === 'P2') {
        return {
          answer: 'yes',
          basis: `${s.events} attacker call(s); severity ${level ?? 'unknown'}; ${s.reads.length} data read(s)`,
        };
      }
      return (
        noEvents(s) ?? {
          answer: 'no',
          basis: `no attacker activity and severity ${level ?? 'unknown'}${coverageNote(s)}`,
        }
      );
    },
    deadlines: (f) => [{ label: 'next status update', at: f.times.nextUpdate }],
  },
];

/** Answer every decision point from the facts. */
export function evaluateDecisions(facts: FactsSoFar): Decision[] {
  const s = signals(facts);
  return RULES.map((rule) => ({
    id: rule.id,
    question: rule.question,
    criterion: rule.criterion,
    ...rule.decide(s, facts),
    deadlines: rule.deadlines(facts),
  }));
}
