import { defineService, type OperationDef } from '../../core/service.js';
import { ACCOUNT_SETTINGS_OPERATIONS } from './account-settings.js';
import type { Ec2AccountState } from './model.js';
import { ec2Operation, type Ec2OpSpec } from './operation.js';
import { LAUNCH_TEMPLATE_OPERATIONS } from './launch-templates.js';
import { INSTANCE_OPERATIONS } from './operations-instances.js';
import { NETWORK_OPERATIONS } from './operations-network.js';
import { STORAGE_OPERATIONS } from './operations-storage.js';
import { SECURITY_GROUP_RULE_OPERATIONS } from './security-group-rules.js';
import { SPOT_OPERATIONS } from './spot.js';

const SPECS: Record<string, Ec2OpSpec> = {
  ...INSTANCE_OPERATIONS,
  ...STORAGE_OPERATIONS,
  ...NETWORK_OPERATIONS,
  ...SECURITY_GROUP_RULE_OPERATIONS,
  ...LAUNCH_TEMPLATE_OPERATIONS,
  ...SPOT_OPERATIONS,
  ...ACCOUNT_SETTINGS_OPERATIONS,
};

/** EC2 (ec2Query, API 2016-11-15): regional; each account has its own resources per region. */
export const ec2Service = defineService<Ec2AccountState>({
  signingName: 'ec2',
  protocol: 'ec2',
  eventSource: 'ec2.amazonaws.com',
  apiVersion: '2016-11-15',
  xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  endpointHost: (region) => `ec2.${region}.amazonaws.com`,
  trailDates: 'iso',
  initState: () => ({ optedInRegions: [], regions: {} }),
  operations: Object.fromEntries(
    Object.entries(SPECS).map(([name, spec]): [string, OperationDef<Ec2AccountState>] => [
      name,
      ec2Operation(spec),
    ]),
  ),
});
