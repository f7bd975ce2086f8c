import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import { forTerminal } from '../untrusted.js';
import type { WatchAlert } from './alerts.js';

/**
 * The webhook's origin, for the journal: a Slack incoming-webhook URL carries its secret in the
 * path, so only scheme and host are ever written down.
 */
export function webhookOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `--notify ${JSON.stringify(url)} is not a URL.`,
      'Give the webhook URL, e.g. https://hooks.slack.com/services/…',
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new UsageError(
      `--notify ${parsed.protocol} URLs are not supported.`,
      'Use an https:// webhook URL.',
    );
  return parsed.origin;
}

/** Slack's mrkdwn escaping (`&`, `<`, `>`), after terminal control characters are taken out. */
function forSlack(text: string | null): string {
  return forTerminal(text ?? '-')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** The JSON a Slack-compatible webhook takes: `text` for people, the alert itself for machines. */
export function alertMessage(caseId: string, alert: WatchAlert): { text: string; tourniquet: unknown } {
  const text =
    `:rotating_light: Tourniquet watch (case ${forSlack(caseId)}): ${alert.severity.toUpperCase()} ` +
    `${forSlack(alert.eventName)} by ${forSlack(alert.principal)} from ${forSlack(alert.sourceIp)} ` +
    `in ${forSlack(alert.region)} at ${forSlack(alert.eventTime)}${alert.errorCode ? ` (refused: ${forSlack(alert.errorCode)})` : ''}\n` +
    alert.reasons.map((r) => `• ${forSlack(r)}`).join('\n');
  return { text, tourniquet: { caseId, alert } };
}

/** POST one alert; a few tries with backoff. Failure is a result (journalled), never fatal. */
export async function postAlert(
  url: string,
  caseId: string,
  alert: WatchAlert,
  clock: Clock,
): Promise<{ ok: true; status: number } | { ok: false; error: string }> {
  const body = JSON.stringify(alertMessage(caseId, alert));
  let error = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await clock.sleep(1000 * 2 ** attempt);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return { ok: true, status: response.status };
      error = `HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 429) break;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
  }
  return { ok: false, error };
}
