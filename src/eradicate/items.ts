import { FROM_EVENTS, type EventQuery, type QueryParam } from '../detect/events.js';
import { parseJsonText, stringsAt, valuesAt } from '../report/json-path.js';
import { baseEventName } from '../report/activity.js';

/**
 * One thing to remove or restore, in the words of the scope contract (PersistenceItem, issue 12
 * §4): its kind, a stable id the responder can name with `--include`/`--exclude`, where it is,
 * who made it and the events that show it.
 */
export interface EradicationItem {
  kind: string;
  id: string;
  name: string;
  region: string;
  account: string;
  /** The user a key or device belongs to, the principal a policy is on (`user/NAME`, `role/NAME`). */
  owner?: string;
  attribution: 'attacker' | 'pre-existing' | 'unknown';
  eventIds: string[];
  firstSeen?: string;
  /** What some kinds need besides the name (policy name or ARN, port and CIDR, shared accounts). */
  details?: Record<string, string>;
  /** The id of the scope item it comes from (`<kind>/<region>/<name>`), which `--include` may name. */
  scopeId?: string;
  /** Where the planner learnt of it: scope's reading of the account, the case's calls, or both. */
  from?: 'scope' | 'calls' | 'both';
  /** Scope attributes it to the attacker, but no call of the case made it: acted on only with --include. */
  unexplained?: boolean;
}

interface EventRow {
  eventid: string;
  eventtime: string;
  eventname: string;
  awsregion: string;
  recipientaccountid: string | null;
  requestparameters: string | null;
  responseelements: string | null;
}

/** What one call leaves behind: the items it names (an event may name several: RunInstances). */
type Reader = (req: unknown, resp: unknown) => Pick<EradicationItem, 'kind' | 'name' | 'owner' | 'details'>[];

const one = (kind: string, name: string | undefined, extra: Partial<EradicationItem> = {}) =>
  name ? [{ kind, name, ...extra }] : [];
const first = (root: unknown, path: string) => stringsAt(root, path)[0];
/** A write with the caller's own SSE-C key (CloudTrail records the algorithm, never the key). */
const customerKey = (q: unknown) => first(q, 'x-amz-server-side-encryption-customer-algorithm') !== undefined;
const principalOf = (name: string) =>
  name.endsWith('User') ? 'user' : name.endsWith('Role') ? 'role' : 'group';

/**
 * The calls that leave something behind, as data: event name → the items it names. Request
 * and response field names are CloudTrail's (lower camel case).
 */
