import type { Severity } from '../detect/finding.js';
import { VERSION } from '../version.js';
import type { Facts } from './facts.js';
import { isUnknown } from './unknown.js';

/** The OCSF schema version the export follows. */
export const OCSF_VERSION = '1.3.0';
const DETECTION_FINDING = 2004;
const FINDINGS_CATEGORY = 2;
const CREATE = 1;

/** OCSF severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
const SEVERITY_ID: Record<Severity, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAME: Record<Severity, string> = {
  info: 'Informational',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/**
 * The case's findings as OCSF Detection Finding events (class 2004, activity Create), one JSON
 * object a line: finding_info with the rule, the MITRE ATT&CK technique and the evidence event
 * ids, the cloud account and region, and the attacker's addresses as observables.
 */
export function ocsfFindings(facts: Facts): object[] {
  if (isUnknown(facts.findingsByCategory)) return [];
  const account = isUnknown(facts.account) ? undefined : facts.account;
  return facts.findingsByCategory.flatMap((c) =>
    c.findings.map((f) => ({
      activity_id: CREATE,
      activity_name: 'Create',
      category_uid: FINDINGS_CATEGORY,
      category_name: 'Findings',
      class_uid: DETECTION_FINDING,
      class_name: 'Detection Finding',
      type_uid: DETECTION_FINDING * 100 + CREATE,
      type_name: 'Detection Finding: Create',
      time: Date.parse(f.firstSeen),
      start_time: Date.parse(f.firstSeen),
      end_time: Date.parse(f.lastSeen),
      severity_id: SEVERITY_ID[f.severity],
      severity: SEVERITY_NAME[f.severity],
      status_id: 1,
      status: 'New',
      message: f.summary,
      metadata: {
        version: OCSF_VERSION,
        product: { name: 'Tourniquet', vendor_name: 'Tourniquet', version: VERSION },
        uid: `${facts.caseId}/${f.id}`,
        correlation_uid: facts.caseId,
      },
      finding_info: {
        uid: f.id,
        title: f.title,
        desc: f.summary,
        types: [f.category],
        analytic: { uid: f.ruleId, name: f.ruleId, type_id: 1, type: 'Rule' },
        first_seen_time: Date.parse(f.firstSeen),
        last_seen_time: Date.parse(f.lastSeen),
        related_events: f.eventIds.map((uid) => ({ uid })),
        attacks: [{ technique: { uid: f.technique }, version: '15' }],
      },
      cloud: {
        provider: 'AWS',
        ...(f.region ? { region: f.region } : {}),
        ...(account ? { account: { uid: account } } : {}),
      },
      ...(f.principal || f.accessKey
        ? {
            actor: {
              user: {
                ...(f.principal ? { uid: f.principal } : {}),
                ...(f.accessKey ? { credential_uid: f.accessKey } : {}),
              },
            },
          }
        : {}),
      observables: (isUnknown(facts.attackerIps) ? [] : facts.attackerIps).map((ip) => ({
        name: 'src_endpoint.ip',
        type_id: 2,
        type: 'IP Address',
        value: ip,
      })),
    })),
  );
}
