import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Truth } from '../scenarios/truth.js';
import type { SimState } from '../state.js';
import { exposeAccessKey } from './aws-exposure.js';
import { costAnomalyEvent } from './cost-anomaly.js';
import { guardDutyEvents } from './guardduty-events.js';

/** Where a drill's alert documents come from, for the responder to start from (`--from FILE`). */
export const EXPOSED_URL = 'https://github.com/acme/acme-api/blob/main/.env';

/**
 * Write the alerts AWS would have sent by the end of a scenario into `dir`, one JSON document per
 * file: every GuardDuty finding (EventBridge event), the Cost Anomaly Detection alert for the
 * spend since the attack began, and, for a leaked key, AWS's response to finding it in public
 * (the quarantine policy attached to its user, so recorded in CloudTrail, and the Health event).
 * Returns the files written.
 */
export function writeScenarioAlerts(sim: SimState, truth: Truth, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, doc: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
    written.push(file);
  };
  guardDutyEvents(sim, truth.accountId).forEach((event, i) => {
    const type = (event.detail as { type: string }).type;
    put(`guardduty-${String(i + 1).padStart(2, '0')}-${type.replace(/[^A-Za-z0-9]+/g, '-')}.json`, event);
  });
  if (truth.attackStart) {
    const anomaly = costAnomalyEvent(sim, truth.accountId, { since: truth.attackStart });
    if (anomaly) put('cost-anomaly.json', anomaly);
  }
  if (truth.leakedAccessKeyId) {
    const exposure = exposeAccessKey(sim, {
      accountId: truth.accountId,
      accessKeyId: truth.leakedAccessKeyId,
      exposedUrl: EXPOSED_URL,
    });
    put('health-credentials-exposed.json', exposure.healthEvent);
    put('quarantine-attached.cloudtrail.json', exposure.quarantineRecord);
  }
  return written;
}
