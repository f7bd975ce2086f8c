/**
 * What the blast radius is computed from: an account snapshot, close to the shapes the AWS SDK
 * returns, so `readAccountSnapshot` (load.ts) and the inventory can both build it.
 *
 * Policy documents are accepted as IAM returns them (URL-encoded JSON text), as plain JSON text
 * (S3, Lambda, Secrets Manager), or already parsed.
 */
export type PolicyDocumentInput = string | Record<string, unknown>;

/** An inline policy (`UserPolicyList`, `GroupPolicyList`, `RolePolicyList` entries). */
export interface InlinePolicyInput {
  PolicyName?: string | undefined;
  PolicyDocument?: PolicyDocumentInput | undefined;
}

/** A managed policy attachment (`AttachedManagedPolicies` entries). */
export interface AttachedPolicyInput {
  PolicyName?: string | undefined;
  PolicyArn?: string | undefined;
}

export interface TagInput {
  Key?: string | undefined;
  Value?: string | undefined;
}

/** `UserDetailList` entry of GetAccountAuthorizationDetails. */
export interface UserDetailInput {
  UserName?: string | undefined;
  UserId?: string | undefined;
  Arn?: string | undefined;
  GroupList?: string[] | undefined;
  UserPolicyList?: InlinePolicyInput[] | undefined;
  AttachedManagedPolicies?: AttachedPolicyInput[] | undefined;
  PermissionsBoundary?: { PermissionsBoundaryArn?: string | undefined } | undefined;
  Tags?: TagInput[] | undefined;
}

/** `GroupDetailList` entry. */
export interface GroupDetailInput {
  GroupName?: string | undefined;
  Arn?: string | undefined;
  GroupPolicyList?: InlinePolicyInput[] | undefined;
  AttachedManagedPolicies?: AttachedPolicyInput[] | undefined;
}

/** `RoleDetailList` entry (with its trust policy and instance profiles). */
export interface RoleDetailInput {
  RoleName?: string | undefined;
  RoleId?: string | undefined;
  Arn?: string | undefined;
  AssumeRolePolicyDocument?: PolicyDocumentInput | undefined;
  RolePolicyList?: InlinePolicyInput[] | undefined;
  AttachedManagedPolicies?: AttachedPolicyInput[] | undefined;
  PermissionsBoundary?: { PermissionsBoundaryArn?: string | undefined } | undefined;
  InstanceProfileList?: { InstanceProfileName?: string | undefined; Arn?: string | undefined }[] | undefined;
  Tags?: TagInput[] | undefined;
}

/** `Policies` entry: a managed policy with every version. */
export interface ManagedPolicyInput {
  PolicyName?: string | undefined;
  Arn?: string | undefined;
  DefaultVersionId?: string | undefined;
  PolicyVersionList?:
    | {
        Document?: PolicyDocumentInput | undefined;
        VersionId?: string | undefined;
        IsDefaultVersion?: boolean | undefined;
      }[]
    | undefined;
}

/** GetAccountAuthorizationDetails with every page merged (the SDK output is assignable to it). */
export interface AuthorizationDetails {
  UserDetailList?: UserDetailInput[] | undefined;
  GroupDetailList?: GroupDetailInput[] | undefined;
  RoleDetailList?: RoleDetailInput[] | undefined;
  Policies?: ManagedPolicyInput[] | undefined;
}

