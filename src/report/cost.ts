import { baseEventName } from './activity.js';
import type { AttackerEvent, InstanceChange } from './input.js';
import { parseJsonText, valuesAt } from './json-path.js';
import type { MessagingCost } from './messaging-cost.js';
import type { ModelCallCost } from './model-cost.js';
import type { RdsCost } from './rds-cost.js';
import { priceOf, type PriceTable } from './prices.js';

/** One instance the attacker launched and how long it ran. */
export interface InstanceRun {
  instanceId: string;
  instanceType: string;
  region: string;
  start: string;
  /** When it stopped or terminated; null when still running at `asOf`. */
  end: string | null;
  hours: number;
}

/** Instance-hours of one type in one region, priced. */
export interface CostLine {
  instanceType: string;
  region: string;
  instances: number;
  hours: number;
  usdPerHour: number | null;
  usd: number | null;
  priceSource: string;
  priceDate: string;
  note: string | null;
}

export interface CostEstimate {
  /** Counted up to this time for instances still running. */
  asOf: string;
  lines: CostLine[];
  /** Sum of the priced lines. */
  totalUsd: number;
  /** Lines without a price: the total is a lower bound when any exist. */
  unpriced: number;
  otherBillable: { type: string; id: string; region: string; note: string }[];
  table: { description: string; billing: string; fallbackNote: string };
  /** The attacker's Bedrock model calls, priced as a bound (absent in estimates made before). */
  models?: ModelCallCost;
  /** The attacker's SES mail and SNS texts, as a bound from what CloudTrail shows (null: none). */
  messaging?: MessagingCost | null;
  /** The attacker's RDS snapshots, copies and exports at list prices (null: none). */
  rds?: RdsCost | null;
}

const STOPS = new Set(['TerminateInstances', 'StopInstances']);
const HOUR = 3_600_000;
// Linux on-demand is billed per second with a 60-second minimum (aws-facts.md §6).
const MINIMUM_MS = 60_000;

/** Resource types that bill by the hour or by size but have no figure in the bundled table. */
const OTHER_BILLABLE = new Set([
  'EBS volume',
  'Elastic IP',
  'NAT gateway',
  'EBS snapshot',
  'S3 bucket',
  'Lambda function',
  'CloudFormation stack',
  'GuardDuty detector',
  'Secrets Manager secret',
]);

function launchTime(value: unknown, fallback: string): string {
  // RunInstances' responseElements carry launchTime as epoch milliseconds in CloudTrail, as an
  // ISO string in some tools' output; the event time is the fallback.
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return fallback;
}

/** The attacker's instances from their successful RunInstances calls, with run time up to `asOf`. */
export function instanceRuns(events: AttackerEvent[], changes: InstanceChange[], asOf: Date): InstanceRun[] {
  const runs: InstanceRun[] = [];
  for (const event of events) {
    if (event.errorCode || baseEventName(event.eventName) !== 'RunInstances') continue;
    const items = valuesAt(parseJsonText(event.responseElements), 'instancesSet.items[]');
    for (const item of items) {
      if (typeof item !== 'object' || item === null) continue;
      const fields = item as Record<string, unknown>;
      const id = typeof fields.instanceId === 'string' ? fields.instanceId : null;
      const type = typeof fields.instanceType === 'string' ? fields.instanceType : null;
      if (!id || !type) continue;
      const start = launchTime(fields.launchTime, new Date(event.time).toISOString());
      const stop = changes
        .filter((c) => c.instanceId === id && STOPS.has(c.eventName) && c.time >= start)
        .map((c) => new Date(c.time).toISOString())
        .sort()[0];
      const endMs = stop ? Date.parse(stop) : asOf.getTime();
      const ms = Math.max(MINIMUM_MS, endMs - Date.parse(start));
      runs.push({
        instanceId: id,
        instanceType: type,
        region: event.region,
        start,
        end: stop ?? null,
        hours: ms / HOUR,
      });
    }
  }
  return runs;
}

/** Instance-hours by type and region times the bundled price table, plus what else may bill. */
export function estimateCost(
  runs: InstanceRun[],
  table: PriceTable,
  asOf: Date,
  others: { type: string; id: string; region: string }[],
): CostEstimate {
  const groups = new Map<string, InstanceRun[]>();
  for (const run of runs) {
    const key = `${run.instanceType}|${run.region}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const lines: CostLine[] = [...groups.values()].map((group) => {
    const { instanceType, region } = group[0]!;
    const hours = group.reduce((sum, r) => sum + r.hours, 0);
    const price = priceOf(table, instanceType, region);
    if (price.kind === 'none') {
      return {
        instanceType,
        region,
        instances: group.length,
        hours,
        usdPerHour: null,
        usd: null,
        priceSource: price.reason,
        priceDate: '-',
        note: price.reason,
      };
    }
    return {
      instanceType,
      region,
      instances: group.length,
      hours,
      usdPerHour: price.entry.usdPerHour,
      usd: round2(hours * price.entry.usdPerHour),
      priceSource: price.entry.source,
      priceDate: price.entry.date,
      note: price.kind === 'fallback' ? price.note : null,
    };
  });
  lines.sort((a, b) => (b.usd ?? 0) - (a.usd ?? 0) || a.region.localeCompare(b.region));
  return {
    asOf: asOf.toISOString(),
    lines,
    totalUsd: round2(lines.reduce((sum, l) => sum + (l.usd ?? 0), 0)),
    unpriced: lines.filter((l) => l.usd === null).length,
    otherBillable: others
      .filter((o) => OTHER_BILLABLE.has(o.type))
      .map((o) => ({ ...o, note: 'bills by size or use; no figure in the bundled table' })),
    table: { description: table.description, billing: table.billing, fallbackNote: table.fallbackNote },
  };
}

/** Dollars to the cent. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** `$1,234.56`. */
export function usd(value: number): string {
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
