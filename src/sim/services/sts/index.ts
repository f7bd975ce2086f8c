import { defineService } from '../../core/service.js';

/** STS (awsQuery, API 2011-06-15). Every call is recorded in us-east-1 (global endpoint). */
export const stsService = defineService<undefined>({
  signingName: 'sts',
  protocol: 'query',
  eventSource: 'sts.amazonaws.com',
  apiVersion: '2011-06-15',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  globalRegion: 'us-east-1',
  trailDates: 'java',
  endpointHost: () => 'sts.amazonaws.com',
  operations: {
    GetCallerIdentity: {
      // Needs no permission and works under an explicit deny-all (aws-facts §3.4, §3.6).
      auth: 'none',
      handler: (ctx) => ({
        UserId: ctx.caller.principalId,
        Account: ctx.caller.accountId,
        Arn: ctx.caller.arn,
      }),
    },
  },
});
