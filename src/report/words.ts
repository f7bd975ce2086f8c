import { messagingPhrase } from './messaging-cost.js';
import { rdsPhrase } from './rds-cost.js';
import type { Subject } from '../case/schema.js';
import { usd } from './cost.js';
import type { Facts } from './facts.js';
import { factText, isUnknown, unknownText, type Fact } from './unknown.js';

/** `2026-11-28 14:05:09 UTC` from an ISO time. */
export function utc(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
}

/** A time fact in words. */
export function timeText(value: Fact<string>): string {
  return factText(value, utc);
}

/** The subject in one line: what was typed, and what it is. */
export function subjectText(subject: Fact<Subject>): string {
  return factText(subject, (s) => {
    const detail = s.arn ?? s.userName ?? s.roleName;
    return detail && detail !== s.input ? `${s.input} (${detail})` : s.input;
  });
}

/** A list fact in words, `none` when empty. */
export function listText(value: Fact<string[]>, none = 'none found'): string {
  if (isUnknown(value)) return unknownText(value);
  return value.length ? value.join(', ') : none;
}

/** `P1 (root credentials; …)`. */
export function severityText(facts: Facts): string {
  return factText(facts.severity, (s) => `${s.level}${s.reasons.length ? ` (${s.reasons.join('; ')})` : ''}`);
}

/** Contained yes/no with the time. */
export function containedText(facts: Facts): string {
  return facts.contained
    ? `yes, verified at ${timeText(facts.times.containment)}`
    : `no (${isUnknown(facts.times.containment) ? facts.times.containment.unknown : 'not verified'})`;
}

/** The estimated cost in one phrase. */
export function costText(facts: Facts): string {
  return factText(facts.cost, (c) => {
    const base = `${usd(c.totalUsd)} in EC2 instance-hours up to ${utc(c.asOf)}`;
    const instances = c.unpriced
      ? `${base}, plus ${c.unpriced} instance type/region group(s) the price table does not cover`
      : base;
    const m = c.models;
    const messaging =
      (c.messaging ? `; plus ${messagingPhrase(c.messaging)}` : '') +
      (c.rds ? `; plus ${rdsPhrase(c.rds)}` : '');
    if (!m?.invocations) return instances + messaging;
    const unpriced = m.unpriced ? `, ${m.unpriced} model(s) not priced` : '';
    return `${instances}; plus ${m.invocations} Bedrock model call(s) costing between ${usd(m.lowUsd)} and ${usd(m.highUsd)}${unpriced} (a bound from the count of calls: CloudTrail records no token counts)${messaging}`;
  });
}

/** How many attacker calls, or why that is not known. */
export function activityText(facts: Facts): string {
  if (isUnknown(facts.timeline)) return unknownText(facts.timeline);
  const n = facts.timeline.length;
  if (n === 0) return 'no attacker activity was found in the collected events';
  const failed = facts.timeline.filter((e) => e.error).length;
  return `${n} attacker call(s)${failed ? ` (${failed} refused)` : ''} between ${timeText(facts.times.firstAttackerEvent)} and ${timeText(facts.times.lastAttackerEvent)}`;
}

/** One sentence: what happened. */
export function whatHappened(facts: Facts): string {
  const subject = subjectText(facts.subject);
  const type = factText(facts.credentialType);
  const account = factText(facts.account);
  const activity = activityText(facts);
  const regions =
    isUnknown(facts.regions) || facts.regions.length === 0
      ? ''
      : ` in ${facts.regions.length} region(s): ${facts.regions.join(', ')}`;
  // Only activity makes it a confirmed compromise; until then the credential was reported.
  const verb =
    !isUnknown(facts.timeline) && facts.timeline.length > 0 ? 'is compromised' : 'was reported compromised';
  return `The ${type} ${subject} of AWS account ${account} ${verb}; ${activity}${regions}.`;
}

/** Counts of created resources by type: `3 EC2 instance, 1 IAM user`. */
export function createdSummary(facts: Facts): string {
  if (isUnknown(facts.resources)) return unknownText(facts.resources);
  const counts = new Map<string, number>();
  for (const r of facts.resources.filter((r) => r.action === 'created'))
    counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return counts.size ? [...counts].map(([t, n]) => `${n} ${t}`).join(', ') : 'none found';
}
