import { SimError } from './errors.js';
import type { Protocol } from './service.js';

/** The failures authentication and authorization can end in. */
export type AuthFailure =
  | 'invalidKey'
  | 'badSignature'
  | 'expiredToken'
  | 'invalidToken'
  | 'missingAuth'
  | 'malformed'
  | 'skewed'
  | 'accessDenied';

type Table = Record<AuthFailure, [code: string, status: number, message?: string]>;

const INVALID_TOKEN_MSG = 'The security token included in the request is invalid.';
const SIG_MSG =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const EXPIRED_MSG = 'The security token included in the request is expired';

/**
 * AWS's error codes per protocol (aws-facts §5.6): query services answer InvalidClientTokenId,
 * EC2 AuthFailure, S3 InvalidAccessKeyId, JSON services UnrecognizedClientException. An inactive
 * key is rejected exactly like an unknown one.
 */
const TABLES: Record<Protocol, Table> = {
  query: {
    invalidKey: ['InvalidClientTokenId', 403, INVALID_TOKEN_MSG],
    badSignature: ['SignatureDoesNotMatch', 403, SIG_MSG],
    expiredToken: ['ExpiredToken', 403, EXPIRED_MSG],
    invalidToken: ['InvalidClientTokenId', 403, INVALID_TOKEN_MSG],
    missingAuth: ['MissingAuthenticationToken', 403, 'Request is missing Authentication Token'],
    malformed: ['IncompleteSignature', 400],
    skewed: ['SignatureDoesNotMatch', 403],
    accessDenied: ['AccessDenied', 403],
  },
  ec2: {
    invalidKey: ['AuthFailure', 401, 'AWS was not able to validate the provided access credentials'],
    badSignature: ['AuthFailure', 401, 'AWS was not able to validate the provided access credentials'],
    expiredToken: ['RequestExpired', 400, 'Request has expired.'],
    invalidToken: ['AuthFailure', 401, 'AWS was not able to validate the provided access credentials'],
    missingAuth: ['MissingAuthenticationToken', 401, 'Request is missing Authentication Token'],
    malformed: ['IncompleteSignature', 400],
    skewed: ['RequestExpired', 400],
    accessDenied: ['UnauthorizedOperation', 403],
  },
  restXml: {
    invalidKey: [
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
    ],
    badSignature: [
      'SignatureDoesNotMatch',
      403,
      SIG_MSG.replace(
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        'Check your key and signing method.',
      ),
    ],
    expiredToken: ['ExpiredToken', 400, 'The provided token has expired.'],
    invalidToken: ['InvalidToken', 400, 'The provided token is malformed or otherwise invalid.'],
    missingAuth: ['AccessDenied', 403, 'Access Denied'],
    malformed: ['AuthorizationHeaderMalformed', 400],
    skewed: ['RequestTimeTooSkewed', 403],
    accessDenied: ['AccessDenied', 403],
  },
  json: {
    invalidKey: ['UnrecognizedClientException', 400, INVALID_TOKEN_MSG],
    badSignature: ['InvalidSignatureException', 400, SIG_MSG],
    expiredToken: ['ExpiredTokenException', 400, EXPIRED_MSG],
    invalidToken: ['UnrecognizedClientException', 400, INVALID_TOKEN_MSG],
    missingAuth: ['MissingAuthenticationTokenException', 400, 'Missing Authentication Token'],
    malformed: ['IncompleteSignatureException', 400],
    skewed: ['InvalidSignatureException', 400],
    accessDenied: ['AccessDeniedException', 400],
  },
  restJson: {
    invalidKey: ['UnrecognizedClientException', 403, INVALID_TOKEN_MSG],
    badSignature: ['InvalidSignatureException', 403, SIG_MSG],
    expiredToken: ['ExpiredTokenException', 403, EXPIRED_MSG],
    invalidToken: ['UnrecognizedClientException', 403, INVALID_TOKEN_MSG],
    missingAuth: ['MissingAuthenticationTokenException', 403, 'Missing Authentication Token'],
    malformed: ['IncompleteSignatureException', 403],
    skewed: ['InvalidSignatureException', 403],
    accessDenied: ['AccessDeniedException', 403],
  },
};

/** The error a protocol returns for an authentication/authorization failure. */
export function authError(protocol: Protocol, failure: AuthFailure, message?: string): SimError {
  const [code, status, fixed] = TABLES[protocol][failure];
  return new SimError(code, message ?? fixed ?? code, status);
}
