import { CaseFolder } from '../case/case.js';
import type { Clock } from '../clock.js';
import { buildFacts, renderReport } from '../report/index.js';
import { forSlack, postJson, webhookOrigin } from './webhook.js';

/** What posting the status update gave, for the terminal and the JSON output. */
export interface StatusNotice {
  /** Scheme and host only: a Slack webhook's path is its secret. */
  origin: string;
  ok: boolean;
  status?: number;
  error?: string;
}

/**
 * Post the case's status update (the same document as `report --kind status`) to a Slack-compatible
 * webhook: `text` in Markdown (Slack's escaping applied), `tourniquet` with the case id and the few
 * facts a bot would route on. The journal records where it went (origin only) and the answer.
 */
export async function notifyStatus(dir: string, url: string, clock: Clock): Promise<StatusNotice> {
  const origin = webhookOrigin(url);
  const facts = await buildFacts(dir, { asOf: clock.now() });
  const markdown = renderReport(facts, 'status', 'md');
  const body = {
    // Line by line: the escaping spells out control characters, newlines included.
    text: markdown.split('\n').map(forSlack).join('\n'),
    tourniquet: {
      caseId: facts.caseId,
      kind: 'status',
      severity: 'unknown' in facts.severity ? null : facts.severity.level,
      contained: facts.contained,
      eradicated: facts.eradicated,
      generatedAt: facts.generatedAt,
    },
  };
  const posted = await postJson(url, body, clock);
  const notice: StatusNotice = posted.ok
    ? { origin, ok: true, status: posted.status }
    : { origin, ok: false, error: posted.error };
  const folder = CaseFolder.open(dir, { clock });
  try {
    folder.record(posted.ok ? 'notify.sent' : 'notify.failed', { kind: 'status', ...notice });
  } finally {
    folder.close();
  }
  return notice;
}
