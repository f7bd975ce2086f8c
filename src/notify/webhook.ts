import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import { forTerminal } from '../untrusted.js';

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
export function forSlack(text: string | null): string {
  return forTerminal(text ?? '-')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

export type Posted = { ok: true; status: number } | { ok: false; error: string };

/**
 * POST a JSON body to a Slack-compatible webhook; three tries with backoff on 5xx, 429 and network
 * errors. Failure is a result for the caller to record, never an exception.
 */
export async function postJson(url: string, body: unknown, clock: Clock): Promise<Posted> {
  const text = JSON.stringify(body);
  let error = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await clock.sleep(1000 * 2 ** attempt);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: text,
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
