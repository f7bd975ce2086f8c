import { and, api, not, or } from '../sql.js';
import { rules } from './types.js';

const ISO = `'%Y-%m-%dT%H:%i:%sZ'`;
/** Global services record their calls in us-east-1 whatever the caller's region. */
const GLOBAL_SERVICES = `('iam.amazonaws.com', 'sts.amazonaws.com', 'signin.amazonaws.com', 'organizations.amazonaws.com', 'health.amazonaws.com', 'support.amazonaws.com', 'account.amazonaws.com', 'route53.amazonaws.com', 'cloudfront.amazonaws.com')`;

/**
 * The account's first call in this region came a week or more after its first call anywhere, and
 * this event is within a day of that first call: the region was not in use. The two aggregates are
 * uncorrelated (computed once) and joined on equality, not scanned per event.
 */
const REGION_NEWLY_USED = `EXISTS (SELECT 1
  FROM (SELECT recipientaccountid AS account, awsregion AS region, min(eventtime) AS first FROM cloudtrail_events GROUP BY 1, 2) r
  JOIN (SELECT recipientaccountid AS account, min(eventtime) AS first FROM cloudtrail_events GROUP BY 1) a ON a.account = r.account
  WHERE e.readonly = 'false' AND r.account = e.recipientaccountid AND r.region = e.awsregion
    AND r.first >= date_format(date_add('day', 7, from_iso8601_timestamp(a.first)), ${ISO})
    AND e.eventtime < date_format(date_add('day', 1, from_iso8601_timestamp(r.first)), ${ISO}))`;

/**
 * The rows REGION_NEWLY_USED can hold for: writes in a region the account began using a week or
 * more after its first call (the same two aggregates, uncorrelated: one semi-join, not a
 * sub-query per row). A wider set than the rule's, never a narrower one: the rule still decides.
 */
const IN_NEWLY_USED_REGION = `e.readonly = 'false' AND e.recipientaccountid || '/' || e.awsregion IN (SELECT r.account || '/' || r.region
  FROM (SELECT recipientaccountid AS account, awsregion AS region, min(eventtime) AS first FROM cloudtrail_events GROUP BY 1, 2) r
  JOIN (SELECT recipientaccountid AS account, min(eventtime) AS first FROM cloudtrail_events GROUP BY 1) a ON a.account = r.account
  WHERE r.first >= date_format(date_add('day', 7, from_iso8601_timestamp(a.first)), ${ISO}))`;

/** Regions: activity where the account does not operate, and sweeps across all of them. */
export const REGION_RULES = rules([
  {
    id: 'region-first-use',
    title: 'Changes made in a region the account had not used',
    category: 'defense-evasion',
    technique: 'T1535',
    tactic: 'defense-evasion',
    severity: 'medium',
    where: and(
      `readonly = 'false'`,
      `eventsource NOT IN ${GLOBAL_SERVICES}`,
      `coalesce(useridentity.type, '') <> 'AWSService'`,
      REGION_NEWLY_USED,
    ),
    rows: IN_NEWLY_USED_REGION,
    explain:
      'After a week or more of history elsewhere, the first changes in this region: attackers work where nobody looks.',
    remediation:
      'List every resource in the region (instances, functions, keys, roles used there) and block unused regions with an SCP.',
  },
  {
    id: 'region-opt-in-enabled',
    title: 'Opt-in region enabled',
    category: 'defense-evasion',
    technique: 'T1535',
    tactic: 'defense-evasion',
    severity: 'medium',
    where: api('account', 'EnableRegion'),
    explain: 'Enabling a region nobody uses opens room to run resources out of sight.',
    remediation: 'Disable the region unless a team asked for it, and check what runs there.',
  },
  {
    id: 'multi-region-sweep',
    title: 'Reads across many regions in a short time',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: and(
      `readonly = 'true'`,
      or(`eventname LIKE 'Describe%'`, `eventname LIKE 'List%'`, `eventname LIKE 'Get%'`),
      `coalesce(useridentity.type, '') <> 'AWSService'`,
      // The console's own global views fan out over every region for the person using them.
      not(`sessioncredentialfromconsole = 'true'`),
    ),
    threshold: { count: 8, withinMinutes: 15, distinct: 'awsregion' },
    explain: 'The same caller read resources in eight or more regions within minutes: an inventory sweep.',
    remediation: 'See which resources it listed; expect activity in the regions it found empty.',
  },
]);
