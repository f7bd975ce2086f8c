import { z } from 'zod';
import { accountOrNull, alertDate, defineRecogniser, type AlertContext, type Reading } from '../trigger.js';

/** AWS's quarantine policies, any version (aws-facts §3.5: V1 to V4 exist). */
const QUARANTINE = /^arn:aws[\w-]*:iam::aws:policy\/AWSCompromisedKeyQuarantine(V\d+)?$/;

/**
 * The CloudTrail record of AWS attaching `AWSCompromisedKeyQuarantine*` to the exposed key's user:
 * `iam:AttachUserPolicy` with `requestParameters.{userName, policyArn}` (aws-facts §3.5, from
 * pypanther's test data). Who AWS signs as is not documented, so it is not relied upon.
 */
const record = z
  .object({
    eventVersion: z.string(),
    eventTime: alertDate,
    eventSource: z.string(),
    eventName: z.string(),
    awsRegion: z.string(),
    eventID: z.string().optional(),
    recipientAccountId: z.string().optional(),
    userIdentity: z
      .object({ accountId: z.string().optional(), invokedBy: z.string().optional() })
      .passthrough(),
    sourceIPAddress: z.string().optional(),
    errorCode: z.string().optional(),
    requestParameters: z
      .object({ userName: z.string().optional(), policyArn: z.string().optional() })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

type Record = z.infer<typeof record>;

const EXPECTED = 'the CloudTrail AttachUserPolicy event of an AWSCompromisedKeyQuarantine policy';

function read(r: Record, context: AlertContext): Reading {
  const policy = r.requestParameters?.policyArn;
  if (r.eventSource !== 'iam.amazonaws.com' || r.eventName !== 'AttachUserPolicy')
    return { refused: `CloudTrail event ${r.eventName} (${r.eventSource}); expected ${EXPECTED}` };
  if (!policy || !QUARANTINE.test(policy))
    return { refused: `CloudTrail AttachUserPolicy of ${policy ?? 'no policy'}; expected ${EXPECTED}` };
  if (r.errorCode)
    return {
      refused: `CloudTrail AttachUserPolicy of ${policy} failed (${r.errorCode}): nothing was quarantined`,
    };
  const userName = r.requestParameters?.userName;
  if (!userName)
    return { refused: `CloudTrail AttachUserPolicy of ${policy} names no user (requestParameters.userName)` };
  const account = accountOrNull(r.recipientAccountId, r.userIdentity.accountId, context.account);
  return {
    trigger: {
      source: 'aws-quarantine',
      name: `AWS quarantine ${policy.split('/').at(-1)!} attached`,
      summary: `AWS attached ${policy} to user ${userName}: one of its access keys was found exposed`,
      candidates: [account ? `arn:aws:iam::${account}:user/${userName}` : userName],
      lead: null,
      unresolved: null,
      account,
      region: r.awsRegion,
      awareness: r.eventTime,
      awarenessFrom: 'the event’s eventTime',
      reference: r.eventID ?? null,
      details: [
        ['Policy', policy],
        ['User', userName],
        ['Attached by', r.userIdentity.invokedBy ?? r.sourceIPAddress ?? 'unknown'],
      ],
    },
  };
}

export const quarantineAttached = defineRecogniser({
  source: 'aws-quarantine',
  expected: EXPECTED,
  marks: z.object({ eventVersion: z.string(), eventSource: z.string(), eventName: z.string() }).passthrough(),
  schema: record,
  read,
});
