import { openToAttacker } from '../scope/types.js';
import type { ContainResult } from '../actions/contain.js';
import type { Investigation } from '../detect/investigate.js';
import type { ScopeResult } from '../scope/scope.js';
import type { TriageReport } from '../triage/report.js';
import type { CollectResult } from '../trail/collect.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Triage's result in one paragraph. */
export function triageParagraph(r: TriageReport): string {
  const owner = r.resolved.user?.arn ?? r.resolved.role?.arn ?? r.resolved.sessionArn ?? 'an unknown owner';
  const parts = [
    `${r.resolved.subject.input} (${r.resolved.credential}) belongs to ${owner} in account ${r.resolved.account ?? 'unknown'}.`,
    `Severity ${r.severity.level}: ${r.severity.reasons.join('; ') || 'no aggravating facts'}.`,
  ];
  if (r.key)
    parts.push(
      `The key is ${r.key.status}${r.key.lastUsed?.date ? `, last used ${r.key.lastUsed.date}` : ''}.`,
    );
  if (r.admin) parts.push('The owner has administrator rights.');
  if (r.activity)
    parts.push(
      `${r.activity.truncated ? 'At least ' : ''}${plural(r.activity.events, 'recent event')} (${r.activity.errors} refused) from ${plural(r.activity.sourceIps.length, 'source IP')}.`,
    );
  if (r.notChecked.length) parts.push(`${plural(r.notChecked.length, 'check')} could not be made.`);
  return parts.join(' ');
}

/** Containment's result in one paragraph. */
export function containParagraph(r: ContainResult): string {
  if (r.state === 'manual-only')
    return `Root credentials cannot be contained by automation: ${plural(r.manual.length, 'manual step')} listed below.`;
  const changes = r.plan?.steps.filter((s) => !s.noop) ?? [];
  const sessions = plural(r.lineage.length, 'derived session');
  if (r.state === 'planned')
    return (
      `Plan ${r.plan?.planId ?? '?'} (${plural(changes.length, 'change')}, ${sessions} found) was written to the case but NOT applied: ` +
      'no --yes and no yes at the prompt. Apply it with `tourniquet contain --apply` or re-run `tourniquet respond SUBJECT --yes`.'
    );
  const applied = r.apply?.results ?? [];
  const failed = applied.filter((x) => x.outcome === 'failed' || !x.verify?.ok);
  const actions = [...new Set(applied.map((x) => x.step.action))].join(', ');
  const head =
    r.state === 'contained'
      ? `Contained and verified at ${r.timing.verified ?? '?'}` +
        (r.timing.timeToContainSeconds !== undefined
          ? ` (${duration(r.timing.timeToContainSeconds)} after awareness)`
          : '') +
        '.'
      : `Containment is NOT verified: ${plural(failed.length, 'step')} failed or could not be read back.`;
  return (
    `${head} ${plural(applied.length, 'step')} (${actions || 'none needed'})${r.apply?.resumed ? ', resuming an interrupted run,' : ''} ` +
    `covering the credential and ${sessions}; each step was journalled before and after and its result read back from AWS.`
  );
}

/** Collection's result in one paragraph. */
export function collectParagraph(r: CollectResult): string {
  const gaps = r.coverage.filter((c) => c.status !== 'complete');
  const bucket = r.trails.length
    ? `the bucket of ${plural(r.trails.length, 'trail')} (${r.trails.join(', ')})`
    : 'no trail bucket (no trail delivers to S3)';
  const regions = r.regionSource === 'fallback' ? 'default regions only' : 'every enabled region';
  return (
    `Read ${plural(r.recordsRead, 'record')} from ${bucket} and from LookupEvents for ${plural(r.lookedUp.length, 'name or key', 'names or keys')} ` +
    `in ${plural(r.regions.length, 'region')} (${regions}), from ${r.since} to ${r.until}; ` +
    `the case store holds ${plural(r.storedEvents, 'record')}${r.badRecords ? ` (${r.badRecords} unreadable)` : ''}. ` +
    (gaps.length
      ? `Coverage is PARTIAL: ${gaps.map((g) => `${g.source} ${g.region}${g.scope.includes('=') ? ` ${g.scope}` : ''}: ${g.reason ?? g.status}`).join('; ')}.`
      : 'Coverage is complete for every source and region.')
  );
}

/** The investigation's result in one paragraph. */
export function investigateParagraph(r: Investigation): string {
  if (!r.window)
    return `No attacker activity was found: ${plural(r.findings.length, 'finding')} of the rules, none attributable to the compromise.`;
  const categories = [...new Set(r.findings.map((f) => f.category))];
  const attributed = r.findings.filter((f) => f.attributed).length;
  const regions = [...new Set(r.timeline.flatMap((b) => b.regions))];
  const ips = [...new Set(r.timeline.flatMap((b) => b.sourceIps))];
  return (
    `${plural(r.findings.length, 'finding')} (${attributed} attributed to the compromise) in ${plural(categories.length, 'category', 'categories')}` +
    `${categories.length ? ` (${categories.join(', ')})` : ''}; attacker activity from ${r.window.since} to ${r.window.until} ` +
    `in ${plural(r.timeline.length, 'burst')}, ${plural(regions.length, 'region')} (${regions.join(', ')}), from ${ips.join(', ') || 'unknown addresses'}; ` +
    `the credential lineage spans ${plural(r.lineage?.keys.length ?? 0, 'key')}.`
  );
}

/** Scope's result in one paragraph. */
export function scopeParagraph(r: ScopeResult): string {
  const s = r.document.summary;
  const attacker = r.document.persistence.filter(openToAttacker);
  const kinds = [...new Set(attacker.map((p) => p.kind))];
  const parts = [
    `Read ${plural(s.resources, 'resource')} in ${plural(r.document.regions.enabled.length, 'region')}: ${s.byOrigin.attacker} created or changed by the attacker, ${s.byOrigin.unknown} of unknown origin.`,
    attacker.length
      ? `${plural(attacker.length, 'way')} back in left by the attacker (${kinds.join(', ')}); ${plural(s.persistence.unknown, 'other')} of unknown origin and ${s.persistence.preExisting} pre-existing to review.`
      : `No way back in attributed to the attacker; ${plural(s.persistence.unknown, 'item')} of unknown origin and ${s.persistence.preExisting} pre-existing to review.`,
  ];
  if (r.raised)
    parts.push(
      `Severity raised ${r.raised.from ? `from ${r.raised.from} ` : ''}to ${r.raised.to}: ${r.raised.reasons.join('; ')}.`,
    );
  if (s.notChecked)
    parts.push(`${plural(s.notChecked, 'read')} could not be made (coverage in ${r.file.path}).`);
  return parts.join(' ');
}
