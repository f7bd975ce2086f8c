import type { CloudTrailRecord } from '../cloudtrail/model.js';
import { storeRecord } from '../cloudtrail/store.js';
import { attachPolicy } from '../services/iam/entities.js';
import type { SimState } from '../state.js';

/** The quarantine policy AWS attaches today (aws-facts §3.5: V3 since 2024-08). */
export const QUARANTINE_POLICY = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3';

/** What AWS does about a key it finds in public, as the account sees it. */
export interface Exposure {
  /** The CloudTrail record of the quarantine policy being attached to the key's user. */
  quarantineRecord: CloudTrailRecord;
  /** The AWS Health event, as EventBridge delivers it (`detail-type: AWS Health Event`). */
  healthEvent: Record<string, unknown>;
}

function rfc1123(d: Date): string {
  return d.toUTCString();
}

/**
 * Play AWS's part when an access key of the account shows up in public (aws-facts §3.5): attach
 * `AWSCompromisedKeyQuarantineV3` to the key's user (recorded in CloudTrail as `AttachUserPolicy`)
 * and send the Health event `AWS_RISK_CREDENTIALS_EXPOSED` naming the key. Its shape follows the
 * AWS Health EventBridge schema (`startTime` in RFC 1123, `affectedEntities[].entityValue`,
 * `affectedAccount`) plus the `eventMetadata` AWS's notices carry. Which identity AWS signs the
 * attachment as is not documented: the record says an AWS service did it.
 */
export function exposeAccessKey(
  sim: SimState,
  options: { accountId: string; accessKeyId: string; exposedUrl: string; quarantine?: boolean },
): Exposure {
  const account = sim.accountOrThrow(options.accountId);
  const key = account.iam.accessKeys[options.accessKeyId];
  if (!key?.userName) throw new Error(`no user access key ${options.accessKeyId} in ${options.accountId}`);
  const user = account.iam.users[key.userName]!;
  const now = sim.clock.now();
  const record: CloudTrailRecord = {
    eventVersion: '1.09',
    userIdentity: { type: 'AWSService', invokedBy: 'AWS Internal' },
    eventTime: sim.nowIso(),
    eventSource: 'iam.amazonaws.com',
    eventName: 'AttachUserPolicy',
    awsRegion: 'us-east-1',
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: { userName: user.userName, policyArn: QUARANTINE_POLICY },
    responseElements: null,
    requestID: sim.ids.uuid(),
    eventID: sim.ids.uuid(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: options.accountId,
    eventCategory: 'Management',
  };
  if (options.quarantine !== false) {
    attachPolicy(account, user, QUARANTINE_POLICY);
    storeRecord(sim, record);
  }
  const id = sim.ids.hex(10);
  const healthEvent = {
    version: '0',
    id: sim.ids.uuid(),
    'detail-type': 'AWS Health Event',
    source: 'aws.health',
    account: options.accountId,
    time: sim.nowIso(),
    region: 'us-east-1',
    resources: [options.accessKeyId],
    detail: {
      eventArn: `arn:aws:health:us-east-1::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/AWS_RISK_CREDENTIALS_EXPOSED_${id}`,
      service: 'RISK',
      eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
      eventTypeCategory: 'issue',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      communicationId: sim.ids.hex(44),
      startTime: rfc1123(now),
      endTime: rfc1123(new Date(now.getTime() + 14 * 86_400_000)),
      lastUpdatedTime: rfc1123(now),
      statusCode: 'open',
      eventRegion: 'us-east-1',
      eventDescription: [
        {
          language: 'en_US',
          latestDescription: `Your AWS access key ${options.accessKeyId} (user ${user.userName}) was found publicly available at ${options.exposedUrl}. AWS attached ${QUARANTINE_POLICY.split('/').at(-1)!} to the user and opened a Support case.`,
        },
      ],
      eventMetadata: {
        accountId: options.accountId,
        publicKey: options.accessKeyId,
        userName: user.userName,
        exposedUrl: options.exposedUrl,
        truncated: 'false',
      },
      affectedEntities: [{ entityValue: options.accessKeyId, lastUpdatedTime: rfc1123(now) }],
      affectedAccount: options.accountId,
      page: '1',
      totalPages: '1',
    },
  };
  return { quarantineRecord: record, healthEvent };
}
