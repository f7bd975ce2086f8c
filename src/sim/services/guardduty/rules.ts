/**
 * The finding types the simulated GuardDuty raises, as data: which CloudTrail events feed each
 * type, its severity and title (GuardDuty UG "Finding types": IAM and EC2 finding types).
 * Anomaly types fire only when the principal calls from a source IP it had not used in the
 * previous 24 hours while having an older history (the "new location" signal GuardDuty's
 * anomaly model weighs most).
 */
export interface AnomalyRule {
  type: string;
  severity: number;
  title: string;
  description: string;
  /** Event names (base names, Lambda suffixes removed) that count for this type. */
  matches(eventName: string, eventSource: string): boolean;
}

const DISCOVERY = /^(List|Describe|Get)/;
const PERSISTENCE = new Set([
  'CreateUser',
  'CreateAccessKey',
  'CreateLoginProfile',
  'UpdateLoginProfile',
  'AttachUserPolicy',
  'PutUserPolicy',
  'CreatePolicyVersion',
  'SetDefaultPolicyVersion',
  'UpdateAssumeRolePolicy',
  'CreateOpenIDConnectProvider',
  'ImportKeyPair',
  'CreateFunction',
  'AddPermission',
  'CreateFunctionUrlConfig',
  'EnableMFADevice',
  'CreateVirtualMFADevice',
]);
const CREDENTIAL_ACCESS = new Set([
  'GetSecretValue',
  'BatchGetSecretValue',
  'GetParameters',
  'GetParameter',
  'GetPasswordData',
]);
const EXFILTRATION = new Set([
  'ModifySnapshotAttribute',
  'ModifyImageAttribute',
  'PutBucketPolicy',
  'PutBucketAcl',
]);
const DEFENSE_EVASION = new Set([
  'PutEventSelectors',
  'DeleteDetector',
  'UpdateDetector',
  'DeleteTrail',
  'UpdateTrail',
]);

/** Anomalous-behaviour finding types in the order they are checked. */
export const ANOMALY_RULES: AnomalyRule[] = [
  {
    type: 'Persistence:IAMUser/AnomalousBehavior',
    severity: 5,
    title: 'An API commonly used to maintain unauthorized access was invoked anomalously.',
    description:
      'APIs commonly used to maintain unauthorized access to an AWS environment were invoked in an anomalous way.',
    matches: (name) => PERSISTENCE.has(name),
  },
  {
    type: 'CredentialAccess:IAMUser/AnomalousBehavior',
    severity: 5,
    title: 'An API commonly used to gain access to an AWS environment was invoked anomalously.',
    description: 'APIs commonly used to obtain secrets, passwords or keys were invoked in an anomalous way.',
    matches: (name) => CREDENTIAL_ACCESS.has(name),
  },
  {
    type: 'Exfiltration:IAMUser/AnomalousBehavior',
    severity: 8,
    title: 'An API commonly used to collect data from an AWS environment was invoked anomalously.',
    description:
      'APIs commonly used to share or expose data outside the account were invoked in an anomalous way.',
    matches: (name) => EXFILTRATION.has(name),
  },
  {
    type: 'DefenseEvasion:IAMUser/AnomalousBehavior',
    severity: 5,
    title: 'An API commonly used to evade defensive measures was invoked anomalously.',
    description:
      'APIs commonly used to disable or weaken logging and detection were invoked in an anomalous way.',
    matches: (name) => DEFENSE_EVASION.has(name),
  },
  {
    type: 'Discovery:IAMUser/AnomalousBehavior',
    severity: 2,
    title: 'An API commonly used to discover information about resources was invoked anomalously.',
    description: 'APIs commonly used in discovery tactics were invoked in an anomalous way.',
    matches: (name, source) => DISCOVERY.test(name) && source !== 'sts.amazonaws.com',
  },
];

/** Domains of mining pools whose lookups raise `CryptoCurrency:EC2/BitcoinTool.B!DNS`. */
export const MINING_POOL_DOMAINS = [
  'pool.supportxmr.com',
  'xmr.pool.minergate.com',
  'pool.minexmr.com',
  'xmr-eu1.nanopool.org',
  'eth-us-east1.nanopool.org',
  'us1.ethermine.org',
  'stratum.slushpool.com',
];

/**
 * Public address ranges the simulator treats as AWS's (first octets of EC2 ranges in
 * ip-ranges.json): calls from elsewhere with instance credentials are "outside AWS".
 */
export const AWS_FIRST_OCTETS = new Set([3, 13, 15, 18, 34, 35, 44, 50, 52, 54, 99, 100]);
