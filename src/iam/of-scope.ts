import type { ClientPool } from '../aws/pool.js';
import type { LineageNode } from '../detect/lineage.js';
import { messageOf } from '../errors.js';
import type { InventoryCoverage, InventoryItem } from '../inventory/types.js';
import { computeBlastRadius, type BlastRadius } from './blast-radius.js';
import { snapshotFromInventory, subjectsOf, type CaseSubject } from './from-inventory.js';
import { readOrganization } from './load.js';
import type { AccountSnapshot, AttackerEvent, OrganizationInput } from './snapshot.js';

/** What `tourniquet scope` has read and hands to the blast radius. */
export interface ScopeBlastInput {
  pool: ClientPool;
  account: string;
  items: InventoryItem[];
  coverage: InventoryCoverage[];
  caseSubject: CaseSubject | null;
  /** The ARN that signed the subject key's events, from the case's events. */
  signer: string | undefined;
  lineage: { roots: LineageNode[] } | null;
  /** Key ids of the minted temporary credentials still valid (scope's live sessions). */
  live: Set<string>;
  events: AttackerEvent[];
  at: string;
  /** The case's containment policies (`principal/policy`), left out: the reach shown is the attacker's. */
  containment: ReadonlySet<string>;
  /** Snapshots of other accounts the lineage's sessions act in (read through `--account-role`). */
  others?: AccountSnapshot[] | undefined;
}

/** The blast radius, or why it was not computed; the coverage lines of what it read itself. */
export interface ScopeBlastResult {
  blastRadius?: BlastRadius;
  notComputed?: string;
  coverage: InventoryCoverage[];
}

const SCP_LISTER = 'organizations.scps';

/**
 * The blast radius of the case's compromised credential from scope's inventory: reads the
 * organisation's SCPs (the one thing the inventory does not hold; refused → "not checked"),
 * resolves the credential and its live sessions, and computes reach beside the attacker's events.
 */
export async function blastRadiusOfScope(input: ScopeBlastInput): Promise<ScopeBlastResult> {
  let organization: OrganizationInput;
  try {
    organization = await readOrganization(input.pool, input.account);
  } catch (error) {
    organization = { status: 'not-checked', reason: `Organizations could not be read: ${messageOf(error)}` };
  }
  const coverage: InventoryCoverage[] = [
    {
      service: 'organizations',
      lister: SCP_LISTER,
      region: 'global',
      status: organization.status === 'not-checked' ? 'not-checked' : 'complete',
      items:
        organization.status === 'read' ? organization.scps.reduce((n, l) => n + l.policies.length, 0) : 0,
      ...(organization.status === 'not-checked' ? { reason: organization.reason } : {}),
    },
  ];
  const who = subjectsOf(input);
  if ('unknown' in who) return { notComputed: who.unknown, coverage };
  const snapshot = snapshotFromInventory({ ...input, organization, leaveOut: input.containment });
  const blastRadius = await computeBlastRadius({
    accounts: [snapshot, ...(input.others ?? [])],
    subject: who.subject,
    sessions: who.sessions,
    events: input.events,
    at: input.at,
  });
  const present = new Set(
    input.items.flatMap((i) =>
      Array.isArray(i.data.inlinePolicies)
        ? (i.data.inlinePolicies as { name?: string }[]).map((p) => `${i.id}/${p.name ?? ''}`)
        : [],
    ),
  );
  const leftOut = [...input.containment].filter((p) => present.has(p)).sort();
  if (leftOut.length) blastRadius.leftOut = leftOut;
  return { blastRadius, coverage };
}
