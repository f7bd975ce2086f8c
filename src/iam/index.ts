/**
 * Blast radius (issue 12 §3): what a compromised credential could do, not only what it did.
 * `computeBlastRadius` is pure over an account snapshot; `readAccountSnapshot` reads one.
 */
export { computeBlastRadius } from './blast-radius.js';
export type { BlastRadius, CouldDid, DataItem, PrincipalReach } from './blast-radius.js';
export { attackerEventOf, type CloudTrailRecordLike, type EventRef } from './did.js';
export type { EscalationPath, EscalationTarget } from './escalation.js';
export type { GraphEdge, GraphNode, RoleGraph, RolePath } from './graph.js';
export { RAISERS, severityRaisers, type RaiserId, type SeverityRaiser } from './raisers.js';
export type { SensitiveGrant } from './reach.js';
export type * from './snapshot.js';
export { ESCALATION_METHODS } from './catalog/escalation.js';
export { SENSITIVE_ACTIONS } from './catalog/sensitive.js';
export { DATA_ACCESS } from './catalog/data.js';
export {
  readAccountSnapshot,
  readOrganization,
  type SnapshotCoverage,
  type SnapshotOptions,
} from './load.js';
export { blastRadiusOfScope, type ScopeBlastInput, type ScopeBlastResult } from './of-scope.js';
export { snapshotFromInventory, subjectsOf, type CaseSubject } from './from-inventory.js';
export { loadAttackerEvents, signerOf } from './case-events.js';
export { blastRadiusLines } from './summary.js';
