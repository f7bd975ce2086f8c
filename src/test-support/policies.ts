/**
 * An inline policy denying LookupEvents in one region, for tests of partial coverage: the
 * responder's credentials read every region but that one (an SCP or a careless policy in real life).
 */
export function denyLookupEventsIn(region: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: 'cloudtrail:LookupEvents',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': region } },
      },
    ],
  };
}
