/** Scenario data: actors, timed steps of AWS calls, and what each step means for the truth. */

import type { SimState } from '../state.js';

/** Credentials an actor signs with. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** Someone who calls the account: where they appear to come from and what client they use. */
export interface Actor {
  name: string;
  kind: 'attacker' | 'developer' | 'ci' | 'admin';
  /** Apparent source IP CloudTrail records (set in-process, never from a request header). */
  ip: string;
  /** User-Agent header of the actor's client. */
  userAgent: string;
}

/** The SDK clients steps can call (keys of the client table). */
export type ServiceName =
  | 'iam'
  | 'sts'
  | 'ec2'
  | 's3'
  | 'lambda'
  | 'cloudformation'
  | 'guardduty'
  | 'secretsmanager'
  | 'ssm'
  | 'cloudtrail'
  | 'events'
  | 'ce'
  | 'bedrock'
  | 'bedrock-runtime'
  | 'ses'
  | 'sesv2'
  | 'sns'
  | 'rds'
  | 'kms';

/** Values captured from earlier answers (instance ids, session credentials…). */
export type Vars = Record<string, unknown>;

/**
 * A way back in the attacker left. `kind` is scope's persistence kind; `eventIds` (filled by the
 * engine) are the records of the step that made it; `region` is where it lives (global for IAM).
 */
export interface TruthPersistence {
  kind: string;
  detail: string;
  resource: string;
  region?: string;
  eventIds?: string[];
}

/** What a step contributes to the ground truth (with concrete ids known after the call). */
export interface TruthNote {
  created?: TruthResource[];
  modified?: TruthResource[];
  persistence?: TruthPersistence[];
  dataTouched?: { kind: string; resource: string; detail?: string }[];
  /** Expected clean state after a correct response. */
  clean?: CleanCheck[];
}

/** A resource the attacker created or changed. */
export interface TruthResource {
  type: string;
  id: string;
  region?: string;
  account?: string;
  detail?: string;
}

/** One condition the account must meet once the incident is handled. */
export type CleanCheck =
  | { check: 'accessKeyNotActive'; accessKeyId: string; account?: string }
  | { check: 'userAbsent'; userName: string; account?: string }
  | { check: 'loginProfileAbsent'; userName: string }
  | { check: 'instanceNotRunning'; region: string; instanceId: string }
  | { check: 'securityGroupRuleAbsent'; region: string; groupId: string; cidr: string; port: number }
  | { check: 'functionAbsent'; region: string; functionName: string }
  | { check: 'roleTrustExcludes'; roleName: string; principal: string }
  | { check: 'policyDefaultVersionIs'; policyArn: string; versionId: string }
  | { check: 'keyPairAbsent'; region: string; keyName: string }
  | { check: 'oidcProviderAbsent'; arn: string }
  | { check: 'bucketPolicyExcludes'; bucket: string; principal: string }
  | { check: 'snapshotNotShared'; region: string; snapshotId: string; account: string }
  | { check: 'trailLogging'; trailName: string }
  | { check: 'detectorPresent'; region: string }
  | { check: 'mfaDeviceAbsent'; serialNumber: string }
  | { check: 'sessionsRevoked'; roleName: string; account?: string }
  | { check: 'userSessionsRevoked'; userName: string }
  | { check: 'secretRotated'; secretId: string; region: string }
  | { check: 'bedrockLoggingOn'; region: string }
  | { check: 'sesIdentityAbsent'; region: string; identity: string }
  | { check: 'smsSpendLimitAtMost'; region: string; usd: number }
  | { check: 'objectRestored'; bucket: string; key: string; etag: string }
  | { check: 'objectAbsent'; bucket: string; key: string }
  | { check: 'bucketLifecycleRules'; bucket: string; ruleIds: string[] }
  | { check: 'rdsSnapshotAbsent'; region: string; snapshotId: string }
  | { check: 'rdsSnapshotNotShared'; region: string; snapshotId: string; account: string }
  /** The key is gone or scheduled for deletion (PendingDeletion: unusable, deleted after the wait). */
  | { check: 'kmsKeyPendingDeletion'; region: string; keyId: string };

/** One timed AWS call made through the real SDK. */
export interface Step {
  /** Offset in ms from the scenario's attack start (may be negative for setup/baseline). */
  at: number;
  actor: string;
  /** Variable holding the credentials to sign with (default: the actor's own). */
  as?: string;
  service: ServiceName;
  region?: string;
  /** SDK operation name (`RunInstances`, `GetObject`). */
  op: string;
  input?: Record<string, unknown> | ((v: Vars) => Record<string, unknown>);
  /** Expected AWS error code (the call is part of the story, e.g. AccessDenied bursts). */
  expectError?: string;
  /** Store parts of the answer for later steps. */
  save?: (out: Record<string, unknown>, v: Vars) => void;
  truth?: TruthNote | ((out: Record<string, unknown>, v: Vars) => TruthNote);
}

/** An in-process event the AWS console would cause (sign-in, console actions). */
export interface ConsoleStep {
  at: number;
  actor: string;
  console: ConsoleAction;
  truth?: TruthNote | ((v: Vars) => TruthNote);
}

export type ConsoleAction =
  | { kind: 'login'; userName: string; success: boolean }
  | { kind: 'updateLoginProfile'; userName: string; password: string }
  | { kind: 'addVirtualMfa'; userName: string; deviceName: string }
  | { kind: 'createAccessKey'; userName: string };

export type TimelineItem = Step | ConsoleStep;

/** A scenario: who the attacker is and what they do, relative to the attack start. */
export interface ScenarioDef {
  name: string;
  summary: string;
  /** How long before the end of the history the attack starts (ms). */
  attackStartsBeforeEnd: number;
  attackers: Actor[];
  /** Attacker steps, `at` relative to the attack start; undefined for `quiet`. */
  steps: TimelineItem[];
  /** Whether the scenario's entry point is the developer's leaked key (false: console password). */
  leakedKey: boolean;
  /** What AWS itself set up for the account before the history (no API does it: SES production access). */
  prepare?: (sim: SimState) => void;
  /**
   * The victim account is the management account of an organisation (world.ts `layOrganisation`):
   * production, log-archive and security-tooling members, SCPs, a delegated administrator and an
   * organisation trail into the log-archive bucket.
   */
  organisation?: boolean;
}
