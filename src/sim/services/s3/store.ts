import type { ObjectStore } from '../../core/objects.js';
import type { SimState } from '../../state.js';
import { bucketIfExists } from './buckets.js';
import { emptyS3Account, type S3AccountState, type S3World } from './model.js';
import { putObject } from './objects.js';

/** The S3 slice of every account, created on first use (the same slices requests see). */
export function simWorld(sim: SimState): S3World {
  return {
    accounts: Object.fromEntries(
      sim
        .accounts()
        .map((a) => [a.accountId, sim.serviceState<S3AccountState>(a.accountId, 's3', emptyS3Account)]),
    ),
  };
}

/**
 * The object store CloudTrail delivers trail files through: writes land in the bucket as if
 * `cloudtrail.amazonaws.com` had put them (owned by the bucket owner's account).
 */
export function s3ObjectStore(sim: SimState): ObjectStore {
  return {
    bucketOwner: (bucket) => bucketIfExists(simWorld(sim), bucket)?.ownerAccount,
    bucketPolicy: (bucket) => bucketIfExists(simWorld(sim), bucket)?.policy,
    putObject(bucket, key, body, contentType) {
      const world = simWorld(sim);
      const owner = bucketIfExists(world, bucket)?.ownerAccount ?? '';
      putObject(world, { now: () => sim.clock.now() }, owner, { bucket, key, body, contentType });
    },
  };
}
