import { openToAttacker } from '../scope/types.js';
import { campaignRegions, type Campaign } from '../detect/campaigns.js';
import type { Facts } from './facts.js';
import { stepApplied } from './response-log.js';
import { isUnknown } from './unknown.js';

type FactsSoFar = Omit<Facts, 'decisions' | 'nextSteps'>;

const applied = (f: FactsSoFar, action: string): boolean => stepApplied(f.actions, action);
/** The leaked access key (recover deletes it with --delete-old; eradication deletes others). */
const leakedKey = (f: FactsSoFar): string | null =>
  isUnknown(f.subject) ? null : (f.subject.accessKeyId ?? null);

/** Next steps as data: a step is listed when its condition holds on the facts. */
const STEPS: { when: (f: FactsSoFar) => boolean; text: (f: FactsSoFar) => string }[] = [
  {
    when: (f) => !f.contained,
    text: () =>
      'Contain the credential: tourniquet contain --apply (deactivates it, denies its derived sessions).',
  },
  {
    when: (f) => isUnknown(f.timeline),
    text: () => 'Collect and investigate the events: tourniquet collect, then tourniquet investigate.',
  },
  {
    when: (f) => !isUnknown(f.coverage) && f.coverage.some((c) => c.state !== 'complete'),
    text: (f) =>
      `Close the coverage gaps (${isUnknown(f.coverage) ? 0 : f.coverage.filter((c) => c.state !== 'complete').length} source/region ranges not complete) before concluding.`,
  },
  {
    when: (f) => !f.eradicated && !isUnknown(f.resources) && f.resources.some((r) => r.action === 'created'),
    text: (f) =>
      `Remove the ${isUnknown(f.resources) ? 0 : f.resources.filter((r) => r.action === 'created').length} resource(s) the attacker created, after preserving evidence (snapshots, function code, policy documents): tourniquet eradicate --apply.`,
  },
  {
    when: (f) =>
      isUnknown(f.scope) &&
      !f.eradicated &&
      !isUnknown(f.findingsByCategory) &&
      f.findingsByCategory.some((c) => c.category === 'persistence' || c.category === 'privilege-escalation'),
    text: () =>
      'Find every way back in the attacker left (users, keys, passwords, policy versions, role trusts, shares, public URLs, still-valid sessions): tourniquet scope.',
  },
  {
    when: (f) => !f.eradicated && !isUnknown(f.scope) && f.scope.persistence.some(openToAttacker),
    text: (f) => {
      const items = isUnknown(f.scope) ? [] : f.scope.persistence.filter(openToAttacker);
      return `Remove the ${items.length} way(s) back in the attacker left (${[...new Set(items.map((p) => p.kind))].join(', ')}), after keeping their evidence (tourniquet eradicate --apply); each is listed with its remediation under "Backdoors and reach".`;
    },
  },
  {
    when: (f) => !isUnknown(f.scope) && f.scope.persistence.some((p) => p.attribution === 'unknown'),
    text: (f) =>
      `Review the ${isUnknown(f.scope) ? 0 : f.scope.persistence.filter((p) => p.attribution === 'unknown').length} way(s) in of unknown origin: made during the incident, by no identified credential.`,
  },
  {
    when: (f) => !isUnknown(f.dataAccessed) && f.dataAccessed.some((d) => d.succeeded),
    text: () =>
      'Review the data accessed with its owners and the DPO; rotate the secrets and parameters that were read.',
  },
  {
    when: (f) => !isUnknown(f.cost) && f.cost.totalUsd > 0,
    text: () => 'Open an AWS Support case asking for a billing review (text in the aws-support report).',
  },
  {
    when: (f) => !applied(f, 'rotate-access-key'),
    text: () =>
      'Issue a new credential to its owner, update the applications that use it, then delete the old one once evidence is kept: tourniquet recover --apply.',
  },
  {
    when: (f) =>
      applied(f, 'rotate-access-key') && !stepApplied(f.actions, 'delete-access-key', leakedKey(f)),
    text: () =>
      'The owner has a new access key: once every application uses it, delete the old one (tourniquet recover --apply --delete-old).',
  },
  {
    when: (f) => isUnknown(f.watch) || !f.watch.finished,
    text: () =>
      "Watch for resumed activity for 48 hours: tourniquet watch (alerts on any call by the credential, its lineage or the attacker's addresses).",
  },
  {
    when: (f) => !isUnknown(f.watch) && f.watch.alerts > 0,
    text: (f) =>
      `Investigate the ${isUnknown(f.watch) ? 0 : f.watch.alerts} watch alert(s): the attacker may be back (tourniquet watch lists them).`,
  },
  {
    when: () => true,
    text: () => 'Hold the post-incident review: how the credential leaked and what prevents it next time.',
  },
];

/** What a campaign's containment must name: the regions of its rules' findings, or the buckets it ransomed. */
function campaignArguments(f: FactsSoFar, c: Campaign): string[] {
  if (c.contain?.needs === 'buckets') {
    const buckets = isUnknown(f.dataStores) ? [] : f.dataStores.flatMap((d) => d.ransomedBucket ?? []);
    return [...new Set(buckets)].sort().flatMap((b) => ['--bucket', b]);
  }
  if (c.contain?.needs !== 'regions' || isUnknown(f.findingsByCategory)) return [];
  const findings = f.findingsByCategory.flatMap((g) => g.findings);
  return campaignRegions(findings, c.rules).flatMap((r) => ['--campaign-region', r]);
}

/**
 * The containment of each campaign the findings name that has not been applied yet: the command
 * to run, with the regions or buckets the case saw (attacker-controlled names are quoted for a shell).
 */
function campaignSteps(f: FactsSoFar): string[] {
  return f.campaigns.flatMap((c) => {
    if (!c.contain || c.contain.steps.some((a) => applied(f, a))) return [];
    const args = ['--campaign', c.contain.campaign, ...campaignArguments(f, c), '--apply'];
    return [
      `Contain the ${c.name} campaign too: tourniquet contain ${args.map(shellWord).join(' ')} (${c.contain.does}; the plan is shown first).`,
    ];
  });
}

/** A word as a POSIX shell reads it back: plain when safe, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The next steps that apply to these facts, in playbook order (a campaign's containment after the credential's). */
export function nextSteps(facts: FactsSoFar): string[] {
  const steps = STEPS.filter((s) => s.when(facts)).map((s) => s.text(facts));
  const afterContainment = facts.contained ? 0 : 1;
  steps.splice(afterContainment, 0, ...campaignSteps(facts));
  return steps;
}