export const LEFT_BEHIND: Record<string, Reader> = {
  CreateUser: (q) => one('iam-user', first(q, 'userName')),
  CreateAccessKey: (q, r) =>
    one('access-key', first(r, 'accessKey.accessKeyId'), {
      owner: first(r, 'accessKey.userName') ?? first(q, 'userName'),
    }),
  CreateLoginProfile: (q) => one('login-profile', first(q, 'userName')),
  UpdateLoginProfile: (q) => one('login-profile', first(q, 'userName')),
  CreateVirtualMFADevice: (_q, r) => one('mfa-device', first(r, 'virtualMFADevice.serialNumber')),
  EnableMFADevice: (q) => one('mfa-device', first(q, 'serialNumber'), { owner: first(q, 'userName') }),
  UploadSSHPublicKey: (q, r) =>
    one('ssh-key', first(r, 'sSHPublicKey.sSHPublicKeyId') ?? first(r, 'sshPublicKey.sshPublicKeyId'), {
      owner: first(q, 'userName'),
    }),
  UploadSigningCertificate: (q, r) =>
    one('signing-certificate', first(r, 'certificate.certificateId'), { owner: first(q, 'userName') }),
  CreateServiceSpecificCredential: (q, r) =>
    one('service-credential', first(r, 'serviceSpecificCredential.serviceSpecificCredentialId'), {
      owner: first(q, 'userName'),
    }),
  ...Object.fromEntries(
    ['PutUserPolicy', 'PutRolePolicy', 'PutGroupPolicy'].map((ev) => [
      ev,
      (q: unknown) => {
        const type = principalOf(ev.replace(/^Put|Policy$/g, ''));
        const who = first(q, `${type}Name`);
        return one('inline-policy', first(q, 'policyName'), { owner: who && `${type}/${who}` });
      },
    ]),
  ),
  ...Object.fromEntries(
    ['AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy'].map((ev) => [
      ev,
      (q: unknown) => {
        const type = principalOf(ev.replace(/^Attach|Policy$/g, ''));
        const who = first(q, `${type}Name`);
        return one('policy-attachment', first(q, 'policyArn'), { owner: who && `${type}/${who}` });
      },
    ]),
  ),
  AddUserToGroup: (q) =>
    one('group-membership', first(q, 'groupName'), {
      owner: first(q, 'userName') && `user/${first(q, 'userName')}`,
    }),
  CreatePolicy: (_q, r) => one('managed-policy', first(r, 'policy.arn')),
  CreatePolicyVersion: (q, r) =>
    one('policy-version', first(q, 'policyArn'), {
      details: { versionId: first(r, 'policyVersion.versionId') ?? '' },
    }),
  SetDefaultPolicyVersion: (q) =>
    one('policy-version', first(q, 'policyArn'), { details: { versionId: first(q, 'versionId') ?? '' } }),
  CreateRole: (q) => one('role', first(q, 'roleName')),
  UpdateAssumeRolePolicy: (q) =>
    one('role-trust', first(q, 'roleName'), { details: { document: first(q, 'policyDocument') ?? '' } }),
  CreateOpenIDConnectProvider: (_q, r) => one('oidc-provider', first(r, 'openIDConnectProviderArn')),
  CreateSAMLProvider: (_q, r) => one('saml-provider', first(r, 'sAMLProviderArn')),
  CreateKeyPair: (q) => one('key-pair', first(q, 'keyName')),
  ImportKeyPair: (q) => one('key-pair', first(q, 'keyName')),
  RunInstances: (_q, r) =>
    stringsAt(r, 'instancesSet.items[].instanceId').flatMap((id) => one('instance', id)),
  CreateSecurityGroup: (_q, r) => one('security-group', first(r, 'groupId')),
  AuthorizeSecurityGroupIngress: (q) =>
    valuesAt(q, 'ipPermissions.items[]').flatMap((p) =>
      stringsAt(p, 'ipRanges.items[].cidrIp').flatMap((cidr) =>
        one(
          'security-group-rule',
          `${first(p, 'ipProtocol') ?? 'tcp'}:${first(p, 'fromPort') ?? '0'}:${cidr}`,
          {
            owner: first(q, 'groupId'),
            details: { protocol: first(p, 'ipProtocol') ?? 'tcp', port: first(p, 'fromPort') ?? '0', cidr },
          },
        ),
      ),
    ),
  ModifySnapshotAttribute: (q) => {
    const accounts = [
      ...stringsAt(q, 'createVolumePermission.add.items[].userId'),
      ...stringsAt(q, 'createVolumePermission.add.items[].group'),
    ];
    return accounts.length
      ? one('snapshot-share', first(q, 'snapshotId'), { details: { accounts: accounts.join(',') } })
      : [];
  },
  ModifyImageAttribute: (q) => {
    const accounts = [
      ...stringsAt(q, 'launchPermission.add.items[].userId'),
      ...stringsAt(q, 'launchPermission.add.items[].group'),
    ];
    return accounts.length
      ? one('ami-share', first(q, 'imageId'), { details: { accounts: accounts.join(',') } })
      : [];
  },
  // RDS theft: the snapshot and its copies (in the region of the call), the restore share, the export.
  CreateDBSnapshot: (q) => one('rds-snapshot', first(q, 'dBSnapshotIdentifier')),
  CopyDBSnapshot: (q) => one('rds-snapshot', first(q, 'targetDBSnapshotIdentifier')),
  ModifyDBSnapshotAttribute: (q) => {
    const accounts = stringsAt(q, 'valuesToAdd[]');
    return first(q, 'attributeName') === 'restore' && accounts.length
      ? one('rds-snapshot-share', first(q, 'dBSnapshotIdentifier'), {
          details: { accounts: accounts.join(',') },
        })
      : [];
  },
  // A key of the attacker's own (the copy's, whose policy admits their account).
  CreateKey: (_q, r) => one('kms-key', first(r, 'keyMetadata.keyId')),
  StartExportTask: (q) =>
    one('rds-export', first(q, 'exportTaskIdentifier'), {
      details: {
        bucket: first(q, 's3BucketName') ?? '?',
        prefix: first(q, 's3Prefix') ?? '',
        source: first(q, 'sourceArn') ?? '?',
      },
    }),
  CreateBucket: (q) => one('bucket', first(q, 'bucketName')),
  PutBucketPolicy: (q) => one('bucket-policy', first(q, 'bucketName')),
  PutBucketAcl: (q) => one('bucket-acl', first(q, 'bucketName')),
  // S3 ransomware: a bucket whose lifecycle the attacker set is also read for objects only the
  // attacker's key opens (their copies are data events, which a trail may not record).
  PutBucketLifecycle: (q) => [
    ...one('bucket-lifecycle', first(q, 'bucketName'), {
      details: { ruleIds: stringsAt(q, 'LifecycleConfiguration.Rule[].ID').join(',') },
    }),
    ...one('encrypted-objects', first(q, 'bucketName')),
  ],
  DeleteBucketLifecycle: (q) => one('bucket-lifecycle', first(q, 'bucketName')),
  CopyObject: (q) => (customerKey(q) ? one('encrypted-objects', first(q, 'bucketName')) : []),
  PutObject: (q) =>
    customerKey(q)
      ? one('encrypted-objects', first(q, 'bucketName'))
      : one('s3-object', first(q, 'key') && `${first(q, 'bucketName')}/${first(q, 'key')}`),
  CreateFunction: (q) => one('lambda-function', first(q, 'functionName')),
  CreateFunctionUrlConfig: (q) => one('lambda-url', first(q, 'functionName')),
  AddPermission: (q) =>
    one('lambda-permission', first(q, 'statementId'), { owner: first(q, 'functionName') }),
  UpdateFunctionConfiguration: (q) =>
    valuesAt(q, 'environment').length ? one('lambda-env', first(q, 'functionName')) : [],
  PublishLayerVersion: (q) => one('lambda-layer', first(q, 'layerName')),
  CreateStack: (q) => one('stack', first(q, 'stackName')),
  CreateStackSet: (q) => one('stackset', first(q, 'stackSetName')),
  PutRule: (q) =>
    one('eventbridge-rule', first(q, 'name'), {
      details: { eventBusName: first(q, 'eventBusName') ?? 'default' },
    }),
  // EventBridge's (Lambda's is AddPermission): a statement on a bus, or a whole policy.
  PutPermission: (q) => one('event-bus-policy', first(q, 'eventBusName') ?? 'default'),
  CreateDocument: (q) => one('ssm-document', first(q, 'name')),
  CreateAssociation: (_q, r) => one('ssm-association', first(r, 'associationDescription.associationId')),
  StopLogging: (q) => one('trail-logging', first(q, 'name')),
  DeleteTrail: (q) => one('trail-deleted', first(q, 'name')),
  PutEventSelectors: (q) => one('event-selectors', first(q, 'trailName')),
  DeleteDetector: (q) => one('guardduty-detector', first(q, 'detectorId')),
  UpdateDetector: (q) =>
    first(q, 'enable') === 'false' ? one('guardduty-detector', first(q, 'detectorId')) : [],
  CreateFilter: (q, r) => one('guardduty-filter', first(r, 'name') ?? first(q, 'name')),
  CreateIPSet: (_q, r) => one('guardduty-ip-set', first(r, 'ipSetId')),
  CreateThreatIntelSet: (_q, r) => one('guardduty-threat-intel-set', first(r, 'threatIntelSetId')),
  CreateLaunchTemplate: (_q, r) =>
    one('launch-template', first(r, 'CreateLaunchTemplateResponse.launchTemplate.launchTemplateId')),
  RequestSpotInstances: (_q, r) =>
    stringsAt(r, 'spotInstanceRequestSet.items[].spotInstanceRequestId').flatMap((id) =>
      one('spot-request', id),
    ),
  DeleteModelInvocationLoggingConfiguration: () =>
    one('bedrock-invocation-logging', 'model-invocation-logging'),
  VerifyEmailIdentity: (q) => one('ses-identity', first(q, 'emailAddress')),
  VerifyEmailAddress: (q) => one('ses-identity', first(q, 'emailAddress')),
  VerifyDomainIdentity: (q) => one('ses-identity', first(q, 'domain')),
  CreateEmailIdentity: (q) => one('ses-identity', first(q, 'emailIdentity')),
  // One set of SMS attributes per region; the names the attacker changed, for the restore.
  SetSMSAttributes: (q) => {
    const names = Object.keys((valuesAt(q, 'attributes')[0] as Record<string, unknown> | undefined) ?? {});
    return names.length
      ? one('sms-attributes', 'sms-attributes', { details: { names: names.join(',') } })
      : [];
  },
  // A secret named by ARN: its name, as scope lists it (the ARN ends in -XXXXXX).
  PutResourcePolicy: (q) =>
    one(
      'secret-policy',
      first(q, 'secretId')?.replace(/^arn:[^:]+:secretsmanager:[^:]*:\d*:secret:(.*)-[^-]{6}$/, '$1'),
    ),
};

