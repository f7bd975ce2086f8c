import type { Clock } from '../clock.js';
import { forSlack, postJson, type Posted } from '../notify/webhook.js';
import type { WatchAlert } from './alerts.js';

/** The JSON a Slack-compatible webhook takes: `text` for people, the alert itself for machines. */
export function alertMessage(caseId: string, alert: WatchAlert): { text: string; tourniquet: unknown } {
  const text =
    `:rotating_light: Tourniquet watch (case ${forSlack(caseId)}): ${alert.severity.toUpperCase()} ` +
    `${forSlack(alert.eventName)} by ${forSlack(alert.principal)} from ${forSlack(alert.sourceIp)} ` +
    `in ${forSlack(alert.region)} at ${forSlack(alert.eventTime)}${alert.errorCode ? ` (refused: ${forSlack(alert.errorCode)})` : ''}\n` +
    alert.reasons.map((r) => `• ${forSlack(r)}`).join('\n');
  return { text, tourniquet: { caseId, alert } };
}

/** POST one alert (src/notify/webhook.ts: a few tries with backoff). Failure is a result, never fatal. */
export async function postAlert(
  url: string,
  caseId: string,
  alert: WatchAlert,
  clock: Clock,
): Promise<Posted> {
  return postJson(url, alertMessage(caseId, alert), clock);
}
