import { defineService } from '../../core/service.js';
import { accountOps } from './account.js';
import { groupOps, instanceProfileOps, roleOps } from './groups-roles.js';
import { mfaOps, providerOps } from './mfa-providers.js';
import { policyOps } from './policies.js';
import { userCredentialOps } from './user-credentials.js';
import { userOps } from './users.js';

/**
 * IAM (awsQuery, API 2010-05-08). Global: every call is recorded in us-east-1 with Java-style
 * dates in responseElements (aws-facts §7). IAM's state lives in `account.iam`.
 */
export const iamService = defineService<undefined>({
  signingName: 'iam',
  protocol: 'query',
  eventSource: 'iam.amazonaws.com',
  apiVersion: '2010-05-08',
  xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  globalRegion: 'us-east-1',
  trailDates: 'java',
  endpointHost: () => 'iam.amazonaws.com',
  operations: {
    ...userOps,
    ...userCredentialOps,
    ...groupOps,
    ...roleOps,
    ...instanceProfileOps,
    ...policyOps,
    ...mfaOps,
    ...providerOps,
    ...accountOps,
  },
});
