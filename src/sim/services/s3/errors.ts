import { SimError } from '../../core/errors.js';

/** S3 errors with the extra members S3 puts in `<Error>` (AWS S3 API, "Error responses"). */
export function noSuchBucket(bucket: string): SimError {
  return new SimError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
}

export function noSuchKey(key: string): SimError {
  return new SimError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
}

export function s3Error(
  code: string,
  message: string,
  status = 400,
  extra?: Record<string, string>,
): SimError {
  return new SimError(code, message, status, extra);
}
