import type { AccountState, SimState, StsSession } from '../state.js';
import type { SimHttpRequest } from './http.js';
import type { QueryParams } from './params.js';

/** Wire protocol of a service (aws-facts §5.1). */
export type Protocol = 'query' | 'ec2' | 'restXml' | 'json' | 'restJson';

/** Who signed the request, resolved from the access key (or anonymous, S3 only). */
export interface Caller {
  type: 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'Anonymous';
  accountId: string;
  /** The caller's ARN as GetCallerIdentity returns it (assumed-role / federated-user ARNs for sessions). */
  arn: string;
  /** `AIDA…`, `AROA…:session`, `<account>:<name>`, or the account id for root. */
  principalId: string;
  /** Value of `aws:PrincipalArn`: the user, the role (not the session), the federated user, root. */
  principalArn: string;
  userName?: string | undefined;
  accessKeyId: string;
  /** Present for temporary credentials (ASIA…). */
  session?: StsSession | undefined;
  /** Whether the credentials were obtained with MFA (only temporary credentials carry this). */
  mfa: boolean;
}

/** A resource a CloudTrail record lists (`resources` array). */
export interface TrailResource {
  ARN: string;
  accountId: string;
  type?: string;
}

/**
 * What a handler tells CloudTrail about the call. Every field is optional: by default
 * requestParameters are the request members in lowerCamel case, responseElements the result members
 * (null for read-only calls), with secret keys and passwords removed.
 */
export interface TrailNotes {
  requestParameters?: unknown;
  responseElements?: unknown;
  resources?: TrailResource[];
  additionalEventData?: unknown;
  eventName?: string;
  readOnly?: boolean;
  /** Account that owns the resource, when not the caller's (S3 data events, cross-account AssumeRole). */
  recipientAccountId?: string;
  /** Also record the event in these accounts (cross-account calls are seen by both sides). */
  alsoRecordIn?: string[];
  /** Do not record this call at all. */
  skip?: boolean;
}

/** Options for an authorization check. */
export interface AuthorizeOptions {
  /** A resource-based policy (bucket policy, role trust policy, secret policy), parsed JSON. */
  resourcePolicy?: unknown;
  /** Account that owns the resource (default: the caller's account). */
  resourceAccount?: string;
  /** Condition keys the service sets for this action (`s3:prefix`, `ec2:InstanceType`…). */
  context?: Record<string, string | string[]>;
}

/** The outcome of an authorization check. */
export interface AuthDecision {
  allowed: boolean;
  /** `explicit` when a Deny statement matched. */
  denial?: 'explicit' | 'implicit' | undefined;
  /** Which kind of policy decided a denial (for AWS's message text). */
  deniedBy?: 'identity' | 'resource' | 'boundary' | 'session' | undefined;
}

/** Everything a handler receives. */
export interface OpContext<S = unknown> {
  sim: SimState;
  service: ServiceDef<S>;
  operation: string;
  caller: Caller;
  /** The caller's account (throws AccessDenied for anonymous callers). */
  readonly account: AccountState;
  /** This service's state slice in the caller's account. */
  readonly state: S;
  /** This service's state slice in any account (S3 buckets of another account, cross-account roles). */
  stateOf(accountId: string): S;
  /** Region from the SigV4 credential scope. */
  region: string;
  /** Query/form parameters (query protocols) or the URL query string (REST). */
  params: QueryParams;
  /** Parsed JSON body (json/restJson), otherwise `{}`. */
  body: Record<string, unknown>;
  http: SimHttpRequest;
  /** Path parameters of a REST route (`{FunctionName}`, S3 `Bucket`/`Key`). */
  pathParams: Record<string, string>;
  requestId: string;
  /** Simulated time of the request. */
  now: Date;
  /** Source IP CloudTrail will record (socket address or the scenario's apparent IP). */
  sourceIp: string;
  /** Check an action on a resource; throws the service's AccessDenied error when denied. */
  authorize(action: string, resource?: string, options?: AuthorizeOptions): Promise<void>;
  /** Same check without throwing. */
  evaluate(action: string, resource?: string, options?: AuthorizeOptions): Promise<AuthDecision>;
  /** What CloudTrail will record; handlers fill it in. */
  trail: TrailNotes;
}

