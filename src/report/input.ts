import type { SesStatistics } from './ses-statistics.js';
import type { CaseFile } from '../case/schema.js';
import type { JournalEntry } from '../case/journal.js';
import type { Finding } from '../detect/finding.js';
import type { BedrockPriceTable } from './model-cost.js';
import type { PriceTable } from './prices.js';
import type { ScopeFacts } from './scope-facts.js';
import type { Fact } from './unknown.js';

/**
 * What the report needs from the rest of the tool, in one narrow shape. The producers (case,
 * journal, investigation, event store, collection, triage) fill it; `readFactsInput` reads it
 * from a case folder; tests may build it directly.
 */
export interface FactsInput {
  case: CaseFile;
  journal: JournalEntry[];
  findings: Fact<Finding[]>;
  /** Events attributed to the compromise (the key and every session derived from it). */
  events: Fact<AttackerEvent[]>;
  /** How `events` were chosen, in one line (e.g. "investigation attribution through lineage"). */
  attribution: string;
  lineage: Fact<LineageNode>;
  coverage: Fact<CoverageEntry[]>;
  /** Start/stop/terminate calls by anyone on the attacker's instances (for instance-hours). */
  instanceChanges: Fact<InstanceChange[]>;
  /** Billed figures from Cost Explorer, when someone could read them. */
  costExplorer: Fact<CostExplorerFigures>;
  /** SES's sending statistics where the attacker used SES, when the report phase could read them. */
  sesStatistics?: Fact<SesStatistics>;
  /** What triage concluded, when it recorded it. */
  triage: Fact<TriageFacts>;
  /** What scope found (backdoors and reach); absent in inputs built before scope existed. */
  scope?: Fact<ScopeFacts>;
  prices: PriceTable;
  /** Bedrock model prices (default: the bundled data/bedrock-prices.json). */
  modelPrices?: BedrockPriceTable;
  /** When the report is made: running instances are counted up to here. */
  asOf: Date;
}

/** One CloudTrail event, reduced to what the report shows. Every string is attacker-controlled. */
export interface AttackerEvent {
  eventId: string;
  /** ISO-8601 UTC. */
  time: string;
  region: string;
  eventSource: string;
  eventName: string;
  sourceIp: string | null;
  userAgent: string | null;
  errorCode: string | null;
  accessKeyId: string | null;
  principalArn: string | null;
  /** JSON text, as the store keeps it. */
  requestParameters: string | null;
  responseElements: string | null;
}

/** A credential and the sessions derived from it. */
export interface LineageNode {
  /** Access key id (AKIA/ASIA), or the principal ARN when no key id is known (console). */
  credential: string;
  kind: 'access-key' | 'session-token' | 'federation-token' | 'assumed-role' | 'console-session' | 'other';
  principal: string | null;
  account: string | null;
  /** The call that created it (`AssumeRole`, `GetSessionToken`, …) and when. */
  via: string | null;
  at: string | null;
  eventId: string | null;
  children: LineageNode[];
}

/** One line of the collection's coverage ledger (`coverage.json`, written by src/trail/coverage.ts). */
export interface CoverageEntry {
  source: string;
  region: string;
  /** What was asked for (`AccessKeyId=AKIA…`, `account 111122223333`); null in ledgers written before it was kept. */
  scope: string | null;
  from: string | null;
  to: string | null;
  state: 'complete' | 'partial' | 'failed';
  reason: string | null;
  /** Records read for this line; null when not counted. */
  records: number | null;
}

export interface InstanceChange {
  instanceId: string;
  eventName: string;
  time: string;
}

export interface CostExplorerFigures {
  start: string;
  end: string;
  currency: string;
  total: number;
  byService: { service: string; amount: number }[];
  /** Where the figures came from (e.g. "Cost Explorer GetCostAndUsage, UnblendedCost, DAILY"). */
  source: string;
}

export type SeverityLevel = 'P1' | 'P2' | 'P3' | 'P4';

export interface TriageFacts {
  credentialType: Fact<string>;
  severity: Fact<{ level: SeverityLevel; reasons: string[] }>;
  keyStatus: Fact<string>;
  owner: Fact<string>;
}
