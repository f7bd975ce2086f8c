import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { ClientPool } from '../aws/pool.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../context.js';
import type { RunRulesOptions } from '../detect/engine.js';
import type { TimeRange } from '../detect/events.js';
import { ATHENA_MAX_QUERY_BYTES, AthenaEvents } from './events.js';
import type { QueryEvidence } from './load.js';
import { prepareTables } from './prepare.js';

/** Where and how the rules run in Athena (the `--engine athena` options of `investigate`). */
export interface AthenaRulesOptions {
  source: string;
  window: Required<TimeRange>;
  workGroup: string;
  database: string;
  output: string | undefined;
  maxScan: number;
  confirm(estimate: string): Promise<boolean>;
  clock: Clock;
  log: Logger;
  onQuery?(evidence: QueryEvidence): Promise<void> | void;
}

/** The rules' engine over a trail bucket in place, and what reading it was estimated to cost. */
export interface AthenaRules {
  events: AthenaEvents;
  /** runRules' options for an engine billed per statement. */
  options: Omit<RunRulesOptions, 'range'>;
  database: string;
  tables: string[];
  /** The window the rules read (their time range too). */
  window: Required<TimeRange>;
  /** One full read of the window's partitions. */
  estimate: { bytes: number; objects: number };
}

/**
 * Ready the trail bucket for the detection rules in Athena: its tables made, the scan estimated
 * (two full reads at least: the API gate, then the rules' grouping statement) and refused above
 * `maxScan` unless confirmed. Each statement reads every partition of the window, so the rules
 * skip the local engine's second scan (counting matches) and a failed statement is halved until the
 * failing rules stand alone rather than each rule running alone.
 */
export async function athenaRules(pool: ClientPool, o: AthenaRulesOptions): Promise<AthenaRules> {
  const s3 = pool.get(S3Client);
  const prepared = await prepareTables({ ...o, s3, glue: pool.get(GlueClient) }, o.window, {
    statements: 2,
    what: 'statements (the API gate, then the rules)',
  });
  const events = new AthenaEvents({
    target: {
      athena: pool.get(AthenaClient),
      s3,
      workGroup: o.workGroup,
      database: o.database,
      output: o.output,
      clock: o.clock,
    },
    tables: prepared.tables,
    window: o.window,
    estimatedBytes: prepared.bytes,
    ...(o.onQuery ? { onQuery: (q: QueryEvidence) => o.onQuery!(q) } : {}),
  });
  return {
    events,
    options: {
      countMatches: false,
      isolate: 'halving',
      // Athena bills the bytes each statement reads: the rules with sub-queries stay in the one scan.
      subqueriesApart: false,
      // Its results are text: the groups travel as rows, the event ids as the portable array.
      groupsAsJson: false,
      // Trino: the portable CROSS JOIN UNNEST.
      localSql: false,
      // Room for the WITH clause reading the tables, which the statement gains when it is sent.
      maxStatementChars: ATHENA_MAX_QUERY_BYTES - 16_384,
    },
    database: o.database,
    tables: prepared.tables,
    window: o.window,
    estimate: { bytes: prepared.bytes, objects: prepared.objects },
  };
}
