/**
 * The event store's table: the Athena CloudTrail table's columns (lower-case names, JSON fields
 * kept as text, `useridentity`/`resources`/`tlsdetails` as structs; see the reference
 * athena-duckdb.md §1–2) plus a typed timestamp and provenance. Queries elsewhere use only these
 * names, in the SQL subset DuckDB and Athena share.
 */
export const EVENTS_TABLE = 'cloudtrail_events';

/** Athena DDL column names, in DDL order. */
export const ATHENA_COLUMNS = [
  'eventversion',
  'useridentity',
  'eventtime',
  'eventsource',
  'eventname',
  'awsregion',
  'sourceipaddress',
  'useragent',
  'errorcode',
  'errormessage',
  'requestparameters',
  'responseelements',
  'additionaleventdata',
  'requestid',
  'eventid',
  'resources',
  'eventtype',
  'apiversion',
  'readonly',
  'recipientaccountid',
  'serviceeventdetails',
  'sharedeventid',
  'vpcendpointid',
  'vpcendpointaccountid',
  'eventcategory',
  'addendum',
  'sessioncredentialfromconsole',
  'edgedevicedetails',
  'tlsdetails',
] as const;

/** Columns the store adds: typed event time (UTC) and where each record came from. */
export const EXTRA_COLUMNS = ['eventts', 'sourcekind', 'sourceref', 'ingestid'] as const;

export type AthenaColumn = (typeof ATHENA_COLUMNS)[number];

/** Where a record came from (the `sourcekind` column). */
export const SOURCE_KINDS = ['file', 's3', 'lookup-events', 'lake'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/**
 * How each Athena column is read from a CloudTrail record. `key` is the record's JSON key
 * (case-exact: DuckDB matches JSON keys to struct fields case-sensitively, athena-duckdb.md §0.1),
 * `read` the type DuckDB's reader is given (JSON = kept as text; auto-detection explodes on
 * CloudTrail's thousands of request shapes), `type` the stored column type with lower-case
 * struct fields (a CAST renames struct fields by name, case-insensitively).
 */
interface ColumnDecl {
  key: string;
  read: string;
  type: string;
}

const V = 'VARCHAR';
const plain = (key: string): ColumnDecl => ({ key, read: V, type: V });
const json = (key: string): ColumnDecl => ({ key, read: 'JSON', type: V });

const SESSION_ISSUER =
  'STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR)';
const USER_IDENTITY_READ =
  'STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR, ' +
  'accessKeyId VARCHAR, userName VARCHAR, onBehalfOf STRUCT(userId VARCHAR, identityStoreArn VARCHAR), ' +
  'sessionContext STRUCT(attributes STRUCT(mfaAuthenticated VARCHAR, creationDate VARCHAR), ' +
  `sessionIssuer ${SESSION_ISSUER}, ec2RoleDelivery VARCHAR, ` +
  'webIdFederationData STRUCT(federatedProvider VARCHAR, attributes MAP(VARCHAR, VARCHAR))))';

/** The column declarations, keyed by Athena column name, in DDL order. */
export const COLUMN_DECLS: Record<AthenaColumn, ColumnDecl> = {
  eventversion: plain('eventVersion'),
  useridentity: { key: 'userIdentity', read: USER_IDENTITY_READ, type: USER_IDENTITY_READ.toLowerCase() },
  eventtime: plain('eventTime'),
  eventsource: plain('eventSource'),
  eventname: plain('eventName'),
  awsregion: plain('awsRegion'),
  sourceipaddress: plain('sourceIPAddress'),
  useragent: plain('userAgent'),
  errorcode: plain('errorCode'),
  errormessage: plain('errorMessage'),
  requestparameters: json('requestParameters'),
  responseelements: json('responseElements'),
  additionaleventdata: json('additionalEventData'),
  requestid: plain('requestID'),
  eventid: plain('eventID'),
  resources: {
    key: 'resources',
    read: 'STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[]',
    type: 'STRUCT(arn VARCHAR, accountid VARCHAR, type VARCHAR)[]',
  },
  eventtype: plain('eventType'),
  apiversion: plain('apiVersion'),
  readonly: plain('readOnly'),
  recipientaccountid: plain('recipientAccountId'),
  serviceeventdetails: json('serviceEventDetails'),
  sharedeventid: plain('sharedEventID'),
  vpcendpointid: plain('vpcEndpointId'),
  vpcendpointaccountid: plain('vpcEndpointAccountId'),
  eventcategory: plain('eventCategory'),
  addendum: {
    key: 'addendum',
    read: 'STRUCT(reason VARCHAR, updatedFields VARCHAR, originalRequestID VARCHAR, originalEventID VARCHAR)',
    type: 'STRUCT(reason VARCHAR, updatedfields VARCHAR, originalrequestid VARCHAR, originaleventid VARCHAR)',
  },
  sessioncredentialfromconsole: plain('sessionCredentialFromConsole'),
  edgedevicedetails: json('edgeDeviceDetails'),
  tlsdetails: {
    key: 'tlsDetails',
    read: 'STRUCT(tlsVersion VARCHAR, cipherSuite VARCHAR, clientProvidedHostHeader VARCHAR)',
    type: 'STRUCT(tlsversion VARCHAR, ciphersuite VARCHAR, clientprovidedhostheader VARCHAR)',
  },
};

/** The DuckDB type of one CloudTrail record as the JSON reader is asked to read it. */
export const RECORD_READ_TYPE = `STRUCT(${ATHENA_COLUMNS.map((c) => `${COLUMN_DECLS[c].key} ${COLUMN_DECLS[c].read}`).join(', ')})`;

/** `CREATE TABLE` for the event table (no index: uniqueness by event id is kept by the loader). */
export const CREATE_EVENTS_TABLE =
  `CREATE TABLE IF NOT EXISTS ${EVENTS_TABLE} (\n` +
  [
    ...ATHENA_COLUMNS.map((c) => `  ${c} ${COLUMN_DECLS[c].type}`),
    '  eventts TIMESTAMPTZ NOT NULL',
    '  sourcekind VARCHAR NOT NULL',
    '  sourceref VARCHAR',
    '  ingestid VARCHAR NOT NULL',
  ].join(',\n') +
  '\n)';

/**
 * The SELECT list turning a record struct `r` (read with RECORD_READ_TYPE) into the table's
 * Athena columns: structs cast to their lower-case names, JSON fields kept as text.
 */
export function athenaSelectList(r: string): string {
  return ATHENA_COLUMNS.map((c) => {
    const d = COLUMN_DECLS[c];
    const field = `${r}."${d.key}"`;
    if (d.read === d.type) return `${field} AS ${c}`;
    return `CAST(${field} AS ${d.type}) AS ${c}`;
  }).join(',\n  ');
}
