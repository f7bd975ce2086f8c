import type { AttackerEvent } from './input.js';
import { parseJsonText, stringsAt } from './json-path.js';

/** Lambda and a few other services suffix event names with an API version (`CreateFunction20150331`). */
export function baseEventName(eventName: string): string {
  return eventName.replace(/\d{8}(v\d+)?$/, '');
}

/** Where a resource's name sits in an event: `req:` request parameters, `resp:` response elements. */
interface Touch {
  events: string[];
  type: string;
  action: 'created' | 'modified' | 'shared';
  /** Paths tried in order; the first that yields values names the resources. */
  ids: string[];
  /** Nothing to list when no path yields a value (not every launch reports its volumes). */
  optional?: boolean;
}

/**
 * Calls that leave something behind in the account, and where each names what it made. Only
 * successful calls count (a denied CreateUser created nothing).
 */
const RESOURCE_TOUCHES: Touch[] = [
  {
    events: ['RunInstances'],
    type: 'EC2 instance',
    action: 'created',
    ids: ['resp:instancesSet.items[].instanceId'],
  },
  {
    // Each instance's root (and other) EBS volumes bill by size while they exist.
    events: ['RunInstances'],
    type: 'EBS volume',
    action: 'created',
    ids: ['resp:instancesSet.items[].blockDeviceMapping.items[].ebs.volumeId'],
    optional: true,
  },
  {
    events: ['AllocateAddress'],
    type: 'Elastic IP',
    action: 'created',
    ids: ['resp:allocationId', 'resp:publicIp'],
  },
  {
    events: ['CreateNatGateway'],
    type: 'NAT gateway',
    action: 'created',
    ids: ['resp:natGateway.natGatewayId'],
  },
  { events: ['CreateVolume'], type: 'EBS volume', action: 'created', ids: ['resp:volumeId'] },
  { events: ['CreateUser'], type: 'IAM user', action: 'created', ids: ['req:userName'] },
  {
    events: ['CreateAccessKey'],
    type: 'IAM access key',
    action: 'created',
    ids: ['resp:accessKey.accessKeyId', 'req:userName'],
  },
  {
    events: ['CreateLoginProfile', 'UpdateLoginProfile'],
    type: 'IAM console password',
    action: 'created',
    ids: ['req:userName'],
  },
  { events: ['CreateRole'], type: 'IAM role', action: 'created', ids: ['req:roleName'] },
  {
    events: ['CreatePolicy'],
    type: 'IAM policy',
    action: 'created',
    ids: ['resp:policy.arn', 'req:policyName'],
  },
  {
    events: ['CreatePolicyVersion', 'SetDefaultPolicyVersion'],
    type: 'IAM policy version',
    action: 'modified',
    ids: ['req:policyArn'],
  },
  {
    events: ['AttachUserPolicy', 'PutUserPolicy'],
    type: 'IAM user policy',
    action: 'modified',
    ids: ['req:userName'],
  },
  {
    events: ['AttachRolePolicy', 'PutRolePolicy', 'UpdateAssumeRolePolicy'],
    type: 'IAM role policy',
    action: 'modified',
    ids: ['req:roleName'],
  },
  { events: ['AddUserToGroup'], type: 'IAM group membership', action: 'modified', ids: ['req:userName'] },
  {
    events: ['CreateVirtualMFADevice'],
    type: 'IAM virtual MFA device',
    action: 'created',
    ids: ['req:virtualMFADeviceName'],
  },
  { events: ['EnableMFADevice'], type: 'IAM MFA device', action: 'modified', ids: ['req:userName'] },
  {
    events: ['CreateOpenIDConnectProvider'],
    type: 'IAM OIDC provider',
    action: 'created',
    ids: ['resp:openIDConnectProviderArn', 'req:url'],
  },
  { events: ['CreateSAMLProvider'], type: 'IAM SAML provider', action: 'created', ids: ['req:name'] },
  { events: ['CreateBucket'], type: 'S3 bucket', action: 'created', ids: ['req:bucketName'] },
  {
    events: [
      'PutBucketPolicy',
      'PutBucketAcl',
      'DeleteBucketPublicAccessBlock',
      'PutBucketPublicAccessBlock',
    ],
    type: 'S3 bucket access',
    action: 'modified',
    ids: ['req:bucketName'],
  },
  { events: ['CreateFunction'], type: 'Lambda function', action: 'created', ids: ['req:functionName'] },
  {
    events: ['UpdateFunctionCode', 'UpdateFunctionConfiguration', 'AddPermission'],
    type: 'Lambda function',
    action: 'modified',
    ids: ['req:functionName'],
  },
  {
    events: ['CreateFunctionUrlConfig'],
    type: 'Lambda function URL',
    action: 'created',
    ids: ['req:functionName'],
  },
  { events: ['PublishLayerVersion'], type: 'Lambda layer', action: 'created', ids: ['req:layerName'] },
  {
    events: ['CreateStack'],
    type: 'CloudFormation stack',
    action: 'created',
    ids: ['resp:stackId', 'req:stackName'],
  },
  {
    events: ['ImportKeyPair', 'CreateKeyPair'],
    type: 'EC2 key pair',
    action: 'created',
    ids: ['req:keyName'],
  },
  {
    events: ['CreateSecurityGroup'],
    type: 'EC2 security group',
    action: 'created',
    ids: ['resp:groupId', 'req:groupName'],
  },
  {
    events: ['AuthorizeSecurityGroupIngress'],
    type: 'EC2 security group rule',
    action: 'modified',
    ids: ['req:groupId', 'req:groupName'],
  },
  { events: ['CreateSnapshot'], type: 'EBS snapshot', action: 'created', ids: ['resp:snapshotId'] },
  { events: ['ModifySnapshotAttribute'], type: 'EBS snapshot', action: 'shared', ids: ['req:snapshotId'] },
  { events: ['ModifyImageAttribute'], type: 'AMI', action: 'shared', ids: ['req:imageId'] },
  { events: ['CreateSecret'], type: 'Secrets Manager secret', action: 'created', ids: ['req:name'] },
  {
    events: ['PutResourcePolicy'],
    type: 'Secrets Manager secret policy',
    action: 'modified',
    ids: ['req:secretId'],
  },
  { events: ['PutParameter'], type: 'SSM parameter', action: 'created', ids: ['req:name'] },
  { events: ['CreateDetector'], type: 'GuardDuty detector', action: 'created', ids: ['resp:detectorId'] },
  {
    events: ['StopLogging', 'PutEventSelectors', 'UpdateTrail'],
    type: 'CloudTrail trail',
    action: 'modified',
    ids: ['req:name'],
  },
  { events: ['DeleteTrail'], type: 'CloudTrail trail', action: 'modified', ids: ['req:name'] },
  { events: ['DeleteDetector'], type: 'GuardDuty detector', action: 'modified', ids: ['req:detectorId'] },
];

