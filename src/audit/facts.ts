import type { CredentialRow } from './credential-report.js';
import type { Reading } from './types.js';

export interface PasswordPolicyFacts {
  minimumLength: number;
  reusePrevention: number | undefined;
}

export interface TrailFacts {
  name: string;
  arn: string;
  homeRegion: string;
  multiRegion: boolean;
  logging: Reading<boolean>;
  logFileValidation: boolean;
  bucket: string;
  /** Management events read and write (`All`), from the event selectors. */
  managementAll: Reading<boolean>;
  /** S3 data-event selectors: value (`arn:aws:s3`, `arn:aws:s3:::bucket/`…) → read/write type. */
  s3DataEvents: Reading<{ value: string; readWrite: string }[]>;
}

export interface MetricFilterFacts {
  logGroup: string;
  name: string;
  pattern: string;
  metric: string;
  namespace: string;
}

export interface AlarmFacts {
  name: string;
  metric: string;
  namespace: string;
  actions: string[];
  enabled: boolean;
}

export interface EventRuleFacts {
  name: string;
  pattern: string;
  enabled: boolean;
  targets: number;
}

export interface AnalyzerFinding {
  resource: string;
  resourceType: string;
  principal: string;
  isPublic: boolean;
  region: string;
}

export type OrganizationFacts =
  | { inOrganization: false }
  | { inOrganization: true; id: string; managementAccount: string; scps: Reading<string[]> };

/** What an audit reads from the account, before any judgement. */
export interface AuditFacts {
  account: string;
  now: Date;
  regions: string[];
  credentialReport: Reading<CredentialRow[]>;
  passwordPolicy: Reading<PasswordPolicyFacts | null>;
  trails: Reading<TrailFacts[]>;
  buckets: Reading<string[]>;
  organization: Reading<OrganizationFacts>;
  accountPublicAccessBlock: Reading<Record<string, boolean> | null>;
  analyzerFindings: Reading<AnalyzerFinding[]>;
  /** Per region. */
  guardDuty: Record<string, Reading<'ENABLED' | 'DISABLED' | 'none'>>;
  analyzers: Record<string, Reading<{ arn: string; name: string; type: string }[]>>;
  metricFilters: Record<string, Reading<MetricFilterFacts[]>>;
  alarms: Record<string, Reading<AlarmFacts[]>>;
  eventRules: Record<string, Reading<EventRuleFacts[]>>;
  ebsEncryptionByDefault: Record<string, Reading<boolean>>;
  metadataDefaultTokens: Record<string, Reading<string | undefined>>;
  instanceTokens: Record<string, Reading<{ id: string; httpTokens: string }[]>>;
}
