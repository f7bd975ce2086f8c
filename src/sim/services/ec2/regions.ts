import { Ec2Error } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2AccountState, Filter, WireObject } from './model.js';

/**
 * The commercial regions as DescribeRegions lists them: the 17 enabled by default in every
 * account (optInStatus `opt-in-not-required`) and the newer opt-in regions, which an account
 * sees only with `AllRegions=true` until it enables them (AWS Account Management, "Specify
 * which AWS Regions your account can use").
 */
const DEFAULT_REGIONS = [
  'ap-south-1',
  'eu-north-1',
  'eu-west-3',
  'eu-west-2',
  'eu-west-1',
  'ap-northeast-3',
  'ap-northeast-2',
  'ap-northeast-1',
  'ca-central-1',
  'sa-east-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'eu-central-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
] as const;

/** Availability-zone letters per region where they differ from a, b, c. */
const ZONE_LETTERS: Record<string, string> = {
  'us-east-1': 'abcdef',
  'us-west-1': 'ac',
  'ap-northeast-1': 'acd',
};

/** Every region name the simulator knows, default ones first. */
export const ALL_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];

/** True for regions enabled in every account. */
export function isDefaultRegion(region: string): boolean {
  return (DEFAULT_REGIONS as readonly string[]).includes(region);
}

/** The availability zones of a region (`us-east-1a`, ...). */
export function availabilityZones(region: string): string[] {
  return [...(ZONE_LETTERS[region] ?? 'abc')].map((letter) => `${region}${letter}`);
}

/** Whether an account may call EC2 in `region` (default region, or an opt-in region it enabled). */
export function regionEnabled(account: Ec2AccountState, region: string): boolean {
  return isDefaultRegion(region) || account.optedInRegions.includes(region);
}

function optInStatus(account: Ec2AccountState, region: string): string {
  if (isDefaultRegion(region)) return 'opt-in-not-required';
  return account.optedInRegions.includes(region) ? 'opted-in' : 'not-opted-in';
}

interface RegionRow {
  regionName: string;
  regionEndpoint: string;
  optInStatus: string;
}

const REGION_FILTERS: FilterTable<RegionRow> = {
  'region-name': (r) => r.regionName,
  endpoint: (r) => r.regionEndpoint,
  'opt-in-status': (r) => r.optInStatus,
};

/** DescribeRegions: enabled regions, or all with `allRegions`, narrowed by names and filters. */
export function describeRegions(
  account: Ec2AccountState,
  input: { regionNames?: string[]; allRegions?: boolean; filters?: Filter[] },
): WireObject {
  for (const name of input.regionNames ?? []) {
    if (!ALL_REGIONS.includes(name)) {
      throw new Ec2Error('InvalidParameterValue', `Invalid region name '${name}'`);
    }
  }
  const rows = ALL_REGIONS.map((regionName): RegionRow => ({
    regionName,
    regionEndpoint: `ec2.${regionName}.amazonaws.com`,
    optInStatus: optInStatus(account, regionName),
  })).filter((row) => {
    if (input.regionNames?.length) return input.regionNames.includes(row.regionName);
    return input.allRegions === true || row.optInStatus !== 'not-opted-in';
  });
  checkFilters(input.filters, REGION_FILTERS, false);
  const regionInfo = rows.filter((row) => matchesFilters(row, input.filters, REGION_FILTERS));
  return { regionInfo: regionInfo.map((row) => ({ ...row })) };
}
