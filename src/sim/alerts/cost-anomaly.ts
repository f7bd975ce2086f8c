import { costOf, instanceUsage } from '../services/costexplorer/usage.js';
import type { SimState } from '../state.js';

const DAY = 86_400_000;
const EC2 = 'Amazon Elastic Compute Cloud - Compute';

function day(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** The usage-type prefix Cost Explorer puts before `BoxUsage` outside us-east-1 (`APS1-`, `SAE1-`). */
const USAGE_PREFIX: Record<string, string> = {
  'us-east-1': '',
  'us-east-2': 'USE2-',
  'us-west-1': 'USW1-',
  'us-west-2': 'USW2-',
  'eu-west-1': 'EU-',
  'eu-central-1': 'EUC1-',
  'eu-north-1': 'EUN1-',
  'ap-southeast-1': 'APS1-',
  'ap-northeast-1': 'APN1-',
  'sa-east-1': 'SAE1-',
  'ca-central-1': 'CAN1-',
};

/**
 * A Cost Anomaly Detection alert for the account's EC2 spend, as EventBridge delivers it
 * (`detail-type: Anomaly Detected`, Cost Management User Guide): each region's spend since
 * `since` (a day boundary) against its daily average over the `baselineDays` before; regions
 * whose spend rose become root causes, largest first. Undefined when no region's spend rose.
 */
export function costAnomalyEvent(
  sim: SimState,
  accountId: string,
  options: { since: string | number; baselineDays?: number },
): Record<string, unknown> | undefined {
  const now = sim.clock.nowMs();
  const start = day(typeof options.since === 'number' ? options.since : Date.parse(options.since));
  const baselineDays = options.baselineDays ?? 14;
  const days = Math.max((now - start) / DAY, 1 / 24);
  const usage = instanceUsage(sim, accountId, now);
  const regions = [...new Set(usage.map((u) => u.region))];
  const causes = regions
    .map((region) => {
      const here = usage.filter((u) => u.region === region);
      const actual = costOf(here, start, now);
      const expected = (costOf(here, start - baselineDays * DAY, start) / baselineDays) * days;
      const types = [...new Set(here.filter((u) => u.end > start).map((u) => u.instanceType))];
      return { region, actual, expected, impact: actual - expected, types };
    })
    .filter((c) => c.impact > 1)
    .sort((a, b) => b.impact - a.impact);
  if (causes.length === 0) return undefined;
  const round = (n: number) => Math.round(n * 100) / 100;
  const actual = causes.reduce((s, c) => s + c.actual, 0);
  const expected = causes.reduce((s, c) => s + c.expected, 0);
  const anomalyId = sim.ids.uuid();
  const monitor = `arn:aws:ce::${accountId}:anomalymonitor/${sim.ids.uuid()}`;
  return {
    version: '0',
    id: sim.ids.uuid(),
    source: 'aws.ce',
    'detail-type': 'Anomaly Detected',
    account: accountId,
    region: 'us-east-1',
    time: sim.nowIso(),
    resources: [monitor],
    detail: {
      accountName: 'acme',
      anomalyEndDate: new Date(day(now)).toISOString().replace('.000Z', 'Z'),
      anomalyId,
      anomalyScore: { currentScore: 0.9, maxScore: 0.9 },
      anomalyStartDate: new Date(start).toISOString().replace('.000Z', 'Z'),
      dimensionValue: EC2,
      impact: {
        maxImpact: round(causes[0]!.impact),
        totalActualSpend: round(actual),
        totalExpectedSpend: round(expected),
        totalImpact: round(actual - expected),
        totalImpactPercentage: expected > 0 ? round(((actual - expected) / expected) * 100) : 0,
      },
      rootCauses: causes.map((c) => ({
        linkedAccount: accountId,
        linkedAccountName: 'acme',
        region: c.region,
        service: EC2,
        usageType: `${USAGE_PREFIX[c.region] ?? ''}BoxUsage:${c.types[0] ?? 'unknown'}`,
        impact: { contribution: round(c.impact) },
      })),
      accountId,
      monitorArn: monitor,
      monitorName: 'aws-services-monitor',
      anomalyDetailsLink: `https://console.aws.amazon.com/cost-management/home#/anomaly-detection/monitors/${monitor.split('/').at(-1)!}/anomalies/${anomalyId}`,
    },
  };
}
