import { UsageError } from './errors.js';

/** An access key id: AKIA (long-term) or ASIA (temporary) and 12 to 124 more (aws-facts §3.7). */
export const ACCESS_KEY = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;

/** Shaped like a key id but not one (`AKIA123`, lower case): a typo, not an IAM user name. */
export const KEY_LIKE = /^(AKIA|ASIA)[A-Z0-9]*$/i;

/** The usage error for a value that should be an access key id and is not. */
export function notAKeyId(input: string): UsageError {
  return new UsageError(
    `"${input}" is not a valid access key id (AKIA or ASIA then at least 12 upper-case letters or digits; this is ${input.length} characters).`,
    'Copy the whole key id, e.g. AKIAIOSFODNN7EXAMPLE (20 characters).',
  );
}

/** Refuse a `--key` value that is not an access key id (before any file or AWS is read). */
export function checkAccessKeyId(value: string | undefined): void {
  if (value !== undefined && !ACCESS_KEY.test(value.trim())) throw notAKeyId(value.trim());
}
