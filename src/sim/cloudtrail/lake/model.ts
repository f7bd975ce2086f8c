import type { AdvancedEventSelector } from '../advanced-selectors.js';

/** A CloudTrail Lake event data store (CloudTrail API `CreateEventDataStore`, `GetEventDataStore`). */
export interface EventDataStore {
  /** The id: the last part of the ARN, what a query's FROM names. */
  id: string;
  arn: string;
  name: string;
  /** The region it was made in; it is read (and queried) only there. */
  region: string;
  status: 'ENABLED' | 'STOPPED_INGESTION';
  advancedEventSelectors: AdvancedEventSelector[];
  multiRegionEnabled: boolean;
  organizationEnabled: boolean;
  /** Days events are kept (7–3653). */
  retentionPeriod: number;
  terminationProtectionEnabled: boolean;
  billingMode: 'EXTENDABLE_RETENTION_PRICING' | 'FIXED_RETENTION_PRICING';
  created: string;
  updated: string;
  /**
   * Events at or after this time are in the store (its creation, or earlier for a store laid with
   * past events, as an import of trail files gives); undefined while ingestion is stopped.
   */
  holdsSince: string | undefined;
  tags: { Key: string; Value?: string }[];
}

/** The states of a Lake query (API `QueryStatus`). */
export type LakeQueryStatus = 'QUEUED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT';

/** One Lake query: what DescribeQuery and GetQueryResults report. */
export interface LakeQuery {
  id: string;
  region: string;
  statement: string;
  /** ARNs of the event data stores its FROM names. */
  stores: string[];
  status: LakeQueryStatus;
  errorMessage?: string | undefined;
  /** Simulated time of StartQuery. */
  created: string;
  eventsScanned: number;
  bytesScanned: number;
  eventsMatched: number;
  executionMs: number;
  /** Result rows, each a list of `{column: value}` (a NULL value is left out of its row). */
  rows: Record<string, string>[][];
  /** DescribeQuery calls so far: the status shown advances at most one step per call. */
  polls: number;
}
