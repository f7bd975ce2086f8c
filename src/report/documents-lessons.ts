import type { Doc, DocBlock, Text } from './doc.js';
import type { Facts } from './facts.js';
import type { Duration } from './metrics.js';
import { factText, isUnknown, type Fact } from './unknown.js';
import {
  activityText,
  containedText,
  costText,
  createdSummary,
  listText,
  subjectText,
  timeText,
  utc,
} from './words.js';

/** An hour: a credential used for longer than this before anyone knew is a detection gap. */
const HOUR_MS = 3_600_000;

/** One stage of the response: when it happened and how long after awareness. */
function stageRows(facts: Facts): Text[][] {
  const t = facts.times;
  const m = facts.metrics;
  const span = (d: Fact<Duration>) => factText(d, (x) => x.text);
  return [
    ['Attack began (first attacker call)', timeText(t.firstAttackerEvent), '-'],
    ['Detected (awareness)', timeText(t.awareness), `time to detect: ${span(m.timeToDetect)}`],
    ['Contained (verified)', timeText(t.containment), `time to contain: ${span(m.timeToContain)}`],
    ['Eradicated (verified)', timeText(t.eradication), `time to eradicate: ${span(m.timeToEradicate)}`],
    [
      'Recovered (owner’s credential rotated)',
      timeText(t.recovery),
      `time to recover: ${span(m.timeToRecover)}`,
    ],
    [
      'Watched for re-entry',
      factText(facts.watch, (w) => `${utc(w.since)} → ${utc(w.until)}`),
      factText(facts.watch, (w) => w.verdict),
    ],
  ];
}

const longTermKey = (facts: Facts): boolean =>
  !isUnknown(facts.subject) && (facts.subject.kind === 'access-key' || facts.subject.kind === 'user');

const categoryCount = (facts: Facts, category: string): number =>
  isUnknown(facts.findingsByCategory)
    ? 0
    : (facts.findingsByCategory.find((c) => c.category === category)?.findings.length ?? 0);

/** The blast radius lines a review needs; the full list is in the full report. */
const REACH_SHOWN = /^(Compromised|Roles within reach|Raises severity)/;

const reachLine = (facts: Facts): string =>
  isUnknown(facts.scope)
    ? `unknown (${facts.scope.unknown})`
    : isUnknown(facts.scope.reach)
      ? `unknown (${facts.scope.reach.unknown})`
      : facts.scope.reach
          .filter(([label]) => REACH_SHOWN.test(label))
          .map(([label, text]) => `${label}: ${text}`)
          .join('; ');

const waysIn = (facts: Facts): string =>
  isUnknown(facts.scope)
    ? `unknown (${facts.scope.unknown})`
    : `${facts.scope.persistence.filter((p) => p.attribution === 'attacker').length} way(s) back in left by the attacker, ` +
      `${facts.eradicated ? 'removed or put back by a verified eradication' : 'not yet removed (tourniquet eradicate)'}`;

const gaps = (facts: Facts): number =>
  isUnknown(facts.coverage) ? 0 : facts.coverage.filter((c) => c.state !== 'complete').length;

/**
 * The playbook's root-cause questions, each answered as far as the case knows; what it cannot
 * know (where the key leaked from) is said so, for the review to fill in.
 */
function questions(facts: Facts): Text[][] {
  const detect = facts.metrics.timeToDetect;
  return [
    [
      'How was the credential exposed?',
      `Not in the case: ${subjectText(facts.subject)} (${factText(facts.credentialType)}) was used from ` +
        `${listText(facts.attackerIps)} with ${listText(facts.userAgents)}. Look where it was stored or ` +
        'committed (tourniquet scan-secrets over the repositories and CI logs that held it).',
    ],
    [
      'How was it detected, and how long did that take?',
      `Awareness at ${timeText(facts.times.awareness)}; time to detect ${factText(detect, (d) => d.text)}.`,
    ],
    [
      'What could the credential do, and did it need that much?',
      `${reachLine(facts)}.${isUnknown(facts.severity) ? '' : ` Severity ${facts.severity.level}.`}`,
    ],
    ['What did the attacker do?', `${activityText(facts)}; resources created: ${createdSummary(facts)}.`],
    ['What did it leave behind?', `${waysIn(facts)}.`],
    [
      'Did logging see everything?',
      `${gaps(facts)} source/region range(s) not completely read; ${categoryCount(facts, 'defense-evasion')} ` +
        'finding(s) of the attacker tampering with logging or detection.',
    ],
    ['What did it cost?', `${costText(facts)}.`],
    ['Was containment in time?', `${containedText(facts)}.`],
  ];
}

/** Action items as data: one is listed when the case shows the gap it closes. */
const ACTIONS: { when: (f: Facts) => boolean; text: string }[] = [
  {
    when: longTermKey,
    text: 'Replace long-term access keys with roles or IAM Identity Center sessions; tourniquet audit lists the keys left and their age.',
  },
  {
    when: (f) => !isUnknown(f.scope) && f.scope.raisers.length > 0,
    text: 'Cut the principal’s rights to what it uses: the reach above raised the severity.',
  },
  {
    when: (f) => {
      const d = f.metrics.timeToDetect;
      return isUnknown(d) || d.ms > HOUR_MS;
    },
    text: 'Alert on a stolen key’s first calls, not the bill: tourniquet prevent deploys the alert rules (GuardDuty findings and CloudTrail patterns to EventBridge).',
  },
  {
    when: (f) => gaps(f) > 0,
    text: 'Close the logging gaps: an organisation trail in every region, log file validation on, the bucket locked.',
  },
  {
    when: (f) => categoryCount(f, 'defense-evasion') > 0,
    text: 'Protect logging and detection with an SCP so no workload credential can stop them (tourniquet prevent).',
  },
  {
    when: (f) => !isUnknown(f.scope) && f.scope.persistence.some((p) => p.attribution === 'attacker'),
    text: 'Deny IAM user, key and trust changes outside the deployment pipeline (SCP from tourniquet prevent).',
  },
  {
    when: (f) => !isUnknown(f.cost) && f.cost.totalUsd > 0,
    text: 'Set AWS Budgets alerts on each account so a spend spike pages someone within hours.',
  },
  {
    when: () => true,
    text: 'Scan repositories, CI logs and images for secrets before they ship (tourniquet scan-secrets), and rehearse this playbook on the simulated account (tourniquet demo).',
  },
];

/** The post-incident review: measured stage times, root-cause questions, action items. */
export function lessonsLearned(facts: Facts): Doc {
  // This document is the review the last step asks for.
  const open = facts.nextSteps.filter((s) => !s.startsWith('Hold the post-incident review'));
  const blocks: DocBlock[] = [
    { kind: 'heading', text: 'Timeline of the response' },
    {
      kind: 'table',
      columns: ['Stage', 'When', 'Measured'],
      rows: stageRows(facts),
      empty: 'No stage recorded.',
    },
    { kind: 'heading', text: 'Root-cause questions' },
    {
      kind: 'table',
      columns: ['Question', 'What the case knows'],
      rows: questions(facts),
      empty: 'No question.',
    },
    { kind: 'heading', text: 'Action items' },
    { kind: 'list', ordered: true, items: ACTIONS.filter((a) => a.when(facts)).map((a) => a.text) },
    { kind: 'heading', text: 'Still open' },
    { kind: 'list', items: open.length ? open : ['Nothing: every step of the playbook is done.'] },
  ];
  return {
    title: 'Post-incident review: compromised AWS credential',
    byline: `Lessons learned · case ${facts.caseId} · ${utc(facts.generatedAt)}`,
    blocks,
  };
}
