import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { AttackerEvent } from './input.js';
import { parseJsonText, stringsAt } from './json-path.js';
import { round2, usd } from './cost.js';
import { readTable } from './prices.js';

/**
 * List prices the estimate uses (`data/rds-prices.json`: Amazon RDS pricing, US East (N.
 * Virginia)), for every region: the figures differ by a few per cent elsewhere, which the phrase
 * says. The simulated account bills its scenarios' truth from the same table.
 */
const tableSchema = z.object({
  description: z.string(),
  /** Snapshot export to S3, per GB of snapshot size. */
  exportPerGb: z.number().nonnegative(),
  /** Backup storage beyond the free allowance (a manual snapshot or a copy), per GB-month. */
  snapshotPerGbMonth: z.number().nonnegative(),
  /** Data transfer of a snapshot copied to another region, per GB. */
  crossRegionPerGb: z.number().nonnegative(),
  hoursPerMonth: z.number().positive(),
  source: z.string(),
  date: z.string(),
});

export type RdsPriceTable = z.infer<typeof tableSchema>;

/** The bundled table's path (`data/` sits two levels above `src/report/` and `dist/report/`). */
export const RDS_PRICE_FILE = fileURLToPath(new URL('../../data/rds-prices.json', import.meta.url));

let bundled: RdsPriceTable | undefined;

/** Read and validate the RDS price table (the bundled one by default, read once). */
export function loadRdsPrices(file?: string): RdsPriceTable {
  if (file) return readTable(file, tableSchema, 'data/rds-prices.json');
  bundled ??= readTable(RDS_PRICE_FILE, tableSchema, 'data/rds-prices.json');
  return bundled;
}

/** A snapshot or copy the attacker made, with its size as RDS answered it. */
export interface RdsSnapshotUse {
  id: string;
  region: string;
  gb: number | null;
  createdAt: string;
  /** Region it was copied from (a cross-region copy), or null. */
  copiedFrom: string | null;
}

/** The attacker's RDS snapshots and exports, priced at list prices up to `asOf`. */
export interface RdsCost {
  asOf: string;
  snapshots: RdsSnapshotUse[];
  exports: { id: string; region: string; bucket: string; source: string; gb: number | null }[];
  exportUsd: number;
  transferUsd: number;
  storageUsd: number;
  usd: number;
  /** Snapshots or exports whose size no event gives: the figure is then a lower bound. */
  unsized: number;
  /** The figures used (the table's long description left out). */
  prices: Omit<RdsPriceTable, 'description'>;
}

function figures(p: RdsPriceTable): Omit<RdsPriceTable, 'description'> {
  const { description: _about, ...rest } = p;
  return rest;
}

const ok = (e: AttackerEvent) => !e.errorCode && e.eventSource === 'rds.amazonaws.com';
const first = (root: unknown, path: string): string | undefined => stringsAt(root, path)[0];

/** The cost of the attacker's RDS snapshots, copies and exports (null when there are none). */
export function rdsCost(
  events: AttackerEvent[],
  asOf: Date,
  p: RdsPriceTable = loadRdsPrices(),
): RdsCost | null {
  const snapshots: RdsSnapshotUse[] = [];
  const exports: RdsCost['exports'] = [];
  const sizeOf = new Map<string, number>();
  for (const e of events.filter(ok)) {
    const req = parseJsonText(e.requestParameters);
    const resp = parseJsonText(e.responseElements);
    if (e.eventName === 'CreateDBSnapshot' || e.eventName === 'CopyDBSnapshot') {
      const id =
        first(resp, 'dBSnapshot.dBSnapshotIdentifier') ??
        first(req, 'targetDBSnapshotIdentifier') ??
        first(req, 'dBSnapshotIdentifier');
      if (!id) continue;
      const size = Number(first(resp, 'dBSnapshot.allocatedStorage'));
      const gb = Number.isFinite(size) && size > 0 ? size : null;
      const source = first(req, 'sourceDBSnapshotIdentifier') ?? '';
      const from = /^arn:aws[a-z-]*:rds:([^:]+):/.exec(source)?.[1] ?? null;
      snapshots.push({
        id,
        region: e.region,
        gb,
        createdAt: e.time,
        copiedFrom: from && from !== e.region ? from : null,
      });
      const arn = first(resp, 'dBSnapshot.dBSnapshotArn');
      if (gb !== null && arn) sizeOf.set(arn, gb);
    }
    if (e.eventName === 'StartExportTask') {
      const source = first(req, 'sourceArn') ?? '';
      exports.push({
        id: first(req, 'exportTaskIdentifier') ?? '?',
        region: e.region,
        bucket: first(req, 's3BucketName') ?? '?',
        source,
        gb: sizeOf.get(source) ?? null,
      });
    }
  }
  if (!snapshots.length && !exports.length) return null;
  const exportUsd = exports.reduce((sum, x) => sum + (x.gb ?? 0) * p.exportPerGb, 0);
  const transferUsd = snapshots.reduce(
    (sum, s) => sum + (s.copiedFrom ? (s.gb ?? 0) * p.crossRegionPerGb : 0),
    0,
  );
  const storageUsd = snapshots.reduce((sum, s) => {
    const hours = Math.max(0, (asOf.getTime() - Date.parse(s.createdAt)) / 3_600_000);
    return sum + ((s.gb ?? 0) * p.snapshotPerGbMonth * hours) / p.hoursPerMonth;
  }, 0);
  return {
    asOf: asOf.toISOString(),
    snapshots,
    exports,
    exportUsd: round2(exportUsd),
    transferUsd: round2(transferUsd),
    storageUsd: round2(storageUsd),
    usd: round2(exportUsd + transferUsd + storageUsd),
    unsized: [...snapshots, ...exports].filter((x) => x.gb === null).length,
    prices: figures(p),
  };
}

/** The RDS figure in one phrase. */
export function rdsPhrase(c: RdsCost): string {
  const gb = c.snapshots.reduce((sum, s) => sum + (s.gb ?? 0), 0);
  const bound = c.unsized ? `, at least: ${c.unsized} without a size in CloudTrail` : '';
  return `${usd(c.usd)} for ${c.snapshots.length} RDS snapshot(s) of ${gb} GB and ${c.exports.length} export(s) to S3 (export ${usd(c.exportUsd)}, cross-region copy ${usd(c.transferUsd)}, storage ${usd(c.storageUsd)} so far; US East list prices${bound})`;
}
