/**
 * The bucket/object store other parts of the simulator write through (CloudTrail delivers trail
 * files into the trail bucket with it). The S3 service implements it and installs it in its
 * `attach` hook; without S3 there is nowhere to deliver and deliveries fail as on AWS with
 * `NoSuchBucket`.
 */
export interface ObjectStore {
  /** Account that owns the bucket, or undefined if there is no such bucket. */
  bucketOwner(bucket: string): string | undefined;
  /** Bucket policy document (JSON text) if any, for delivery permission checks. */
  bucketPolicy?(bucket: string): string | undefined;
  /** Store an object (overwriting), as the service principal `cloudtrail.amazonaws.com` would. */
  putObject(bucket: string, key: string, body: Buffer, contentType: string): void;
}
