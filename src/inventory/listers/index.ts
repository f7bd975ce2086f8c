import type { ListerDef } from '../types.js';
import { KMS_LISTER, RDS_LISTERS } from './data-stores.js';
import { EC2_LISTERS } from './ec2.js';
import { iamLister } from './iam.js';
import { LAMBDA_LISTERS } from './lambda.js';
import { s3Lister } from './s3.js';
import {
  CLOUDFORMATION_LISTERS,
  CLOUDTRAIL_LISTER,
  EVENTBRIDGE_LISTER,
  GUARDDUTY_LISTER,
  SECRETS_LISTER,
  SSM_LISTERS,
} from './services.js';

/**
 * Every resource type scope reads, by service. To add one, declare a `ListerDef` next to its
 * service's others and list it here; the engine, the coverage and the attribution need nothing
 * more (attribution needs the type's write events: `src/scope/writes.ts`).
 */
export const LISTERS: readonly ListerDef[] = [
  iamLister,
  ...EC2_LISTERS,
  s3Lister,
  ...LAMBDA_LISTERS,
  ...CLOUDFORMATION_LISTERS,
  SECRETS_LISTER,
  ...SSM_LISTERS,
  KMS_LISTER,
  ...RDS_LISTERS,
  CLOUDTRAIL_LISTER,
  GUARDDUTY_LISTER,
  EVENTBRIDGE_LISTER,
];
