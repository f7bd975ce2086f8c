import { defineService } from '../../core/service.js';
import { eventSourceOps } from './event-sources.js';
import { extraOps } from './extras.js';
import { functionOps } from './functions.js';
import { layerOps } from './layers.js';
import type { LambdaState } from './model.js';

/**
 * Lambda (restJson1): functions and event source mappings (API 2015-03-31), function URLs
 * (2021-10-31) and layers (2018-10-31). CloudTrail event names carry the API version suffix AWS records
 * (`CreateFunction20150331`, `UpdateFunctionCode20150331v2`; aws-facts §1.5, §7).
 */
export const lambdaService = defineService<LambdaState>({
  signingName: 'lambda',
  protocol: 'restJson',
  eventSource: 'lambda.amazonaws.com',
  apiVersion: '2015-03-31',
  endpointHost: (region) => `lambda.${region}.amazonaws.com`,
  initState: () => ({ regions: {} }),
  operations: { ...functionOps, ...extraOps, ...layerOps, ...eventSourceOps },
});
