/**
 * The one place AWS errors are interpreted (DESIGN.md §3.3). Callers branch on `kind`:
 * - `absent`: the thing is not there (NoSuchEntity, NotFound…) — a result, not a failure;
 * - `denied`: we are not permitted — record "could not check" and carry on;
 * - `throttled`: slow down and retry (the SDK's adaptive retry has already tried);
 * - `other`: anything else, including network failures and rejected credentials — raise.
 */
export type AwsErrorKind = 'absent' | 'denied' | 'throttled' | 'other';

export interface ClassifiedAwsError {
  kind: AwsErrorKind;
  /** The AWS error code (`AccessDenied`, `NoSuchEntity`…) or the network error code. */
  code: string;
  message: string;
  httpStatus: number | undefined;
  requestId: string | undefined;
  /** No HTTP response at all: connection refused, DNS, timeout. */
  network: boolean;
  /** The credentials themselves were rejected (unknown, inactive or expired key, bad signature). */
  credentialsRejected: boolean;
}

const ABSENT = new Set([
  'NoSuchEntity',
  'NoSuchEntityException',
  'NoSuchBucket',
  'NoSuchKey',
  'NoSuchBucketPolicy',
  'NoSuchPublicAccessBlockConfiguration',
  'NotFound',
  'NotFoundException',
  'ResourceNotFoundException',
  'TrailNotFoundException',
  'ParameterNotFound',
  'BadRequestException.NotFound',
  // S3 answers a bucket without the configuration with its own code for each.
  'ReplicationConfigurationNotFoundError',
  'NoSuchWebsiteConfiguration',
  'ServerSideEncryptionConfigurationNotFoundError',
  'NoSuchLifecycleConfiguration',
  'NoSuchCORSConfiguration',
  'NoSuchTagSet',
  'OwnershipControlsNotFoundError',
  // RDS names the fault (the SDK's error name) and the code apart.
  'DBSnapshotNotFound',
  'DBSnapshotNotFoundFault',
  'DBInstanceNotFound',
  'DBInstanceNotFoundFault',
]);

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'AuthorizationErrorException',
  'Forbidden',
  'OptInRequired',
  'RegionDisabledException',
  'OperationNotPermittedException',
  'InsufficientDependencyServiceAccessPermissionException',
]);

const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
]);

const CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'AuthFailure',
  'UnrecognizedClientException',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
]);

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: unknown;
  cause?: unknown;
}

/** Classify anything thrown by an AWS SDK call. */
export function classifyAwsError(error: unknown): ClassifiedAwsError {
  const e = (error ?? {}) as SdkErrorShape;
  const networkCode = findNetworkCode(error);
  const rawCode =
    typeof e.Code === 'string'
      ? e.Code
      : typeof e.name === 'string' && e.name !== 'Error'
        ? e.name
        : undefined;
  const code = rawCode ?? networkCode ?? (typeof e.code === 'string' ? e.code : 'Unknown');
  const httpStatus = e.$metadata?.httpStatusCode;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const base = { code, message, httpStatus, requestId: e.$metadata?.requestId };

  if (networkCode !== undefined || e.name === 'TimeoutError' || e.name === 'NetworkingError') {
    return { ...base, code: networkCode ?? code, kind: 'other', network: true, credentialsRejected: false };
  }
  if (e.name === 'CredentialsProviderError') {
    return { ...base, kind: 'other', network: false, credentialsRejected: true };
  }
  const kind: AwsErrorKind =
    THROTTLED.has(code) || httpStatus === 429
      ? 'throttled'
      : ABSENT.has(code) || code.endsWith('.NotFound') || code.endsWith('NotFoundException')
        ? 'absent'
        : DENIED.has(code)
          ? 'denied'
          : 'other';
  return { ...base, kind, network: false, credentialsRejected: CREDENTIALS.has(code) };
}

function findNetworkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const c = current as { code?: unknown; errno?: unknown; cause?: unknown; $metadata?: unknown };
    if (typeof c.code === 'string' && NETWORK.has(c.code)) return c.code;
    current = c.cause;
  }
  return undefined;
}

/** A one-line description for the responder: `AccessDenied: User … is not authorized …`. */
export function describeAwsError(error: ClassifiedAwsError): string {
  if (error.network) return `could not reach AWS (${error.code}): ${error.message}`;
  // One line: the SDK appends hints on further lines (a deserialization error's "see the raw response").
  return `${error.code}: ${error.message.split('\n')[0]!.trim()}`;
}
