import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService } from '../../core/service.js';
import { costOf, instanceUsage, type InstanceUsage } from './usage.js';

const DAY_MS = 86_400_000;

function day(text: string, name: string): number {
  if (!/^\d{4}-\d\d-\d\d$/.test(text)) {
    throw new SimError(
      'ValidationException',
      `Invalid ${name} date: ${text}. Expected format yyyy-MM-dd`,
      400,
    );
  }
  return Date.parse(`${text}T00:00:00Z`);
}

function amount(usd: number): { Amount: string; Unit: string } {
  return { Amount: usd.toFixed(10).replace(/\.?0+$/, '') || '0', Unit: 'USD' };
}

function periods(start: number, end: number, granularity: string): [number, number][] {
  const out: [number, number][] = [];
  if (granularity === 'MONTHLY') {
    let s = start;
    while (s < end) {
      const d = new Date(s);
      const next = Math.min(end, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
      out.push([s, next]);
      s = next;
    }
    return out;
  }
  const step = granularity === 'HOURLY' ? 3_600_000 : DAY_MS;
  for (let s = start; s < end; s += step) out.push([s, Math.min(end, s + step)]);
  return out;
}

const GROUP_KEYS: Record<string, (u: InstanceUsage) => string> = {
  SERVICE: () => 'Amazon Elastic Compute Cloud - Compute',
  REGION: (u) => u.region,
  INSTANCE_TYPE: (u) => u.instanceType,
  USAGE_TYPE: (u) =>
    `${u.region === 'us-east-1' ? '' : `${u.region.toUpperCase().replace(/-/g, '')}-`}BoxUsage:${u.instanceType}`,
  LINKED_ACCOUNT: () => '',
};

/**
 * Cost Explorer (awsJson1.1, global in us-east-1): GetCostAndUsage over the account's simulated
 * EC2 usage (instance-hours × the price tables), so an attacker's instances show as a spike.
 */
export const costExplorerService = defineService<undefined>({
  signingName: 'ce',
  protocol: 'json',
  targetPrefix: 'AWSInsightsIndexService',
  eventSource: 'ce.amazonaws.com',
  apiVersion: '2017-10-25',
  globalRegion: 'us-east-1',
  endpointHost: () => 'ce.us-east-1.amazonaws.com',
  operations: {
    GetCostAndUsage: {
      handler(ctx) {
        const period = (ctx.body.TimePeriod ?? {}) as { Start?: unknown; End?: unknown };
        const start = day(bodyString(period.Start), 'start');
        const end = day(bodyString(period.End), 'end');
        if (end <= start)
          throw new SimError('ValidationException', 'Start date must be before end date.', 400);
        const granularity = bodyString(ctx.body.Granularity) || 'MONTHLY';
        const metrics = Array.isArray(ctx.body.Metrics)
          ? ctx.body.Metrics.map(bodyString)
          : ['UnblendedCost'];
        const groupBy = Array.isArray(ctx.body.GroupBy)
          ? (ctx.body.GroupBy as { Type?: string; Key?: string }[])
          : [];
        const usage = instanceUsage(ctx.sim, ctx.caller.accountId, ctx.now.getTime());
        const estimated = (e: number) => e > ctx.now.getTime() - 2 * DAY_MS;
        const metricSet = (usd: number) => Object.fromEntries(metrics.map((m) => [m, amount(usd)]));
        const results = periods(start, end, granularity).map(([s, e]) => {
          const base = {
            TimePeriod: {
              Start: new Date(s).toISOString().slice(0, 10),
              End: new Date(e).toISOString().slice(0, 10),
            },
            Estimated: estimated(e),
          };
          if (groupBy.length === 0) return { ...base, Total: metricSet(costOf(usage, s, e)), Groups: [] };
          const keyOf = groupBy.map((g) => GROUP_KEYS[g.Key ?? ''] ?? (() => ''));
          const groups = new Map<string, InstanceUsage[]>();
          for (const u of usage) {
            const k = JSON.stringify(keyOf.map((f) => f(u)));
            groups.set(k, [...(groups.get(k) ?? []), u]);
          }
          return {
            ...base,
            Total: {},
            Groups: [...groups]
              .map(([k, list]) => ({
                Keys: JSON.parse(k) as string[],
                Metrics: metricSet(costOf(list, s, e)),
              }))
              .filter((g) => Object.values(g.Metrics).some((m) => Number(m.Amount) > 0)),
          };
        });
        return {
          GroupDefinitions: groupBy.length ? groupBy : undefined,
          ResultsByTime: results,
          DimensionValueAttributes: [],
        };
      },
    },
  },
});
