import { z } from 'zod';
import { ACCESS_KEY_ID, accountOrNull, alertDate, defineRecogniser, type Reading } from '../trigger.js';

/**
 * GuardDuty findings, in the service's wire names (lowerCamel: EventBridge `detail`, exports; the
 * CLI's PascalCase is converted by the envelope). Fields from the GuardDuty finding format
 * (aws-facts §4.3): an IAM finding names the access key in `resource.accessKeyDetails`, an EC2
 * finding the instance in `resource.instanceDetails`.
 */
const finding = z
  .object({
    schemaVersion: z.string(),
    accountId: z.string(),
    region: z.string(),
    id: z.string(),
    arn: z.string().optional(),
    type: z.string(),
    title: z.string().optional(),
    severity: z.number(),
    createdAt: alertDate,
    updatedAt: alertDate.optional(),
    resource: z
      .object({
        resourceType: z.string(),
        accessKeyDetails: z
          .object({
            accessKeyId: z.string().optional(),
            principalId: z.string().optional(),
            userName: z.string().optional(),
            userType: z.string().optional(),
          })
          .passthrough()
          .optional(),
        instanceDetails: z
          .object({
            instanceId: z.string(),
            instanceType: z.string().optional(),
            launchTime: alertDate.optional(),
          })
          .passthrough()
          .optional(),
      })
      .passthrough(),
    service: z
      .object({
        count: z.number().optional(),
        eventFirstSeen: alertDate.optional(),
        eventLastSeen: alertDate.optional(),
        archived: z.boolean().optional(),
        additionalInfo: z.object({ sample: z.boolean().optional() }).passthrough().optional(),
        action: z
          .object({
            actionType: z.string().optional(),
            awsApiCallAction: z
              .object({
                api: z.string().optional(),
                serviceName: z.string().optional(),
                remoteIpDetails: z.object({ ipAddressV4: z.string().optional() }).passthrough().optional(),
              })
              .passthrough()
              .optional(),
            dnsRequestAction: z.object({ domain: z.string().optional() }).passthrough().optional(),
          })
          .passthrough()
          .optional(),
      })
      .passthrough(),
  })
  .passthrough();

type Finding = z.infer<typeof finding>;

/** The principal an IAM finding names when its key id is not a real one (root, or a user or role). */
function principalOf(f: Finding): string | undefined {
  const d = f.resource.accessKeyDetails;
  if (d?.userType === 'Root') return 'root';
  if (!d?.userName || !/^\d{12}$/.test(f.accountId)) return undefined;
  if (d.userType === 'IAMUser') return `arn:aws:iam::${f.accountId}:user/${d.userName}`;
  if (d.userType === 'AssumedRole') return `arn:aws:iam::${f.accountId}:role/${d.userName}`;
  return undefined;
}

function read(f: Finding): Reading {
  if (f.service.additionalInfo?.sample)
    return {
      refused: `GuardDuty finding ${f.type} is a sample (CreateSampleFindings): it names no real credential`,
    };
  const call = f.service.action?.awsApiCallAction;
  const base = {
    source: 'guardduty' as const,
    name: `GuardDuty finding ${f.type}`,
    summary: f.title ?? f.type,
    account: accountOrNull(f.accountId),
    region: f.region,
    awareness: f.createdAt,
    awarenessFrom: 'the finding’s createdAt',
    reference: f.arn ?? f.id,
    details: [
      ['Finding', `${f.type} (severity ${f.severity})`],
      [
        'Seen',
        `${f.service.count ?? 1} time(s), ${f.service.eventFirstSeen ?? '?'} → ${f.service.eventLastSeen ?? '?'}`,
      ],
      ...(call?.api ? [['API call', `${call.serviceName ?? '?'} ${call.api}`] as [string, string]] : []),
      ...(call?.remoteIpDetails?.ipAddressV4
        ? [['From', call.remoteIpDetails.ipAddressV4] as [string, string]]
        : []),
      ...(f.service.action?.dnsRequestAction?.domain
        ? [['DNS query', f.service.action.dnsRequestAction.domain] as [string, string]]
        : []),
    ] as [string, string][],
    unresolved: null,
  };
  if (f.resource.resourceType === 'AccessKey') {
    const key = f.resource.accessKeyDetails?.accessKeyId;
    const candidates = [key && ACCESS_KEY_ID.test(key) ? key : undefined, principalOf(f)].filter(
      (c): c is string => c !== undefined,
    );
    if (candidates.length === 0)
      return {
        refused: `GuardDuty finding ${f.type} names no access key id, user or role (resource.accessKeyDetails)`,
      };
    return { trigger: { ...base, candidates: candidates.slice(0, 1), lead: null } };
  }
  if (f.resource.resourceType === 'Instance') {
    const instance = f.resource.instanceDetails;
    if (!instance) return { refused: `GuardDuty finding ${f.type} has no resource.instanceDetails` };
    return {
      trigger: {
        ...base,
        details: [['Instance', `${instance.instanceId} (${instance.instanceType ?? '?'})`], ...base.details],
        candidates: [],
        lead: {
          kind: 'instance',
          instanceId: instance.instanceId,
          region: f.region,
          launchTime: instance.launchTime,
        },
      },
    };
  }
  return {
    refused: `GuardDuty finding ${f.type} is about a ${f.resource.resourceType}; Tourniquet starts from findings about an access key (…:IAMUser/…) or an EC2 instance (…:EC2/…)`,
  };
}

export const guardDutyFinding = defineRecogniser({
  source: 'guardduty',
  expected: 'a GuardDuty finding',
  marks: z.object({ schemaVersion: z.string(), type: z.string(), resource: z.unknown() }).passthrough(),
  schema: finding,
  read,
});
