import { createHash } from 'node:crypto';
import { s3Error } from './errors.js';
import type { S3Object } from './model.js';

/**
 * Server-side encryption with customer-provided keys (S3 UG, "Using server-side encryption with
 * customer-provided keys (SSE-C)"): the caller sends the algorithm (AES256), the 256-bit key in
 * base64 and the key's base64 MD5 on every write and read. S3 keeps no key, only a salted HMAC of
 * it to check later requests; the simulator keeps the key's MD5 (never the key) for that check.
 */
export interface CustomerKey {
  algorithm: string;
  keyMd5: string;
}

const HEADER = {
  plain: 'x-amz-server-side-encryption-customer-',
  copySource: 'x-amz-copy-source-server-side-encryption-customer-',
} as const;

/** The customer key a request carries (`plain` headers, or the copy source's), checked as S3 checks it. */
export function customerKeyOf(
  headers: Record<string, string | undefined>,
  which: keyof typeof HEADER = 'plain',
): CustomerKey | undefined {
  const prefix = HEADER[which];
  const algorithm = headers[`${prefix}algorithm`];
  const key = headers[`${prefix}key`];
  const md5 = headers[`${prefix}key-md5`];
  if (algorithm === undefined && key === undefined && md5 === undefined) return undefined;
  if (algorithm !== 'AES256')
    throw s3Error(
      'InvalidEncryptionAlgorithmError',
      'The encryption request you specified is not valid. The valid value is AES256.',
      400,
    );
  const bytes = Buffer.from(key ?? '', 'base64');
  if (key === undefined || bytes.length !== 32)
    throw s3Error('InvalidArgument', 'The secret key was invalid for the specified algorithm.', 400);
  const actual = createHash('md5').update(bytes).digest('base64');
  if (md5 !== undefined && md5 !== actual)
    throw s3Error(
      'InvalidArgument',
      'The calculated MD5 hash of the key did not match the hash that was provided.',
      400,
    );
  return { algorithm, keyMd5: actual };
}

/**
 * A read of `object` with the key the request gave: S3 refuses an SSE-C object read without its
 * key (400) or with another key (403), and a key sent for an object not stored with SSE-C (400).
 */
export function checkRead(object: S3Object, given: CustomerKey | undefined): void {
  if (object.sseC && !given)
    throw s3Error(
      'InvalidRequest',
      'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
      400,
    );
  if (!object.sseC && given)
    throw s3Error('InvalidRequest', 'The encryption parameters are not applicable to this object.', 400);
  if (object.sseC && given && object.sseC.keyMd5 !== given.keyMd5)
    throw s3Error('AccessDenied', 'Access Denied', 403);
}

/** Response headers naming the encryption of an object. */
export function encryptionHeaders(object: S3Object): Record<string, string> {
  return object.sseC
    ? {
        'x-amz-server-side-encryption-customer-algorithm': object.sseC.algorithm,
        'x-amz-server-side-encryption-customer-key-md5': object.sseC.keyMd5,
      }
    : { 'x-amz-server-side-encryption': 'AES256' };
}
