import { emptyRds } from '../services/rds/model.js';
import { rdsPrices } from '../services/rds/prices.js';
import type { SimState } from '../state.js';

/** One line of what the attacker's RDS theft cost: a snapshot's storage, a copy's transfer, an export. */
export interface RdsUsage {
  kind: 'snapshot-storage' | 'cross-region-copy' | 'export';
  /** The snapshot (storage, copy) or the export task. */
  id: string;
  region: string;
  gb: number;
  /** Snapshot storage: hours from its creation to the scenario's end. */
  hours?: number;
  usd: number;
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/**
 * What the snapshots the attacker made (`region/id`) cost up to `end`, as the account's bill
 * counts it from its own records: backup storage per GB-month from each one's creation, transfer
 * per GB for a copy from another region, and per GB of snapshot for each export of one of them.
 */
export function rdsUsage(sim: SimState, accountId: string, snapshots: Set<string>, end: number): RdsUsage[] {
  const p = rdsPrices();
  const out: RdsUsage[] = [];
  const arns = new Set<string>();
  const regions = sim.serviceState(accountId, 'rds', emptyRds).regions;
  for (const [region, r] of Object.entries(regions))
    for (const s of Object.values(r.snapshots)) {
      if (!snapshots.has(`${region}/${s.id}`)) continue;
      arns.add(s.arn);
      const hours = Math.max(0, (end - Date.parse(s.createdAt)) / 3_600_000);
      out.push({
        kind: 'snapshot-storage',
        id: s.id,
        region,
        gb: s.allocatedStorage,
        hours,
        usd: round4((s.allocatedStorage * p.snapshotPerGbMonth * hours) / p.hoursPerMonth),
      });
      if (s.sourceRegion && s.sourceRegion !== region)
        out.push({
          kind: 'cross-region-copy',
          id: s.id,
          region,
          gb: s.allocatedStorage,
          usd: round4(s.allocatedStorage * p.crossRegionPerGb),
        });
    }
  for (const [region, r] of Object.entries(regions))
    for (const x of Object.values(r.exports))
      if (arns.has(x.sourceArn))
        out.push({
          kind: 'export',
          id: x.id,
          region,
          gb: x.snapshotGb,
          usd: round4(x.snapshotGb * p.exportPerGb),
        });
  return out;
}