/** The IAM kinds: global, their region is `global` as scope gives it. */
const IAM_KINDS = [
  'iam-user',
  'access-key',
  'login-profile',
  'mfa-device',
  'ssh-key',
  'signing-certificate',
  'service-credential',
  'inline-policy',
  'policy-attachment',
  'group-membership',
  'managed-policy',
  'policy-version',
  'role',
  'role-trust',
  'oidc-provider',
  'saml-provider',
];

/** Kinds filed under the region `global`: IAM's, and the credentials STS minted. */
const GLOBAL = new Set([...IAM_KINDS, 'role-session', 'federation-token', 'session-token']);

/** The kinds `LEFT_BEHIND` makes: a scope item of one of these no call explains is a disagreement. */
export const CALL_KINDS = new Set([
  ...IAM_KINDS,
  ...['key-pair', 'instance', 'security-group', 'security-group-rule', 'snapshot-share', 'ami-share'],
  ...['launch-template', 'spot-request', 'event-bus-policy'],
  ...['guardduty-filter', 'guardduty-ip-set', 'guardduty-threat-intel-set'],
  ...['bucket', 'bucket-policy', 'bucket-acl', 'secret-policy', 'stack', 'stackset'],
  ...['lambda-function', 'lambda-url', 'lambda-permission', 'lambda-env', 'lambda-layer'],
  ...['eventbridge-rule', 'ssm-document', 'trail-logging', 'trail-deleted', 'event-selectors'],
  'guardduty-detector',
  'bedrock-invocation-logging',
  'ses-identity',
  'sms-attributes',
  ...['rds-snapshot', 'rds-snapshot-share', 'rds-export', 'kms-key'],
  ...['bucket-lifecycle', 'encrypted-objects', 's3-object'],
]);

