import type { Facts } from './facts.js';

/**
 * The attacker's calls as Timesketch JSONL: one object a line with the three fields Timesketch
 * requires (`message`, `datetime` in ISO 8601, `timestamp_desc`) and the call's attributes as
 * extra fields, which Timesketch indexes as they are; `timestamp` is in microseconds, as its
 * importer reads it.
 */
export function timesketchLines(facts: Facts): object[] {
  if (!Array.isArray(facts.timeline)) return [];
  return facts.timeline.map((e) => ({
    message: `${e.eventSource.replace(/\.amazonaws\.com$/, '')}:${e.eventName} by ${e.accessKey ?? e.principal ?? 'unknown'} from ${e.sourceIp ?? 'unknown'} in ${e.region}${e.error ? ` (refused: ${e.error})` : ''}`,
    datetime: new Date(Date.parse(e.time)).toISOString(),
    timestamp: Date.parse(e.time) * 1000,
    timestamp_desc: 'Event Recorded',
    data_type: 'aws:cloudtrail:event',
    event_id: e.eventId,
    event_source: e.eventSource,
    event_name: e.eventName,
    aws_region: e.region,
    source_ip: e.sourceIp,
    user_agent: e.userAgent,
    principal: e.principal,
    access_key: e.accessKey,
    error_code: e.error,
    category: e.category,
    case_id: facts.caseId,
    tag: ['tourniquet', 'attacker'],
  }));
}
