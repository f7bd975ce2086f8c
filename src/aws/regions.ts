import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { classifyAwsError, describeAwsError } from './errors.js';
import type { ClientPool } from './pool.js';

/**
 * The regions enabled by default in every commercial account (opt-in regions excluded): used
 * when DescribeRegions cannot be called, and said so.
 */
export const FALLBACK_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;

export interface EnabledRegions {
  regions: string[];
  source: 'DescribeRegions' | 'fallback';
  /** Why the fallback list was used. */
  reason?: string;
  /** Opt-in regions the account has not enabled (nothing can run there; said so, not read). */
  disabled?: string[];
}

/** The account's enabled regions, from EC2 DescribeRegions, or the fallback list with the reason. */
export async function enabledRegions(pool: ClientPool): Promise<EnabledRegions> {
  try {
    const ec2 = pool.get(EC2Client);
    // AllRegions also names the opt-in regions not enabled, so a reader can say it skipped them.
    const out = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    const names = (enabled: boolean) =>
      (out.Regions ?? [])
        .filter((r) => (r.OptInStatus !== 'not-opted-in') === enabled)
        .map((r) => r.RegionName)
        .filter((r): r is string => typeof r === 'string')
        .sort();
    const regions = names(true);
    if (regions.length > 0) return { regions, source: 'DescribeRegions', disabled: names(false) };
    return {
      regions: [...FALLBACK_REGIONS],
      source: 'fallback',
      reason: 'DescribeRegions returned no regions',
    };
  } catch (error) {
    const classified = classifyAwsError(error);
    if (classified.kind === 'other' && classified.credentialsRejected) throw error;
    return { regions: [...FALLBACK_REGIONS], source: 'fallback', reason: describeAwsError(classified) };
  }
}
