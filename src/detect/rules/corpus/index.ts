import { CONTAINER_SAMPLES } from './containers.js';
import { KMS_SAMPLES } from './kms.js';
import { NETWORK_SAMPLES } from './network.js';
import { RDS_SAMPLES } from './rds.js';
import { S3_SAMPLES } from './s3.js';
import { SECRETS_SAMPLES } from './secrets.js';
import type { Sample } from './sample.js';

export { evaluateCorpus, type Evaluation, type Score } from './evaluate.js';
export type { Sample } from './sample.js';

/** The labelled corpus: positives and near misses for every built-in rule. */
export const CORPUS: readonly Sample[] = [...RDS_SAMPLES, ...NETWORK_SAMPLES, ...KMS_SAMPLES, ...CONTAINER_SAMPLES, ...S3_SAMPLES, ...SECRETS_SAMPLES];

/**
 * The families of attacker moves issue 14 asks the catalogue to cover, each with the rules that
 * cover it (every family at least two).
 */
export const FAMILIES: Record<string, readonly string[]> = {
  RDS: [
    'rds-snapshot-shared',
    'rds-instance-made-public',
    'rds-public-restore',
    'rds-deletion-protection-disabled',
    'rds-master-password-changed',
    'rds-backups-disabled',
    'rds-deleted-without-snapshot',
    'rds-snapshots-deleted',
    'rds-snapshot-copied-cross-region',
    'rds-snapshot-copied-foreign-key',
    'rds-snapshot-exported',
  ],
};