/** Calls that read data, and what each names. Denied reads are listed as attempts. */
const DATA_READS: { events: string[]; what: string; ids: string[] }[] = [
  { events: ['GetObject'], what: 'S3 object', ids: ['req:bucketName+key'] },
  {
    events: ['ListObjects', 'ListObjectsV2', 'ListBucket'],
    what: 'S3 bucket listing',
    ids: ['req:bucketName'],
  },
  {
    events: ['GetSecretValue', 'BatchGetSecretValue'],
    what: 'Secrets Manager secret',
    ids: ['req:secretId', 'req:secretIdList[]'],
  },
  {
    events: ['GetParameter', 'GetParameters', 'GetParametersByPath'],
    what: 'SSM parameter',
    ids: ['req:name', 'req:names[]', 'req:path'],
  },
  { events: ['GetFunction'], what: 'Lambda function code', ids: ['req:functionName'] },
  { events: ['Scan', 'Query', 'GetItem'], what: 'DynamoDB table', ids: ['req:tableName'] },
  {
    events: ['ExportSnapshot', 'CopySnapshot'],
    what: 'EBS snapshot copy',
    ids: ['req:sourceSnapshotId', 'req:snapshotId'],
  },
];

export interface ResourceTouched {
  type: string;
  id: string;
  action: 'created' | 'modified' | 'shared';
  region: string;
  eventName: string;
  time: string;
  eventId: string;
}

export interface DataRead {
  what: string;
  id: string;
  region: string;
  eventName: string;
  time: string;
  succeeded: boolean;
  eventId: string;
}

function namesIn(event: AttackerEvent, paths: string[]): string[] {
  const req = parseJsonText(event.requestParameters);
  const resp = parseJsonText(event.responseElements);
  for (const spec of paths) {
    const [where, path = ''] = spec.split(':', 2) as [string, string];
    const root = where === 'resp' ? resp : req;
    const values = path.includes('+')
      ? joinParts(root, path.split('+'))
      : stringsAt(root, path.replace(/\[\]$/, '[]'));
    if (values.length > 0) return values;
  }
  return [];
}

function joinParts(root: unknown, parts: string[]): string[] {
  // `bucketName+key` names one S3 object as `bucket/key`.
  const [first = '', second = ''] = parts;
  const a = stringsAt(root, first)[0];
  const b = stringsAt(root, second)[0];
  return a === undefined ? [] : [b === undefined ? a : `${a}/${b}`];
}

/** Everything the attacker's successful calls created, changed or shared, in time order. */
export function resourcesTouched(events: AttackerEvent[]): ResourceTouched[] {
  const out: ResourceTouched[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    if (event.errorCode) continue;
    const name = baseEventName(event.eventName);
    for (const touch of RESOURCE_TOUCHES.filter((t) => t.events.includes(name))) {
      const ids = namesIn(event, touch.ids);
      if (ids.length === 0 && touch.optional) continue;
      for (const id of ids.length ? ids : ['(name not recorded)']) {
        const key = `${touch.type}|${touch.action}|${event.region}|${id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          type: touch.type,
          id,
          action: touch.action,
          region: event.region,
          eventName: event.eventName,
          time: event.time,
          eventId: event.eventId,
        });
      }
    }
  }
  return out;
}

/** Every data read the attacker made or tried, in time order. */
export function dataReads(events: AttackerEvent[]): DataRead[] {
  const out: DataRead[] = [];
  for (const event of events) {
    const name = baseEventName(event.eventName);
    const read = DATA_READS.find((r) => r.events.includes(name));
    if (!read) continue;
    const ids = namesIn(event, read.ids);
    for (const id of ids.length ? ids : ['(name not recorded)']) {
      out.push({
        what: read.what,
        id,
        region: event.region,
        eventName: event.eventName,
        time: event.time,
        succeeded: !event.errorCode,
        eventId: event.eventId,
      });
    }
  }
  return out;
}