/** Kinds whose name is unique only within their owner (a policy name, a statement id, a rule). */
const OWNED = new Set([
  'inline-policy',
  'policy-attachment',
  'group-membership',
  'lambda-permission',
  'security-group-rule',
]);

/** The region an item of a kind is filed under: `global` for IAM. */
export const regionOf = (kind: string, region: string): string => (GLOBAL.has(kind) ? 'global' : region);

/**
 * An item's id, in scope's form `<kind>/<region>/<name>` (`instance/eu-north-1/i-…`,
 * `access-key/global/AKIA…`), the owner before the name where the name alone is not unique
 * (`inline-policy/global/user/bob/p1`).
 */
export function itemId(kind: string, region: string, name: string, owner?: string): string {
  return `${kind}/${regionOf(kind, region)}/${OWNED.has(kind) && owner ? `${owner}/` : ''}${name}`;
}

function itemsOf(e: EventRow): EradicationItem[] {
  const read = LEFT_BEHIND[baseEventName(e.eventname)];
  if (!read) return [];
  const req = parseJsonText(e.requestparameters);
  const resp = parseJsonText(e.responseelements);
  // restJson answers are recorded with their status wrapper by some services.
  const body = (resp as { body?: unknown } | null)?.body ?? resp;
  return read(req, body).map((i) => ({
    ...i,
    id: itemId(i.kind, e.awsregion, i.name, i.owner),
    region: regionOf(i.kind, e.awsregion),
    account: e.recipientaccountid ?? '',
    attribution: 'attacker' as const,
    eventIds: [e.eventid],
    firstSeen: e.eventtime,
    from: 'calls' as const,
  }));
}

/** Two calls on one item: list values (versions, accounts) are unioned, others kept from the first. */
function mergeDetails(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!a || !b) return a ?? b;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (k === 'versionId' || k === 'accounts' || k === 'ruleIds')
      out[k] = [...new Set([...(out[k] ?? '').split(','), ...v.split(',')].filter(Boolean))].join(',');
    else out[k] ??= v;
  }
  return out;
}

/**
 * The items the compromise's own calls left behind: every successful write the condition selects
 * (the investigation's attribution), read through `LEFT_BEHIND`. The same item named by several
 * calls is one item with all their event ids: the cross-check of scope's items.
 */
export async function itemsFromEvents(
  store: EventQuery,
  condition: { sql: string; params: QueryParam[] },
): Promise<EradicationItem[]> {
  const rows = await store.query<EventRow>(
    `SELECT e.eventid, e.eventtime, e.eventname, e.awsregion, e.recipientaccountid, e.requestparameters, e.responseelements
     FROM ${FROM_EVENTS}
     WHERE ${condition.sql} AND coalesce(e.errorcode, '') = '' AND coalesce(e.readonly, 'false') <> 'true'
     ORDER BY e.eventtime, e.eventid`,
    condition.params,
  );
  const byId = new Map<string, EradicationItem>();
  for (const row of rows)
    for (const item of itemsOf(row)) {
      const seen = byId.get(item.id);
      if (!seen) byId.set(item.id, item);
      else {
        seen.eventIds.push(...item.eventIds);
        seen.details = mergeDetails(seen.details, item.details);
        if (item.owner && !seen.owner) seen.owner = item.owner;
      }
    }
  return [...byId.values()];
}
