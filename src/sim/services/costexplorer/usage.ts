import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SimState } from '../../state.js';
import type { Ec2AccountState, Instance } from '../ec2/model.js';

/** One priced entry of the project's price table (`data/ec2-prices.json`, owned by the report). */
interface PriceEntry {
  instanceType: string;
  region: string;
  usdPerHour: number;
}

interface PriceFile {
  fallbackRegion: string;
  prices: PriceEntry[];
}

const MAIN_TABLE = fileURLToPath(new URL('../../../../data/ec2-prices.json', import.meta.url));
const EXTRA_TABLE = fileURLToPath(new URL('../../../../data/ec2-extra-prices.json', import.meta.url));

let cached: { main: PriceFile; extra: Record<string, number> } | undefined;

function tables(): { main: PriceFile; extra: Record<string, number> } {
  cached ??= {
    main: JSON.parse(readFileSync(MAIN_TABLE, 'utf8')) as PriceFile,
    extra: (JSON.parse(readFileSync(EXTRA_TABLE, 'utf8')) as { prices: Record<string, number> }).prices,
  };
  return cached;
}

/**
 * USD per hour of an instance type in a region: the project's table (exact region, else its
 * fallback region, as the report's estimate does), then the small-types table; 0 if unknown.
 */
export function hourlyPrice(instanceType: string, region: string): number {
  const { main, extra } = tables();
  const exact = main.prices.find((p) => p.instanceType === instanceType && p.region === region);
  const fallback = main.prices.find(
    (p) => p.instanceType === instanceType && p.region === main.fallbackRegion,
  );
  return exact?.usdPerHour ?? fallback?.usdPerHour ?? extra[instanceType] ?? 0;
}

/** An instance's running time: from launch to termination (or stop), capped at `until`. */
export interface InstanceUsage {
  instanceId: string;
  instanceType: string;
  region: string;
  start: number;
  end: number;
}

function stoppedAt(instance: Instance): number | undefined {
  const m = /\((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) GMT\)/.exec(instance.stateTransitionReason);
  return instance.state === 'stopped' && m ? Date.parse(`${m[1]!.replace(' ', 'T')}Z`) : undefined;
}

/** Every instance's usage interval in an account, up to `until` (epoch ms). */
export function instanceUsage(sim: SimState, accountId: string, until: number): InstanceUsage[] {
  const ec2 = sim.account(accountId)?.services.ec2 as Ec2AccountState | undefined;
  const out: InstanceUsage[] = [];
  for (const [region, state] of Object.entries(ec2?.regions ?? {})) {
    for (const i of Object.values(state.instances)) {
      const start = Date.parse(i.launchTime);
      const end = Math.min(until, i.terminatedAt ? Date.parse(i.terminatedAt) : (stoppedAt(i) ?? until));
      if (end > start)
        out.push({ instanceId: i.instanceId, instanceType: i.instanceType, region, start, end });
    }
  }
  return out;
}

/** Linux on-demand bills per second with a 60-second minimum (aws-facts §6). */
export function billedHours(start: number, end: number): number {
  return Math.max(end - start, 60_000) / 3_600_000;
}

/** Cost in USD of usage intervals clipped to [from, to). */
export function costOf(usage: InstanceUsage[], from = -Infinity, to = Infinity): number {
  let total = 0;
  for (const u of usage) {
    const s = Math.max(u.start, from);
    const e = Math.min(u.end, to);
    if (e <= s) continue;
    // The 60-second minimum applies to the whole run, counted where the run starts.
    const hours = s === u.start && e === u.end ? billedHours(s, e) : (e - s) / 3_600_000;
    total += hours * hourlyPrice(u.instanceType, u.region);
  }
  return total;
}
