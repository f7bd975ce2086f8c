import type { Severity } from '../detect/finding.js';
import type { BlastRadius } from '../iam/index.js';
import type { InventoryCoverage, InventoryItem, Origin } from '../inventory/types.js';

/**
 * Every way to keep access that scope checks for (issue #12 §4; lower-case with hyphens). The
 * eradication planner maps each kind to its removal or restoration.
 */
export const PERSISTENCE_KINDS = [
  'iam-user',
  'access-key',
  'login-profile',
  'mfa-device',
  'ssh-key',
  'signing-certificate',
  'service-credential',
  'inline-policy',
  'policy-attachment',
  'group-membership',
  'policy-version',
  'role-trust',
  'saml-provider',
  'oidc-provider',
  'key-pair',
  'user-data',
  'snapshot-share',
  'ami-share',
  'bucket-policy',
  'bucket-acl',
  'lambda-url',
  'lambda-permission',
  'lambda-layer',
  'lambda-env',
  'eventbridge-rule',
  'event-bus-policy',
  'ssm-document',
  'ssm-association',
  'stackset',
  'secret-policy',
  'security-group-ingress',
  'guardduty-suppression',
  'logging-change',
  'role-session',
  'federation-token',
  'session-token',
] as const;
export type PersistenceKind = (typeof PERSISTENCE_KINDS)[number];

/** A way back in the attacker left that is still open (not put back by the case's eradication). */
export const openToAttacker = (p: Pick<PersistenceItem, 'attribution' | 'restored' | 'cutOffBy'>): boolean =>
  p.attribution === 'attacker' && !p.restored && !p.cutOffBy;

/** How the origin column reads: `attacker (restored)` once eradication put it back. */
export const originLabel = (p: Pick<PersistenceItem, 'attribution' | 'restored' | 'cutOffBy'>): string =>
  p.restored ? `${p.attribution} (restored)` : p.cutOffBy ? `${p.attribution} (cut off)` : p.attribution;

/**
 * One way back in (or out) found in the account or in the case's events. Every string taken
 * from AWS (names, documents) is attacker-controlled: printers escape it.
 */
export interface PersistenceItem {
  kind: PersistenceKind;
  /** Stable within the case: `<kind>/<region>/<name>` (what `eradicate --include` names). */
  id: string;
  /** The human name: user, role, policy, bucket, function, key pair, snapshot id… */
  name: string;
  arn?: string | undefined;
  region: string;
  account: string;
  /** The IAM principal it gives access as, when that differs from its owner (a role's trust admits X to act as the role). */
  principal?: string | undefined;
  /** Whose it is: the user a key belongs to, the role whose trust it is, the bucket of a policy. */
  owner?: string | undefined;
  /** The foreign principals or accounts it admits (`*` for everyone). */
  admits?: string[] | undefined;
  attribution: Origin;
  /** The attacker's events that made it (empty unless attributed to the attacker). */
  eventIds: string[];
  /**
   * Put back as it was before the incident by a verified eradication plan of this case (a role
   * trust, a policy's default version, a bucket policy…): still the attacker's change in the
   * record, no longer a way in.
   */
  restored?: { planId: string; at: string } | undefined;
  /** A live session the case's containment already refuses (the step and when): not a way in. */
  cutOffBy?: string | undefined;
  firstSeen?: string | undefined;
  /** The state that shows it (the document, the grants, the URL…), as read now. */
  evidence: unknown;
  risk: Severity;
  /** One line: why it is a way back in. */
  why: string;
  remediation: string;
  /** MITRE ATT&CK technique. */
  technique: string;
  /** The inventory item it comes from (type and id), when it is one. */
  resource?: { type: string; id: string; region: string } | undefined;
}

/** What `tourniquet scope` writes into the case as `scope.json` (and prints with `--json`). */
export interface ScopeDocument {
  schema: 1;
  generatedAt: string;
  account: string;
  /** The incident window scope attributed against (from the investigation), if any. */
  window: { since: string; until: string } | null;
  regions: { enabled: string[]; source: string; disabled: string[]; reason?: string | undefined };
  inventory: InventoryItem[];
  persistence: PersistenceItem[];
  /** Absent until the blast radius is computed; never a placeholder. */
  blastRadius?: BlastRadius;
  coverage: InventoryCoverage[];
  /** Counts for the reports. */
  summary: ScopeSummary;
}

export interface ScopeSummary {
  resources: number;
  /** Resources by origin; the responder's own user and credentials are counted apart (`responder`). */
  byOrigin: Record<Origin, number>;
  /** The responder's own user and its credentials: neither the attacker's nor to review. */
  responder: number;
  /** `attacker` counts the ways in still open; `restored` the attacker's changes eradication put back. */
  persistence: { attacker: number; preExisting: number; unknown: number; restored?: number };
  byKind: Partial<Record<PersistenceKind, { attacker: number; other: number }>>;
  notChecked: number;
}