/** How the framework authorizes an operation before its handler runs. */
export type OperationAuth<S> =
  /** No check at all (sts:GetCallerIdentity: works even under deny-all). */
  | 'none'
  /** The handler calls `ctx.authorize` itself (several actions, or resources known only inside). */
  | 'handler'
  | {
      /** IAM action, default `<actionPrefix>:<OperationName>`. */
      action?: string;
      /** Resource ARN(s), default `*`. */
      resource?(ctx: OpContext<S>): string | string[];
      options?(ctx: OpContext<S>): AuthorizeOptions;
    };

/** One API operation. */
export interface OperationDef<S = unknown> {
  /** Default: names starting with Get/List/Describe/Lookup/Head/Generate…Report are read-only. */
  readOnly?: boolean;
  /** Default: `{}` = action `<prefix>:<Name>` on `*` before the handler. */
  auth?: OperationAuth<S>;
  /** CloudTrail eventName when it differs from the operation (Lambda `CreateFunction20150331`). */
  eventName?: string;
  /** S3 object-level and other data events: not in LookupEvents, in trails only when selected. */
  dataEvent?: boolean;
  /** Anonymous (unsigned) requests are allowed to reach the handler (S3 public objects). */
  allowAnonymous?: boolean;
  /** restJson route: `METHOD /path/{Param}` (`{Key+}` matches the rest of the path). */
  http?: string;
  /** Host name for tlsDetails when the operation has its own endpoint (Bedrock Runtime). */
  endpointHost?(region: string): string;
  /** Compute the answer; return a result value or `respond(...)`; throw SimError for AWS errors. */
  handler(ctx: OpContext<S>): unknown;
}

/** A route decision for REST services that do their own routing (S3). */
export interface RouteMatch {
  operation: string;
  pathParams?: Record<string, string>;
}

/** A simulated AWS service: declare its protocol and operations; the framework does the rest. */
export interface ServiceDef<S = unknown> {
  /** SigV4 signing name (`iam`, `sts`, `ec2`, `s3`, `cloudtrail`); routing key. */
  signingName: string;
  protocol: Protocol;
  /** CloudTrail eventSource (`iam.amazonaws.com`). */
  eventSource: string;
  /** IAM action prefix (default: the signing name). */
  actionPrefix?: string;
  apiVersion: string;
  /** XML namespace of responses (query and EC2). */
  xmlNamespace?: string;
  /** JSON 1.1 `X-Amz-Target` prefix before `.<Operation>`. */
  targetPrefix?: string;
  /** Global services record every call in this region (IAM, STS: us-east-1; aws-facts §2.3). */
  globalRegion?: string;
  /** The AWS host name for tlsDetails.clientProvidedHostHeader. */
  endpointHost(region: string): string;
  /** Date style of dates in CloudTrail responseElements: IAM/STS use `Jul 30, 2024 9:53:13 PM`. */
  trailDates?: 'java' | 'iso';
  /** Per-account state slice, created on first use. */
  initState?: () => S;
  /** Called once when the simulator starts (e.g. S3 installs `sim.objectStore`). */
  attach?(sim: SimState): void;
  /**
   * For a second API under another service's signing name (SES v2 beside SES v1, both `ses`): the
   * requests it answers. The two share the account's state slice, kept under the signing name.
   */
  claims?: (req: SimHttpRequest) => boolean;
  /** REST routing for services whose operations are not declared with `http` (S3). */
  route?(req: SimHttpRequest): RouteMatch | undefined;
  operations: Record<string, OperationDef<S>>;
}

/** A service of any state type, as the registry holds them. */
export type AnyService = ServiceDef<unknown>;

/** Declare a service (keeps the state type attached to its handlers). */
export function defineService<S>(def: ServiceDef<S>): ServiceDef<S> {
  return def;
}

const READ_ONLY_PREFIXES = ['Get', 'List', 'Describe', 'Lookup', 'Head', 'Simulate'];

/** Whether an operation is read-only for CloudTrail's `readOnly` field. */
export function isReadOnly(name: string, op: OperationDef<unknown>): boolean {
  if (op.readOnly !== undefined) return op.readOnly;
  return READ_ONLY_PREFIXES.some((p) => name.startsWith(p));
}
