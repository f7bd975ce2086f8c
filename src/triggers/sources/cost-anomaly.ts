import { z } from 'zod';
import { accountOrNull, alertDate, defineRecogniser, type AlertContext, type Reading } from '../trigger.js';

/**
 * A Cost Anomaly Detection alert: the EventBridge `Anomaly Detected` detail (Cost Management
 * User Guide, "Using AWS User Notifications with Cost Anomaly Detection"), the SNS message of an
 * alert subscription (same members, `dimensionalValue` for `dimensionValue`), or an `Anomaly` of
 * the GetAnomalies API. Root causes name service, region, linked account and usage type; no
 * credential.
 */
const anomaly = z
  .object({
    anomalyId: z.string(),
    accountId: z.string().optional(),
    accountName: z.string().optional(),
    anomalyStartDate: alertDate.optional(),
    anomalyEndDate: alertDate.nullable().optional(),
    dimensionValue: z.string().optional(),
    dimensionalValue: z.string().optional(),
    monitorName: z.string().optional(),
    monitorArn: z.string().optional(),
    anomalyDetailsLink: z.string().optional(),
    impact: z.object({ totalImpact: z.number().optional(), maxImpact: z.number().optional() }).passthrough(),
    rootCauses: z
      .array(
        z
          .object({
            service: z.string().optional(),
            region: z.string().optional(),
            linkedAccount: z.string().optional(),
            usageType: z.string().optional(),
            impact: z.object({ contribution: z.number().optional() }).passthrough().optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

type Anomaly = z.infer<typeof anomaly>;

function read(a: Anomaly, context: AlertContext): Reading {
  const causes = [...(a.rootCauses ?? [])].sort(
    (x, y) => (y.impact?.contribution ?? 0) - (x.impact?.contribution ?? 0),
  );
  const service =
    causes.find((c) => c.service)?.service ?? a.dimensionValue ?? a.dimensionalValue ?? 'unknown';
  const regions = [...new Set(causes.map((c) => c.region).filter((r): r is string => !!r))];
  const impact = a.impact.totalImpact ?? a.impact.maxImpact;
  const since = a.anomalyStartDate ?? context.time;
  return {
    trigger: {
      source: 'cost-anomaly',
      name: `Cost anomaly ${a.anomalyId}`,
      summary: `Unusual spend on ${service}${regions.length ? ` in ${regions.join(', ')}` : ''}${impact === undefined ? '' : ` ($${impact.toFixed(2)} above the expected)`}`,
      candidates: [],
      lead: regions.length && since ? { kind: 'spend', service, regions, since } : null,
      unresolved: regions.length
        ? since
          ? null
          : 'the anomaly has no start date to look back from'
        : 'the anomaly names no region (rootCauses[].region) to look for who launched what',
      account: accountOrNull(
        causes.find((c) => c.linkedAccount)?.linkedAccount,
        a.accountId,
        context.account,
      ),
      region: regions[0] ?? null,
      awareness: context.time ?? null,
      awarenessFrom: context.time
        ? 'the time the alert was sent (EventBridge or SNS)'
        : 'none in the document',
      reference: a.anomalyDetailsLink ?? a.anomalyId,
      details: [
        ['Service', service],
        ['Started', a.anomalyStartDate ?? 'unknown'],
        ...(impact === undefined ? [] : [['Impact', `$${impact.toFixed(2)}`] as [string, string]]),
        ...causes.map(
          (c) =>
            ['Root cause', [c.service, c.region, c.usageType].filter(Boolean).join(' · ')] as [
              string,
              string,
            ],
        ),
      ],
    },
  };
}

export const costAnomaly = defineRecogniser({
  source: 'cost-anomaly',
  expected: 'a Cost Anomaly Detection alert',
  marks: z.object({ anomalyId: z.string(), impact: z.unknown() }).passthrough(),
  schema: anomaly,
  read,
});
