import { defineService, type OperationDef } from '../../core/service.js';
import { ACCOUNT_CONTROL_OPERATIONS, routeS3Control } from './account-control.js';
import { s3Operation, type S3OpSpec } from './call.js';
import { emptyS3Account, type S3AccountState } from './model.js';
import { MULTIPART_OPERATIONS } from './multipart.js';
import { BUCKET_OPERATIONS } from './operations-bucket.js';
import { CONFIG_OPERATIONS } from './operations-config.js';
import { OBJECT_OPERATIONS } from './operations-object.js';
import { VERSION_OPERATIONS } from './operations-versions.js';
import { routeS3 } from './routes.js';
import { s3ObjectStore } from './store.js';

const SPECS: Record<string, S3OpSpec> = {
  ...BUCKET_OPERATIONS,
  ...CONFIG_OPERATIONS,
  ...OBJECT_OPERATIONS,
  ...VERSION_OPERATIONS,
  ...MULTIPART_OPERATIONS,
};

/**
 * S3 (REST-XML, API 2006-03-01): path-style and virtual-host requests; buckets in one global
 * namespace, each in its owner's account and region; bucket policies as resource policies.
 */
export const s3Service = defineService<S3AccountState>({
  signingName: 's3',
  protocol: 'restXml',
  eventSource: 's3.amazonaws.com',
  apiVersion: '2006-03-01',
  endpointHost: (region) => (region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`),
  trailDates: 'iso',
  initState: emptyS3Account,
  attach(sim) {
    sim.objectStore = s3ObjectStore(sim);
  },
  route: (req) => routeS3Control(req) ?? routeS3(req),
  operations: {
    ...Object.fromEntries(
      Object.entries(SPECS).map(([name, spec]): [string, OperationDef<S3AccountState>] => [
        name,
        s3Operation(spec),
      ]),
    ),
    ...ACCOUNT_CONTROL_OPERATIONS,
  },
});
