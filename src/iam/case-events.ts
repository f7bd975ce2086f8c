import { FROM_EVENTS, type EventQuery, type QueryParam } from '../detect/events.js';
import { attackerEventOf } from './did.js';
import type { AttackerEvent } from './snapshot.js';

interface Row {
  eventid: string;
  eventtime: string;
  eventsource: string;
  eventname: string;
  awsregion: string | null;
  errorcode: string | null;
  requestparameters: string | null;
  resources: { arn: string | null }[] | null;
  sourceipaddress: string | null;
  callerarn: string | null;
  issuerarn: string | null;
}

/**
 * Every call of the compromise in the case's event store (reads too: could-vs-did counts the
 * secrets read), by the investigation's condition (`compromiseCondition`), oldest first.
 */
export async function loadAttackerEvents(
  store: EventQuery,
  condition: { sql: string; params: QueryParam[] },
): Promise<AttackerEvent[]> {
  const rows = await store.query<Row>(
    `SELECT e.eventid, e.eventtime, e.eventsource, e.eventname, e.awsregion, e.errorcode,
            e.requestparameters, e.resources, e.sourceipaddress,
            e.useridentity.arn AS callerarn, e.useridentity.sessioncontext.sessionissuer.arn AS issuerarn
       FROM ${FROM_EVENTS} WHERE ${condition.sql}
      ORDER BY e.eventtime, e.eventid`,
    condition.params,
  );
  return rows.map((r) =>
    attackerEventOf({
      eventid: r.eventid,
      eventtime: r.eventtime,
      eventsource: r.eventsource,
      eventname: r.eventname,
      awsregion: r.awsregion ?? undefined,
      errorcode: r.errorcode,
      requestparameters: r.requestparameters,
      resources: (r.resources ?? []).map((x) => ({ arn: x.arn ?? undefined })),
      sourceipaddress: r.sourceipaddress ?? undefined,
      useridentity: {
        arn: r.callerarn ?? undefined,
        sessioncontext: { sessionissuer: { arn: r.issuerarn ?? undefined } },
      },
    }),
  );
}

/** The ARN that signed the subject keys' events (the compromised principal), if any event shows it. */
export async function signerOf(store: EventQuery, keys: string[]): Promise<string | undefined> {
  if (keys.length === 0) return undefined;
  const rows = await store.query<{ arn: string }>(
    `SELECT e.useridentity.arn AS arn FROM ${FROM_EVENTS}
      WHERE e.useridentity.accesskeyid IN (${keys.map(() => '?').join(', ')}) AND e.useridentity.arn IS NOT NULL
      GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
    keys,
  );
  return rows[0]?.arn;
}