/** Resource types the blast radius reasons about (CloudFormation names, as the inventory uses). */
export const RESOURCE_TYPES = [
  'AWS::S3::Bucket',
  'AWS::SecretsManager::Secret',
  'AWS::SSM::Parameter',
  'AWS::KMS::Key',
  'AWS::Lambda::Function',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** One resource with its resource policy. */
export interface ResourceInput {
  arn: string;
  type: ResourceType;
  account: string;
  region: string;
  /** Human name (bucket, secret or parameter name); derived from the ARN when absent. */
  name?: string | undefined;
  /**
   * The resource policy: a document; `null` when it was read and there is none; `undefined`
   * when it was not read (then access is judged on identity policies alone and said so; a KMS
   * key without its key policy cannot be judged at all).
   */
  policy?: PolicyDocumentInput | null | undefined;
  /** Lambda functions: the execution role (UpdateFunctionCode runs code as that role). */
  role?: string | undefined;
}

/** A level of the organisation (root, OU or the account) and the control policies attached to it. */
export interface ControlPolicyLevel {
  /** `r-…`, `ou-…` or the account id. */
  target: string;
  policies: { name: string; document: PolicyDocumentInput }[];
}

/** The account's place in AWS Organizations, as far as the responder could read it. */
export type OrganizationInput =
  | { status: 'not-in-organization' }
  | { status: 'not-checked'; reason: string }
  | {
      status: 'read';
      organizationId?: string | undefined;
      /** Service control policies from the root down to the account (root first). */
      scps: ControlPolicyLevel[];
      /** Resource control policies, same order; empty when none or not read. */
      rcps?: ControlPolicyLevel[] | undefined;
    };

/** Everything the responder could read of one account. */
export interface AccountSnapshot {
  accountId: string;
  authorization: AuthorizationDetails;
  resources: ResourceInput[];
  organization: OrganizationInput;
  /** What could not be read (`what: why`), carried into the blast radius's `notChecked`. */
  notChecked?: string[] | undefined;
}

/** Facts of a temporary credential that conditions can test. */
export interface SessionFacts {
  /** When STS issued it (`aws:TokenIssueTime`). */
  issuedAt?: string | undefined;
  mfa?: boolean | undefined;
  /** Inline session policy (AssumeRole/GetFederationToken `Policy`). */
  sessionPolicy?: PolicyDocumentInput | undefined;
  /** Managed session policies (`PolicyArns`). */
  sessionPolicyArns?: string[] | undefined;
  sourceIdentity?: string | undefined;
}

/**
 * A compromised principal: an IAM user's long-term key, a role (as a fresh session of it), a
 * role session (`arn:aws:sts::…:assumed-role/R/S`), a federated user (GetFederationToken: the
 * user's policies intersected with the session policy), a GetSessionToken session of a user,
 * or the account's root user.
 */
export type BlastSubject =
  | { type: 'user'; arn: string }
  | { type: 'role'; arn: string }
  | ({ type: 'role-session'; arn: string } & SessionFacts)
  | ({ type: 'federated-user'; arn: string; userArn: string } & SessionFacts)
  | ({ type: 'session-token'; userArn: string } & SessionFacts)
  | { type: 'root'; account: string };

/** One CloudTrail record of the attacker (the fields could-vs-did needs). */
export interface AttackerEvent {
  eventId: string;
  eventTime?: string | undefined;
  eventSource: string;
  eventName: string;
  awsRegion?: string | undefined;
  errorCode?: string | null | undefined;
  /** As CloudTrail writes it, or its JSON text (the event store keeps it as text). */
  requestParameters?: Record<string, unknown> | string | null | undefined;
  resources?: { ARN?: string | undefined; arn?: string | undefined }[] | null | undefined;
  sourceIPAddress?: string | undefined;
  /** Who made the call: the user or session ARN, and for a session the role it belongs to. */
  caller?: { arn?: string | undefined; issuer?: string | undefined } | undefined;
}

/** The input of `computeBlastRadius`. */
export interface BlastRadiusInput {
  /** The accounts the responder could read; the subject's account first. */
  accounts: AccountSnapshot[];
  /** The compromised principal. */
  subject: BlastSubject;
  /** Further live credentials minted from it (the lineage's role sessions, federation tokens). */
  sessions?: BlastSubject[] | undefined;
  /** The attacker's events, for could-vs-did and for roles of other accounts they named. */
  events?: AttackerEvent[] | undefined;
  /** The time the evaluation is for (`aws:CurrentTime`), ISO 8601. */
  at: string;
  /** The attacker's source address (`aws:SourceIp`); default: the latest event's. */
  sourceIp?: string | undefined;
  /** Region for requests without one (`aws:RequestedRegion`); default us-east-1. */
  region?: string | undefined;
}
