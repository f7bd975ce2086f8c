import { createHash } from 'node:crypto';

/**
 * Builders for the labelled corpus: a sample names its calls (service, API, parameters, outcome,
 * who made them) and these fill in the rest of the CloudTrail record the way AWS writes it
 * (awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html): the envelope,
 * `userIdentity` per identity type, `readOnly`, `eventCategory`, `tlsDetails`, the null
 * `responseElements` of a failed call.
 */

/** Who made a call (the `userIdentity.type` values CloudTrail records, plus two common variants). */
export type Caller =
  | 'IAMUser'
  | 'AssumedRole'
  | 'Root'
  | 'AWSService'
  | 'FederatedUser'
  | 'SAMLUser'
  | 'WebIdentityUser'
  /** An IAM Identity Center user: an AssumedRole session of an AWSReservedSSO_ role. */
  | 'IdentityCenter'
  /** An EC2 instance profile: an AssumedRole session named after the instance. */
  | 'Instance';

/** One call of a sample, before the envelope is filled in. */
export interface CallSpec {
  /** `service:EventName`, e.g. `ec2:RunInstances` (the service is the eventSource's first label). */
  api: string;
  request?: Record<string, unknown> | null;
  response?: Record<string, unknown> | null;
  /** `[errorCode, errorMessage]` of a refused or failed call. */
  error?: [string, string];
  as?: Caller;
  /** The IAM user, role or federated name (default per sample, so principals never collide). */
  name?: string;
  /** For AWSService callers: the service principal (default: the called service's). */
  service?: string;
  /** Minutes after the sample's start (negative: before). */
  at?: number;
  region?: string;
  /** Source address; `{IP}`, `{IP2}`, `{IP3}` are the sample's own addresses. */
  ip?: string;
  userAgent?: string;
  /** Any other top-level field (additionalEventData, resources, vpcEndpointId, readOnly, …). */
  extra?: Record<string, unknown>;
}

/** A call: `call('rds:ModifyDBInstance', { dBInstanceIdentifier: 'db1', publiclyAccessible: true })`. */
export function call(
  api: string,
  request: Record<string, unknown> | null = null,
  more: Omit<CallSpec, 'api' | 'request'> = {},
): CallSpec {
  return { api, request, ...more };
}

/** `n` calls made by `make(i)`, e.g. a burst: `times(12, (i) => call(…, { at: i }))`. */
export function times(n: number, make: (i: number) => CallSpec): CallSpec[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

/** Where and when a sample happens: its own account, addresses, names and hours. */
export interface SampleContext {
  index: number;
  account: string;
  start: number;
}

/** An account that is never a sample's own (the attacker's, or a partner's). */
export const FOREIGN_ACCOUNT = '999988887777';

const START = Date.parse('2025-03-03T08:00:00Z');
// Two hours apart: no burst rule (windows up to an hour) ever joins two samples.
const SPACING_MS = 2 * 3_600_000;

/** The context of the n-th sample. */
export function contextOf(index: number): SampleContext {
  return { index, account: String(210000000000 + index * 7), start: START + index * SPACING_MS };
}

/** The k-th address of a sample (198.18.0.0/15, the benchmarking range: never anyone's office). */
export function addressOf(index: number, k: number): string {
  const n = index * 4 + k;
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

const READ_PREFIXES = /^(Get|List|Describe|Head|Lookup|BatchGet|Check|Search|Select|Scan|Query)/;
/** Calls CloudTrail records as data events (object-level S3, Lambda Invoke, SNS Publish, EBS direct). */
const DATA_EVENTS = new Set([
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjects',
  's3:CopyObject',
  's3:HeadObject',
  's3:ListObjects',
  's3:ListObjectsV2',
  's3:ListObjectVersions',
  's3:CreateMultipartUpload',
  's3:UploadPart',
  's3:UploadPartCopy',
  's3:CompleteMultipartUpload',
  'lambda:Invoke',
  'sns:Publish',
  'sns:PublishBatch',
  'ebs:ListSnapshotBlocks',
  'ebs:GetSnapshotBlock',
  'ebs:ListChangedBlocks',
]);

const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CLI =
  'aws-cli/2.22.10 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-49-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#';

/** A deterministic UUID (events must keep their ids from run to run). */
function uuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A 16-character key id suffix derived from a name (AKIA…/ASIA…/AIDA…/AROA… in AWS's alphabet). */
function keyOf(prefix: string, seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex').toUpperCase().replace(/[018]/g, 'Q');
  return `${prefix}${h.slice(0, 16)}`;
}

function identity(spec: CallSpec, ctx: SampleContext, service: string, at: string): Record<string, unknown> {
  const account = ctx.account;
  const as = spec.as ?? 'IAMUser';
  const seed = `${ctx.index}/${as}/${spec.name ?? ''}`;
  const attributes = { creationDate: at, mfaAuthenticated: 'false' };
  const role = (name: string, session: string): Record<string, unknown> => {
    const roleId = keyOf('AROA', `${ctx.index}/${name}`);
    return {
      type: 'AssumedRole',
      principalId: `${roleId}:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${name}/${session}`,
      accountId: account,
      accessKeyId: keyOf('ASIA', seed),
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: roleId,
          arn: `arn:aws:iam::${account}:role/${name.startsWith('AWSReservedSSO_') ? 'aws-reserved/sso.amazonaws.com/' : ''}${name}`,
          accountId: account,
          userName: name,
        },
        attributes,
      },
    };
  };
  switch (as) {
    case 'IAMUser': {
      const userName = spec.name ?? `ana.${ctx.index}`;
      return {
        type: 'IAMUser',
        principalId: keyOf('AIDA', `${ctx.index}/${userName}`),
        arn: `arn:aws:iam::${account}:user/${userName}`,
        accountId: account,
        accessKeyId: keyOf('AKIA', seed),
        userName,
      };
    }
    case 'AssumedRole':
      return role(spec.name ?? `deploy-${ctx.index}`, `session-${ctx.index}`);
    case 'IdentityCenter':
      return role(
        spec.name ?? `AWSReservedSSO_AdministratorAccess_${ctx.index}`,
        `ana.${ctx.index}@example.com`,
      );
    case 'Instance': {
      const session = `i-0${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
      const base = role(spec.name ?? `app-instance-${ctx.index}`, session);
      const context = base.sessionContext as Record<string, unknown>;
      return { ...base, sessionContext: { ...context, ec2RoleDelivery: '2.0' } };
    }
    case 'Root':
      return {
        type: 'Root',
        principalId: account,
        arn: `arn:aws:iam::${account}:root`,
        accountId: account,
        accessKeyId: keyOf('ASIA', seed),
        sessionContext: { attributes: { ...attributes, mfaAuthenticated: 'true' } },
      };
    case 'AWSService':
      return { type: 'AWSService', invokedBy: spec.service ?? `${service}.amazonaws.com` };
    case 'FederatedUser': {
      const name = spec.name ?? `partner-${ctx.index}`;
      const issuer = `federation-broker-${ctx.index}`;
      return {
        type: 'FederatedUser',
        principalId: `${account}:${name}`,
        arn: `arn:aws:sts::${account}:federated-user/${name}`,
        accountId: account,
        accessKeyId: keyOf('ASIA', seed),
        sessionContext: {
          sessionIssuer: {
            type: 'IAMUser',
            principalId: keyOf('AIDA', `${ctx.index}/${issuer}`),
            arn: `arn:aws:iam::${account}:user/${issuer}`,
            accountId: account,
            userName: issuer,
          },
          attributes,
        },
      };
    }
    case 'SAMLUser': {
      const name = spec.name ?? `ana.${ctx.index}@example.com`;
      return {
        type: 'SAMLUser',
        principalId: `Ssi2kTwdWq3ks2Tb+5hz6Y5J+Hw=:${name}`,
        userName: name,
        identityProvider: 'Ssi2kTwdWq3ks2Tb+5hz6Y5J+Hw=',
      };
    }
    case 'WebIdentityUser': {
      const name = spec.name ?? `repo:example/app-${ctx.index}:ref:refs/heads/main`;
      return {
        type: 'WebIdentityUser',
        principalId: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:${name}`,
        userName: name,
        identityProvider: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
      };
    }
  }
}

