import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { classifyAwsError, describeAwsError } from '../../aws/errors.js';
import type { ClientPool } from '../../aws/pool.js';
import { CaseFolder } from '../../case/case.js';
import type { Clock } from '../../clock.js';
import { COST_EXPLORER_FILE, type CostExplorerFigures } from '../../report/index.js';

const DAY = 86_400_000;

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Billed cost per service from Cost Explorer for whole UTC days from `from` through `to`
 * (GetCostAndUsage: End is exclusive; the API is served from us-east-1; figures of the last day or
 * two are estimates). Read as UnblendedCost, the figure the bill shows before credits.
 */
export async function fetchCostExplorer(
  pool: ClientPool,
  from: Date,
  to: Date,
): Promise<CostExplorerFigures> {
  const start = day(from.getTime());
  const end = day(to.getTime() + DAY);
  const client = pool.get(CostExplorerClient, 'us-east-1');
  const byService = new Map<string, number>();
  let currency = 'USD';
  let token: string | undefined;
  do {
    const page = await client.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: start, End: end },
        Granularity: 'DAILY',
        Metrics: ['UnblendedCost'],
        GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
        NextPageToken: token,
      }),
    );
    for (const result of page.ResultsByTime ?? []) {
      for (const group of result.Groups ?? []) {
        const cost = group.Metrics?.UnblendedCost;
        const service = group.Keys?.[0] ?? 'unknown service';
        byService.set(service, (byService.get(service) ?? 0) + Number(cost?.Amount ?? 0));
        if (cost?.Unit) currency = cost.Unit;
      }
    }
    token = page.NextPageToken;
  } while (token);
  const services = [...byService]
    .map(([service, amount]) => ({ service, amount }))
    .sort((a, b) => b.amount - a.amount);
  return {
    start: `${start}T00:00:00.000Z`,
    end: `${end}T00:00:00.000Z`,
    currency,
    total: services.reduce((sum, s) => sum + s.amount, 0),
    byService: services,
    source: 'Cost Explorer GetCostAndUsage, UnblendedCost, daily, by service',
  };
}

/**
 * Read Cost Explorer and keep the figures in the case's evidence (where the report finds them).
 * A refusal is a result: the report then says the figures could not be read, and why.
 */
export async function recordCostExplorer(
  caseDir: string,
  pool: ClientPool,
  clock: Clock,
  period: { from: Date; to: Date },
): Promise<{ ok: true; figures: CostExplorerFigures } | { ok: false; reason: string }> {
  let figures: CostExplorerFigures;
  try {
    figures = await fetchCostExplorer(pool, period.from, period.to);
  } catch (error) {
    const c = classifyAwsError(error);
    if (c.kind === 'other' && !c.credentialsRejected && c.httpStatus === undefined && !c.network) throw error;
    return { ok: false, reason: describeAwsError(c) };
  }
  const folder = CaseFolder.open(caseDir, { clock });
  try {
    await folder.addEvidence(
      COST_EXPLORER_FILE,
      JSON.stringify(figures, null, 2) + '\n',
      'Cost Explorer GetCostAndUsage',
    );
  } finally {
    folder.close();
  }
  return { ok: true, figures };
}
