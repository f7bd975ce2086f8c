import { ActionHistory } from '../actions/journal-view.js';
import type { CaseFolder } from '../case/case.js';
import { FROM_EVENTS, type EventQuery } from '../detect/events.js';
import type { LineageNode } from '../detect/lineage.js';
import type { Candidate } from './sweep.js';
import type { PersistenceKind } from './types.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A time as CloudTrail writes it: ISO-8601, or the Java form STS and IAM use in response elements
 * (`Nov 30, 2024, 8:43:17 PM`, UTC without a zone). Undefined when it is neither.
 */
export function parseCloudTrailTime(text: string | null | undefined): Date | undefined {
  if (!text) return undefined;
  const java = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/.exec(text.trim());
  if (java) {
    const [, mon, day, year, h, m, s, half] = java;
    const month = MONTHS.indexOf(mon!);
    if (month < 0) return undefined;
    const hour = (Number(h) % 12) + (half === 'PM' ? 12 : 0);
    return new Date(Date.UTC(Number(year), month, Number(day), hour, Number(m), Number(s)));
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

const KIND_OF: Partial<Record<string, PersistenceKind>> = {
  AssumeRole: 'role-session',
  AssumeRoleWithSAML: 'role-session',
  AssumeRoleWithWebIdentity: 'role-session',
  GetFederationToken: 'federation-token',
  GetSessionToken: 'session-token',
};

/** Every node with the principal of the node that minted it. */
function flatten(
  nodes: LineageNode[],
  parent: string | null = null,
): (LineageNode & { parent: string | null })[] {
  return nodes.flatMap((n) => [{ ...n, parent }, ...flatten(n.children, n.principal)]);
}

/** The containment step that cut a principal's sessions off, if one was applied after `issued`. */
function revokedBy(history: ActionHistory, principal: string | null, issued: string): string | undefined {
  if (!principal) return undefined;
  for (const plan of history.plans('contain')) {
    for (const step of plan.steps) {
      if (!/revoke-sessions|deny-all/.test(step.action) || step.target !== principal) continue;
      const last = history.lastApply(step.id);
      if (last && Date.parse(last.at) >= Date.parse(issued)) return `${step.action} applied ${last.at}`;
    }
  }
  return undefined;
}

/**
 * The temporary credentials the compromise minted that have not expired (role sessions, federation
 * tokens, session tokens), from the lineage and the minting events' `credentials.expiration`; each
 * says whether containment already cut it off. A session outlives the key that minted it: AWS has
 * no call to revoke one, only a deny on `aws:TokenIssueTime` for the role or user it acts as.
 */
export async function liveSessions(
  store: EventQuery,
  folder: CaseFolder,
  lineage: { roots: LineageNode[] } | null,
  now: Date,
): Promise<(Candidate & { kind: PersistenceKind })[]> {
  const minted = flatten(lineage?.roots ?? []).filter((n) => n.createdBy && KIND_OF[n.via]);
  if (minted.length === 0) return [];
  const rows = await store.query<{
    eventid: string;
    expiration: string | null;
    awsregion: string;
    recipientaccountid: string | null;
  }>(
    `SELECT e.eventid, json_extract_scalar(e.responseelements, '$.credentials.expiration') AS expiration,
            e.awsregion, e.recipientaccountid
       FROM ${FROM_EVENTS} WHERE e.eventid IN (${minted.map(() => '?').join(', ')})`,
    minted.map((n) => n.createdBy!),
  );
  const byEvent = new Map(rows.map((r) => [r.eventid, r]));
  const history = ActionHistory.of(folder);
  const out: (Candidate & { kind: PersistenceKind })[] = [];
  for (const node of minted) {
    const row = byEvent.get(node.createdBy!);
    const expires = parseCloudTrailTime(row?.expiration);
    if (expires && expires.getTime() <= now.getTime()) continue;
    const kind = KIND_OF[node.via]!;
    // A session token acts as the user (or root) whose key asked for it: its minting record names
    // no principal of its own, and containment's revocation on that user is what cuts it off.
    const actsAs =
      node.via === 'AssumeRole' || node.via.startsWith('AssumeRoleWith')
        ? node.target
        : node.via === 'GetSessionToken'
          ? (node.principal ?? node.parent)
          : node.principal;
    // A federation token is governed by the user that minted it: containment's deny on that user
    // refuses it (AWS evaluates the user's policies with the token's).
    const revoked =
      revokedBy(history, actsAs, node.createdAt ?? '') ??
      (node.via === 'GetFederationToken' ? revokedBy(history, node.parent, node.createdAt ?? '') : undefined);
    out.push({
      kind,
      name: node.key,
      arn: node.principal ?? undefined,
      region: 'global',
      account: node.account ?? row?.recipientaccountid ?? '',
      principal: node.principal ?? undefined,
      owner: actsAs ?? undefined,
      attribution: 'attacker',
      cutOffBy: revoked,
      eventIds: [node.createdBy!],
      firstSeen: node.createdAt ?? undefined,
      evidence: {
        via: node.via,
        issuedAt: node.createdAt,
        expires: expires?.toISOString() ?? row?.expiration ?? null,
        actsAs,
        revokedBy: revoked ?? null,
      },
      risk: revoked ? 'low' : 'critical',
      why: `${node.via} credentials ${node.key} acting as ${actsAs ?? 'unknown'} stay valid until ${expires?.toISOString() ?? 'an unknown time (no expiration in the minting record)'}${revoked ? `; cut off by containment (${revoked})` : ': disabling the key that minted them does not end them'}`,
      remediation: revoked
        ? 'Nothing more: keep the revocation policy in place until the expiry time has passed.'
        : `Deny sessions issued before now for ${actsAs ?? 'the principal'} (tourniquet contain --apply adds AWSRevokeOlderSessions), or wait for the expiry.`,
    });
  }
  return out;
}