/** Replace the sample's placeholders ({ACCOUNT}, {FOREIGN}, {SAMPLE}, {IP}…) anywhere in a value. */
function fill<T>(value: T, ctx: SampleContext): T {
  const text = JSON.stringify(value)
    .replaceAll('{ACCOUNT}', ctx.account)
    .replaceAll('{SAMPLE}', String(ctx.index))
    .replaceAll('{FOREIGN}', FOREIGN_ACCOUNT)
    .replaceAll('{IP}', addressOf(ctx.index, 0))
    .replaceAll('{IP2}', addressOf(ctx.index, 1))
    .replaceAll('{IP3}', addressOf(ctx.index, 2));
  return JSON.parse(text) as T;
}

/** The full CloudTrail record of the i-th call of a sample. */
export function recordOf(spec: CallSpec, ctx: SampleContext, i: number): Record<string, unknown> {
  const [service, eventName] = spec.api.split(':') as [string, string];
  const time = new Date(ctx.start + Math.round((spec.at ?? i * 0.25) * 60_000))
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const region = spec.region ?? 'us-east-1';
  const as = spec.as ?? 'IAMUser';
  const viaService = as === 'AWSService';
  const source = spec.service ?? `${service}.amazonaws.com`;
  const signin = service === 'signin';
  const failed = spec.error !== undefined;
  const who = identity(spec, ctx, service, time);
  // Sign-in records carry no access key (documented examples: "accessKeyId": "").
  if (signin && 'accessKeyId' in who) who.accessKeyId = '';
  const record: Record<string, unknown> = {
    eventVersion: signin ? '1.05' : '1.09',
    userIdentity: who,
    eventTime: time,
    eventSource: `${service}.amazonaws.com`,
    eventName,
    awsRegion: region,
    sourceIPAddress: spec.ip ?? (viaService ? source : '{IP}'),
    userAgent: spec.userAgent ?? (viaService ? source : signin ? BROWSER : CLI),
    ...(failed ? { errorCode: spec.error![0], errorMessage: spec.error![1] } : {}),
    requestParameters: spec.request ?? null,
    responseElements: failed ? null : (spec.response ?? null),
    requestID: uuid(`${ctx.index}/${i}/request`),
    eventID: uuid(`${ctx.index}/${i}/event`),
    readOnly: READ_PREFIXES.test(eventName),
    eventType: signin ? 'AwsConsoleSignIn' : 'AwsApiCall',
    managementEvent: !DATA_EVENTS.has(spec.api),
    recipientAccountId: ctx.account,
    eventCategory: DATA_EVENTS.has(spec.api) ? 'Data' : 'Management',
    ...(signin || viaService
      ? {}
      : {
          tlsDetails: {
            tlsVersion: 'TLSv1.3',
            cipherSuite: 'TLS_AES_128_GCM_SHA256',
            clientProvidedHostHeader: `${service}.${region}.amazonaws.com`,
          },
        }),
    ...spec.extra,
  };
  return fill(record, ctx);
}
