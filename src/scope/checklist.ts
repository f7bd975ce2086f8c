import { IAM_CHECKS } from './checks-iam.js';
import { RESOURCE_CHECKS } from './checks-resources.js';
import type { Candidate, PersistenceCheck, SweepContext } from './sweep.js';
import type { PersistenceItem, PersistenceKind } from './types.js';
import { LOGGING_CHANGES } from './writes.js';

/** What the attacker turned down, from the events (the live state no longer shows a deleted detector). */
const loggingChanges: PersistenceCheck = {
  kind: 'logging-change',
  technique: 'T1562.008',
  title: 'logging and detection turned down',
  find: (ctx) =>
    ctx.index
      .byName(LOGGING_CHANGES)
      .filter((e) => e.attacker)
      .map((e): Candidate => {
        const target =
          [...e.strings].find((s) => s.startsWith('arn:aws:cloudtrail:')) ??
          firstString(e.requestParameters, [
            'name',
            'trailName',
            'detectorId',
            'configurationRecorderName',
          ]) ??
          // Bedrock's invocation logging is one configuration per region, named by no parameter.
          (e.name === 'DeleteModelInvocationLoggingConfiguration' ? 'model-invocation-logging' : e.name);
        return {
          name: `${e.name} ${target}`,
          region: e.region,
          account: ctx.account,
          attribution: 'attacker',
          eventIds: [e.eventId],
          firstSeen: e.time,
          evidence: { eventName: e.name, requestParameters: e.requestParameters },
          risk: 'high',
          why: `${e.name} on ${target} in ${e.region} by the compromised credentials: what followed may not be recorded`,
          remediation: `Turn it back on (eradication restores trails, event selectors, detectors and Bedrock invocation logging) and treat the gap as unmonitored time.`,
        };
      }),
};

function firstString(value: unknown, keys: string[]): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  for (const k of keys) if (typeof record[k] === 'string') return record[k];
  return undefined;
}

/**
 * The persistence checklist: every way to keep access that scope looks for, in the playbook's
 * order (identities, then resources, then logging). Temporary credentials come from the lineage
 * (`sessions.ts`).
 */
export const CHECKLIST: readonly PersistenceCheck[] = [...IAM_CHECKS, ...RESOURCE_CHECKS, loggingChanges];

const RISK_ORDER = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;
const ORIGIN_ORDER = { attacker: 0, unknown: 1, 'pre-existing': 2 } as const;

/** Run the checklist; every item gets its stable id (`kind/region/name`), attacker's first. */
export function sweep(
  ctx: SweepContext,
  extra: (Candidate & { kind: PersistenceKind })[] = [],
): PersistenceItem[] {
  const found: PersistenceItem[] = [];
  const technique = new Map(CHECKLIST.map((c) => [c.kind, c.technique]));
  technique
    .set('role-session', 'T1078.004')
    .set('federation-token', 'T1078.004')
    .set('session-token', 'T1078.004');
  const responderUser = /:user\/(?:.*\/)?([^/]+)$/.exec(ctx.responderArn ?? '')?.[1];
  // The responder's own user, keys and containment policies are the tool's, not a way back in.
  const ours = (c: Candidate): boolean =>
    c.byResponder === true ||
    (ctx.responderArn !== undefined && [c.arn, c.owner, c.principal].includes(ctx.responderArn)) ||
    (responderUser !== undefined &&
      (c.owner === responderUser ||
        (c.resource?.type === 'AWS::IAM::User' && c.resource.id === responderUser)));
  const add = (kind: PersistenceKind, c: Candidate): void => {
    if (ours(c)) return;
    const { byResponder: _ours, ...item } = c;
    found.push({
      kind,
      id: `${kind}/${c.region}/${c.name}`,
      technique: technique.get(kind) ?? 'T1098',
      ...item,
    });
  };
  for (const check of CHECKLIST) for (const c of check.find(ctx)) add(check.kind, c);
  for (const { kind, ...c } of extra) add(kind, c);
  const seen = new Set<string>();
  return found
    .filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)))
    .sort(
      (a, b) =>
        ORIGIN_ORDER[a.attribution] - ORIGIN_ORDER[b.attribution] ||
        RISK_ORDER[a.risk] - RISK_ORDER[b.risk] ||
        a.kind.localeCompare(b.kind) ||
        a.id.localeCompare(b.id),
    );
}
