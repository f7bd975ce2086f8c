import { GetSendStatisticsCommand, SESClient } from '@aws-sdk/client-ses';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { CaseContext } from '../context.js';
import { SES_STATISTICS_FILE, type SesStatistics } from '../report/ses-statistics.js';

/**
 * Read SES's sending statistics (GetSendStatistics: 15-minute slots of the last two weeks) in
 * each region where the attacker used SES, and keep them in the case's evidence: SES never
 * records a send in CloudTrail, so they are where the attacker's mail is counted. A region AWS
 * refuses is kept as not read, with why (the report then gives no figure for it).
 */
export async function recordSesStatistics(ctx: CaseContext, regions: string[]): Promise<SesStatistics> {
  const stats: SesStatistics = {
    readAt: ctx.clock.now().toISOString(),
    source: 'SES GetSendStatistics (DeliveryAttempts per 15-minute slot, last two weeks)',
    regions: [],
  };
  for (const region of regions) {
    try {
      const out = await ctx.aws.get(SESClient, region).send(new GetSendStatisticsCommand({}));
      stats.regions.push({
        region,
        points: (out.SendDataPoints ?? []).map((p) => ({
          timestamp: (p.Timestamp ?? new Date(0)).toISOString(),
          deliveryAttempts: p.DeliveryAttempts ?? 0,
          bounces: p.Bounces ?? 0,
          complaints: p.Complaints ?? 0,
          rejects: p.Rejects ?? 0,
        })),
      });
    } catch (error) {
      const c = classifyAwsError(error);
      if (c.kind === 'other' && !c.credentialsRejected && c.httpStatus === undefined && !c.network)
        throw error;
      stats.regions.push({ region, points: [], notRead: describeAwsError(c) });
    }
  }
  await ctx.case.addEvidence(
    SES_STATISTICS_FILE,
    JSON.stringify(stats, null, 2) + '\n',
    `ses:GetSendStatistics ${regions.join(',')}`,
  );
  return stats;
}
