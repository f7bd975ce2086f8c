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
