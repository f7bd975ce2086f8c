import { organizationOfAccount } from '../services/organizations/index.js';
import { advancedWants } from './advanced-selectors.js';
import type { SimState } from '../state.js';
import type { CloudTrailRecord, EventSelector, Trail } from './model.js';

/** Regions whose events are "global service events" (IAM, STS global, sign-in; aws-facts §2.3). */
const GLOBAL_SOURCES = new Set(['iam.amazonaws.com', 'sts.amazonaws.com', 'signin.amazonaws.com']);

function selectorWants(selector: EventSelector, record: CloudTrailRecord): boolean {
  const rw = selector.ReadWriteType;
  if (rw === 'ReadOnly' && record.readOnly !== true) return false;
  if (rw === 'WriteOnly' && record.readOnly === true) return false;
  if (record.eventCategory === 'Management') {
    return (
      selector.IncludeManagementEvents && !selector.ExcludeManagementEventSources.includes(record.eventSource)
    );
  }
  // Data events: S3 object-level selectors name `arn:aws:s3` (all buckets), `arn:aws:s3:::` or an
  // object ARN prefix `arn:aws:s3:::bucket/` (CloudTrail UG "Logging data events").
  const arns = (record.resources ?? []).map((r) => r.ARN ?? '');
  return selector.DataResources.some(
    (d) =>
      d.Type === 'AWS::S3::Object' &&
      record.eventSource === 's3.amazonaws.com' &&
      d.Values.some((v) => v === 'arn:aws:s3' || v === 'arn:aws:s3:::' || arns.some((a) => a.startsWith(v))),
  );
}

/** Whether a trail takes a record (logging on, region covered, selectors match). */
export function trailWants(trail: Trail, record: CloudTrailRecord): boolean {
  if (!trail.isLogging) return false;
  const global = GLOBAL_SOURCES.has(record.eventSource);
  const regionOk = global
    ? trail.includeGlobalServiceEvents
    : trail.isMultiRegionTrail || trail.homeRegion === record.awsRegion;
  if (!regionOk) return false;
  if (trail.advancedEventSelectors) return trail.advancedEventSelectors.some((s) => advancedWants(s, record));
  return trail.eventSelectors.some((s) => selectorWants(s, record));
}

/**
 * Keep a record in the account's event history and hand it to the account's trails, and to the
 * organisation trails of its organisation's management account.
 */
export function storeRecord(sim: SimState, record: CloudTrailRecord): void {
  const account = sim.account(record.recipientAccountId);
  if (!account) return;
  account.cloudtrail.events.push(record);
  for (const trail of Object.values(account.cloudtrail.trails)) {
    if (trailWants(trail, record)) trail.pending.push(record);
  }
  const org = organizationOfAccount(sim, account.accountId);
  if (!org || org.managementAccount === account.accountId) return;
  const management = sim.account(org.managementAccount);
  for (const trail of Object.values(management?.cloudtrail.trails ?? {})) {
    if (trail.isOrganizationTrail && trailWants(trail, record)) trail.pending.push(record);
  }
}
