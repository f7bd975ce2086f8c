import type { AdvancedEventSelector } from './advanced-selectors.js';
import type { EventDataStore, LakeQuery } from './lake/model.js';
/** CloudTrail as the simulated account stores it: recorded events and trails. */

/** A CloudTrail record with the real field set (aws-facts §1.1). */
export interface CloudTrailRecord {
  eventVersion: string;
  userIdentity: Record<string, unknown>;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: unknown;
  responseElements: unknown;
  additionalEventData?: unknown;
  requestID?: string;
  eventID: string;
  readOnly?: boolean;
  resources?: { ARN?: string; accountId?: string; type?: string }[];
  eventType: string;
  apiVersion?: string;
  managementEvent: boolean;
  recipientAccountId: string;
  sharedEventID?: string;
  eventCategory: 'Management' | 'Data';
  tlsDetails?: { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string };
  sessionCredentialFromConsole?: string;
}

/** An event selector as PutEventSelectors takes it (basic selectors). */
export interface EventSelector {
  ReadWriteType: 'ReadOnly' | 'WriteOnly' | 'All';
  IncludeManagementEvents: boolean;
  DataResources: { Type: string; Values: string[] }[];
  ExcludeManagementEventSources: string[];
}

export interface Trail {
  name: string;
  arn: string;
  homeRegion: string;
  s3BucketName: string;
  s3KeyPrefix?: string | undefined;
  isMultiRegionTrail: boolean;
  /** An organisation trail: it takes the records of every account of the organisation. */
  isOrganizationTrail?: boolean;
  /** The organisation's id (`o-…`), the folder its files are delivered under. */
  organizationId?: string;
  includeGlobalServiceEvents: boolean;
  logFileValidationEnabled: boolean;
  isLogging: boolean;
  startLoggingTime?: string | undefined;
  stopLoggingTime?: string | undefined;
  eventSelectors: EventSelector[];
  /** Advanced event selectors, when set they replace the basic ones (PutEventSelectors takes one kind). */
  advancedEventSelectors?: AdvancedEventSelector[];
  /** Records accepted by the trail and not yet delivered, with the region they were made in. */
  pending: CloudTrailRecord[];
  lastDeliveryTime?: string | undefined;
  lastDeliveryError?: string | undefined;
  latestDeliveredKey?: string | undefined;
  tags: { Key: string; Value: string }[];
}

/** One account's CloudTrail. */
export interface CloudTrailState {
  /** Every record ever made for the account, oldest first (Event history keeps 90 days). */
  events: CloudTrailRecord[];
  /** Trails by ARN. */
  trails: Record<string, Trail>;
  /** CloudTrail Lake event data stores by ARN (absent in states saved before Lake was simulated). */
  eventDataStores?: Record<string, EventDataStore>;
  /** CloudTrail Lake queries by id. */
  lakeQueries?: Record<string, LakeQuery>;
}

/** An empty CloudTrail for a new account. */
export function emptyCloudTrail(): CloudTrailState {
  return { events: [], trails: {} };
}
