import { lit } from '../sql.js';

/** A Sigma field resolved to a SQL expression over `cloudtrail_events`, or the reason it cannot be. */
export type FieldResult = { ok: true; sql: string; isEventName: boolean } | { ok: false; reason: string };

/** Top-level record keys stored as plain columns (Athena names are the lower-cased keys). */
const SCALAR_COLUMNS = new Set([
  'eventversion',
  'eventtime',
  'eventsource',
  'eventname',
  'awsregion',
  'sourceipaddress',
  'useragent',
  'errorcode',
  'errormessage',
  'requestid',
  'eventid',
  'eventtype',
  'apiversion',
  'readonly',
  'recipientaccountid',
  'sharedeventid',
  'vpcendpointid',
  'vpcendpointaccountid',
  'eventcategory',
  'sessioncredentialfromconsole',
]);

/** Columns holding JSON text: a sub-path is read with json_extract_scalar, the whole as text. */
const JSON_COLUMNS = new Set([
  'requestparameters',
  'responseelements',
  'additionaleventdata',
  'serviceeventdetails',
  'edgedevicedetails',
]);

/** Struct columns and the nested fields the store declares (src/store/schema.ts). */
const STRUCT_FIELDS = new Set([
  'useridentity.type',
  'useridentity.principalid',
  'useridentity.arn',
  'useridentity.accountid',
  'useridentity.invokedby',
  'useridentity.accesskeyid',
  'useridentity.username',
  'useridentity.onbehalfof.userid',
  'useridentity.onbehalfof.identitystorearn',
  'useridentity.sessioncontext.attributes.mfaauthenticated',
  'useridentity.sessioncontext.attributes.creationdate',
  'useridentity.sessioncontext.sessionissuer.type',
  'useridentity.sessioncontext.sessionissuer.principalid',
  'useridentity.sessioncontext.sessionissuer.arn',
  'useridentity.sessioncontext.sessionissuer.accountid',
  'useridentity.sessioncontext.sessionissuer.username',
  'useridentity.sessioncontext.ec2roledelivery',
  'useridentity.sessioncontext.webidfederationdata.federatedprovider',
  'tlsdetails.tlsversion',
  'tlsdetails.ciphersuite',
  'tlsdetails.clientprovidedhostheader',
  'addendum.reason',
  'addendum.updatedfields',
  'addendum.originalrequestid',
  'addendum.originaleventid',
]);

/** Map a Sigma field path (CloudTrail's camelCase keys, dotted) to SQL. */
export function resolveField(field: string): FieldResult {
  const parts = field.split('.');
  const head = parts[0]!.toLowerCase();
  if (parts.length === 1 && SCALAR_COLUMNS.has(head)) {
    return { ok: true, sql: head, isEventName: head === 'eventname' };
  }
  if (JSON_COLUMNS.has(head)) {
    if (parts.length === 1) return { ok: true, sql: head, isEventName: false };
    const path = parts.slice(1).map(jsonSegment).join('');
    // Scalars come back as text; objects and arrays as their JSON text (json_format: Trino casts
    // only JSON scalars to VARCHAR), so `contains` still works on them.
    const at = lit(`$${path}`);
    return {
      ok: true,
      sql: `coalesce(json_extract_scalar(${head}, ${at}), json_format(json_extract(${head}, ${at})))`,
      isEventName: false,
    };
  }
  const lower = field.toLowerCase();
  if (STRUCT_FIELDS.has(lower)) return { ok: true, sql: lower, isEventName: false };
  if (head === 'useridentity' || head === 'tlsdetails' || head === 'addendum') {
    return { ok: false, reason: `field ${field} is not a column of the event table` };
  }
  if (head === 'resources') {
    return {
      ok: false,
      reason: `field ${field} is inside the resources array (no portable per-element match)`,
    };
  }
  return { ok: false, reason: `field ${field} is not a CloudTrail record field` };
}

function jsonSegment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `["${key.replace(/"/g, '')}"]`;
}
