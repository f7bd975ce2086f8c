import { guardDutyOf, scanFindings } from '../services/guardduty/detect.js';
import type { Finding } from '../services/guardduty/model.js';
import type { SimState } from '../state.js';

/**
 * The account's GuardDuty findings as EventBridge delivers them (`detail-type: GuardDuty
 * Finding`, the finding in its wire shape as `detail`; aws-facts §4.3), one event per finding,
 * published when the finding was created.
 */
export function guardDutyEvents(sim: SimState, accountId: string): Record<string, unknown>[] {
  scanFindings(sim);
  const gd = guardDutyOf(sim, accountId);
  const findings: Finding[] = Object.values(gd.detectors).flatMap((d) => d.findings);
  return findings
    .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)))
    .map((finding) => ({
      version: '0',
      id: sim.ids.uuid(),
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: accountId,
      time: String(finding.createdAt).replace(/\.\d{3}Z$/, 'Z'),
      region: finding.region,
      resources: [],
      detail: finding,
    }));
}
