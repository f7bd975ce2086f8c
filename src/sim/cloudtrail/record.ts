import { isoSeconds, javaDate } from '../clock.js';
import type { SimHttpRequest } from '../core/http.js';
import type { QueryParams } from '../core/params.js';
import type { Caller, ServiceDef, TrailNotes } from '../core/service.js';
import type { SimState } from '../state.js';
import type { CloudTrailRecord } from './model.js';

/** `userIdentity` by principal type (aws-facts §1.2). */
export function userIdentityOf(sim: SimState, caller: Caller): Record<string, unknown> {
  if (caller.type === 'Anonymous') return { type: 'AWSAccount', principalId: '', accountId: 'anonymous' };
  const s = caller.session;
  const attributes = s
    ? { creationDate: s.issuedAt, mfaAuthenticated: s.mfaAuthenticated ? 'true' : 'false' }
    : undefined;
  const base: Record<string, unknown> = {
    type: caller.type,
    principalId: caller.principalId,
    arn: caller.arn,
    accountId: caller.accountId,
    accessKeyId: caller.accessKeyId,
  };
  if (caller.type === 'IAMUser') base.userName = caller.userName;
  if (!s) return base;
  if (s.kind === 'session-token') return { ...base, sessionContext: { attributes } };
  const account = sim.account(caller.accountId);
  if (s.kind === 'assumed-role') {
    const role = account?.iam.roles[s.roleName ?? ''];
    return {
      ...base,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: role?.roleId ?? caller.principalId.split(':')[0],
          arn: caller.principalArn,
          accountId: caller.accountId,
          userName: s.roleName,
        },
        webIdFederationData: {},
        attributes,
        ...(s.sourceIdentity ? { sourceIdentity: s.sourceIdentity } : {}),
      },
    };
  }
  const user = s.userName ? account?.iam.users[s.userName] : undefined;
  return {
    ...base,
    sessionContext: {
      sessionIssuer: s.userName
        ? {
            type: 'IAMUser',
            principalId: user?.userId,
            arn: user?.arn,
            accountId: caller.accountId,
            userName: s.userName,
          }
        : {
            type: 'Root',
            principalId: caller.accountId,
            arn: `arn:aws:iam::${caller.accountId}:root`,
            accountId: caller.accountId,
          },
      webIdFederationData: {},
      attributes,
    },
  };
}

function lowerFirst(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** Keys CloudTrail never shows (the secret half of credentials, passwords, private keys). */
const SECRET_KEY =
  /^(secretAccessKey|password|oldPassword|newPassword|keyMaterial|privateKey|secretString|secretBinary)$/i;

/** Deep copy with lowerCamel keys, secrets removed and dates in the service's CloudTrail style. */
export function trailShape(value: unknown, dates: 'java' | 'iso'): unknown {
  if (value instanceof Date) return dates === 'java' ? javaDate(value) : isoSeconds(value);
  if (Array.isArray(value)) return value.map((v) => trailShape(v, dates));
  if (value && typeof value === 'object') {
    // An XML list with named items (`namedList`) is a plain array in CloudTrail.
    if ('#item' in value && '#items' in value) return trailShape(value['#items'], dates);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('@') || SECRET_KEY.test(k) || v === undefined) continue;
      out[lowerFirst(k)] = trailShape(v, dates);
    }
    return out;
  }
  return value;
}

/** Integer-valued members of the query APIs (CloudTrail writes them as JSON numbers). */
const NUMERIC_MEMBER = /(Seconds|Duration|Count|MaxItems|MaxResults|MaxRecords|Age|Length|Prevention|Size)$/i;

/** Query values are text on the wire; CloudTrail shows booleans and integers as JSON types. */
function typedValue(key: string, value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (NUMERIC_MEMBER.test(key) && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

/** Query parameters nested back into objects and arrays (`A.member.1.B=x` → `{a:[{b:'x'}]}`). */
export function queryToObject(params: QueryParams): Record<string, unknown> | null {
  const root: Record<string, unknown> = {};
  for (const [key, value] of params.entries()) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.').filter((p) => p !== 'member' && p !== 'entry');
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const isIndex = /^\d+$/.test(part);
      const k = isIndex ? Number(part) - 1 : lowerFirst(part);
      const nextIsIndex = /^\d+$/.test(parts[i + 1] ?? '');
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[k] = typedValue(typeof k === 'string' ? k : '', value);
        return;
      }
      container[k] ??= nextIsIndex ? [] : {};
      node = container[k] as Record<string, unknown> | unknown[];
    });
  }
  return Object.keys(root).length ? root : null;
}

/** What the dispatcher knows about a finished call. */
export interface CallFacts {
  service: ServiceDef<unknown>;
  eventName: string;
  caller: Caller;
  region: string;
  req: SimHttpRequest;
  sourceIp: string;
  requestId: string;
  /** When the request arrived (CloudTrail's eventTime); the record's own time when unknown. */
  eventTime?: string | undefined;
  readOnly: boolean;
  dataEvent: boolean;
  /** The operation's own endpoint host, when it is not the service's. */
  endpointHost?: ((region: string) => string) | undefined;
  notes: TrailNotes;
  defaultRequestParameters: unknown;
  result: unknown;
  error?: { code: string; message: string } | undefined;
}

/** Build the CloudTrail record of a call (aws-facts §1.1). */
export function buildRecord(sim: SimState, facts: CallFacts): CloudTrailRecord {
  const { service, notes } = facts;
  const dates = service.trailDates ?? 'iso';
  const region = service.globalRegion ?? facts.region;
  const readOnly = notes.readOnly ?? facts.readOnly;
  const requestParameters =
    notes.requestParameters !== undefined
      ? notes.requestParameters
      : trailShape(facts.defaultRequestParameters, dates);
  const responseElements =
    notes.responseElements !== undefined
      ? notes.responseElements
      : facts.error ||
          readOnly ||
          facts.result === undefined ||
          facts.result === null ||
          typeof facts.result !== 'object'
        ? null
        : trailShape(facts.result, dates);
  const userAgent = facts.req.headers['user-agent'];
  const record: CloudTrailRecord = {
    eventVersion: '1.11',
    userIdentity: userIdentityOf(sim, facts.caller),
    eventTime: facts.eventTime ?? sim.nowIso(),
    eventSource: service.eventSource,
    eventName: notes.eventName ?? facts.eventName,
    awsRegion: region,
    sourceIPAddress: facts.sourceIp,
    ...(userAgent ? { userAgent: userAgent.slice(0, 1024) } : {}),
    ...(facts.error ? { errorCode: facts.error.code, errorMessage: facts.error.message.slice(0, 1024) } : {}),
    requestParameters: requestParameters ?? null,
    responseElements: responseElements ?? null,
    ...(notes.additionalEventData !== undefined ? { additionalEventData: notes.additionalEventData } : {}),
    requestID: facts.requestId,
    eventID: sim.ids.uuid(),
    readOnly,
    ...(notes.resources ? { resources: notes.resources } : {}),
    eventType: 'AwsApiCall',
    managementEvent: !facts.dataEvent,
    recipientAccountId: notes.recipientAccountId ?? facts.caller.accountId,
    eventCategory: facts.dataEvent ? 'Data' : 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: (facts.endpointHost ?? service.endpointHost)(region),
    },
  };
  return record;
}
