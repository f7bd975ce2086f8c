import { z } from 'zod';

/** Where the report phase keeps SES's sending statistics (in `evidence/`). */
export const SES_STATISTICS_FILE = 'ses-send-statistics.json';

const pointSchema = z.object({
  timestamp: z.string(),
  deliveryAttempts: z.number().nonnegative(),
  bounces: z.number().nonnegative(),
  complaints: z.number().nonnegative(),
  rejects: z.number().nonnegative(),
});

/** SES GetSendStatistics of each region read: 15-minute slots of the last two weeks, or why not. */
export const sesStatisticsSchema = z.object({
  readAt: z.string(),
  source: z.string(),
  regions: z.array(
    z.object({
      region: z.string(),
      points: z.array(pointSchema),
      /** Why the region could not be read (AccessDenied…); its mail then has no figure. */
      notRead: z.string().optional(),
    }),
  ),
});

export type SesStatistics = z.infer<typeof sesStatisticsSchema>;

/** The mail SES counted in one region from the attacker's first SES call on. */
export interface SesSent {
  region: string;
  /** Start of the 15-minute slot of the attacker's first successful SES call there. */
  since: string;
  messages: number;
  usd: number;
}

const SLOT_MS = 15 * 60_000;

/**
 * The messages SES's statistics count in each region from the slot of the attacker's first SES
 * call on (GetSendStatistics counts delivery attempts, one per recipient, which is what SES
 * bills). Every sender of the account in those slots is counted: an upper bound on the
 * attacker's mail when the owner also sent then.
 */
export function sesSent(
  stats: SesStatistics,
  firstCall: Map<string, string>,
  usdPerMessage: number,
): SesSent[] {
  const out: SesSent[] = [];
  for (const r of stats.regions) {
    const first = firstCall.get(r.region);
    if (!first || r.notRead) continue;
    const since = Math.floor(Date.parse(first) / SLOT_MS) * SLOT_MS;
    const messages = r.points
      .filter((p) => Date.parse(p.timestamp) >= since)
      .reduce((n, p) => n + p.deliveryAttempts, 0);
    out.push({
      region: r.region,
      since: new Date(since).toISOString(),
      messages,
      usd: Math.round(messages * usdPerMessage * 100) / 100,
    });
  }
  return out;
}
