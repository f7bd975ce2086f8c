import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
// The Trino functions DuckDB lacks come from the event store's shims, as for the Athena double
// (see services/athena/engine.ts); the Lake schema and the rows below are the simulator's own.
/* eslint-disable no-restricted-imports */
import { DIALECT_MACROS, DIALECT_SETTINGS } from '../../../store/dialect.js';
/* eslint-enable no-restricted-imports */
import { trinoType, varchar } from '../../services/athena/results.js';
import type { CloudTrailRecord } from '../model.js';

/**
 * The Lake table of CloudTrail events (CloudTrail UG "Supported SQL schemas for event data
 * stores"), in DuckDB types: `eventtime` a timestamp, `readonly` and `managementevent` booleans,
 * the JSON documents `map<string,string>`. (The guide spells one field `credentiaisissuedto`; the
 * record's key is `credentialsIssuedTo`.)
 */
const LAKE_COLUMNS: [string, string][] = [
  ['eventversion', 'VARCHAR'],
  [
    'useridentity',
    'STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, accesskeyid VARCHAR, ' +
      'username VARCHAR, sessioncontext STRUCT(attributes STRUCT(creationdate TIMESTAMP, mfaauthenticated VARCHAR), ' +
      'sessionissuer STRUCT(type VARCHAR, principalid VARCHAR, arn VARCHAR, accountid VARCHAR, username VARCHAR), ' +
      'webidfederationdata STRUCT(federatedprovider VARCHAR, attributes MAP(VARCHAR, VARCHAR)), ' +
      'sourceidentity VARCHAR, ec2roledelivery VARCHAR, ec2issuedinvpc VARCHAR), ' +
      'onbehalfof STRUCT(userid VARCHAR, identitystorearn VARCHAR), inscopeof STRUCT(sourcearn VARCHAR, ' +
      'sourceaccount VARCHAR, issuertype VARCHAR, credentialsissuedto VARCHAR), invokedby VARCHAR, identityprovider VARCHAR)',
  ],
  ['eventtime', 'TIMESTAMP'],
  ['eventsource', 'VARCHAR'],
  ['eventname', 'VARCHAR'],
  ['awsregion', 'VARCHAR'],
  ['sourceipaddress', 'VARCHAR'],
  ['useragent', 'VARCHAR'],
  ['errorcode', 'VARCHAR'],
  ['errormessage', 'VARCHAR'],
  ['requestparameters', 'MAP(VARCHAR, VARCHAR)'],
  ['responseelements', 'MAP(VARCHAR, VARCHAR)'],
  ['additionaleventdata', 'MAP(VARCHAR, VARCHAR)'],
  ['requestid', 'VARCHAR'],
  ['eventid', 'VARCHAR'],
  ['readonly', 'BOOLEAN'],
  ['resources', 'STRUCT(accountid VARCHAR, type VARCHAR, arn VARCHAR, arnprefix VARCHAR)[]'],
  ['eventtype', 'VARCHAR'],
  ['apiversion', 'VARCHAR'],
  ['managementevent', 'BOOLEAN'],
  ['recipientaccountid', 'VARCHAR'],
  ['sharedeventid', 'VARCHAR'],
  ['annotation', 'VARCHAR'],
  ['vpcendpointid', 'VARCHAR'],
  ['vpcendpointaccountid', 'VARCHAR'],
  ['serviceeventdetails', 'MAP(VARCHAR, VARCHAR)'],
  ['addendum', 'MAP(VARCHAR, VARCHAR)'],
  ['edgedevicedetails', 'MAP(VARCHAR, VARCHAR)'],
  ['insightdetails', 'MAP(VARCHAR, VARCHAR)'],
  ['eventcategory', 'VARCHAR'],
  ['tlsdetails', 'STRUCT(tlsversion VARCHAR, ciphersuite VARCHAR, clientprovidedhostheader VARCHAR)'],
  ['sessioncredentialfromconsole', 'VARCHAR'],
  ['eventjson', 'VARCHAR'],
  ['eventjsonchecksum', 'VARCHAR'],
];

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };

/**
 * A JSON document as a Lake `map<string,string>`: its top-level keys, text values as they are,
 * every other value (numbers, booleans, objects, arrays) as its JSON text. How Lake itself writes
 * nested values in these maps is not documented; JSON text is assumed.
 */
function asMap(doc: unknown): Record<string, string | null> | null {
  if (doc === null || doc === undefined || typeof doc !== 'object' || Array.isArray(doc)) return null;
  return Object.fromEntries(
    Object.entries(doc as Record<string, unknown>).map(([k, v]) => [
      k,
      v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
}

/** A struct's fields under lower-case names, recursively; `webIdFederationData.attributes` is a map and keeps its keys. */
function lowerKeys(value: unknown, path = ''): Json {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => lowerKeys(v, path));
  if (typeof value !== 'object' || path.endsWith('webIdFederationData.attributes')) return value as Json;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k.toLowerCase(),
      lowerKeys(v, `${path}.${k}`),
    ]),
  );
}

/** `2026-02-02T08:00:00Z` as DuckDB's TIMESTAMP text. */
function timestampText(iso: unknown): string | null {
  return typeof iso === 'string' && iso
    ? new Date(iso).toISOString().replace('T', ' ').replace('Z', '')
    : null;
}

/** One record as a row of the Lake table (lower-case names, Lake's types). */
function lakeRow(r: CloudTrailRecord): Record<string, Json> {
  const identity = lowerKeys(r.userIdentity) as Record<string, Json>;
  const session = identity.sessioncontext as Record<string, Json> | undefined;
  const attributes = session?.attributes as Record<string, Json> | undefined;
  if (attributes) attributes.creationdate = timestampText(attributes.creationdate);
  const event = JSON.stringify(r);
  return {
    eventversion: r.eventVersion,
    useridentity: identity,
    eventtime: timestampText(r.eventTime),
    eventsource: r.eventSource,
    eventname: r.eventName,
    awsregion: r.awsRegion,
    sourceipaddress: r.sourceIPAddress,
    useragent: r.userAgent ?? null,
    errorcode: r.errorCode ?? null,
    errormessage: r.errorMessage ?? null,
    requestparameters: asMap(r.requestParameters),
    responseelements: asMap(r.responseElements),
    additionaleventdata: asMap(r.additionalEventData),
    requestid: r.requestID ?? null,
    eventid: r.eventID,
    readonly: r.readOnly ?? null,
    resources:
      (r.resources ?? null)?.map((x) => ({
        accountid: x.accountId ?? null,
        type: x.type ?? null,
        arn: x.ARN ?? null,
        arnprefix: null,
      })) ?? null,
    eventtype: r.eventType,
    apiversion: r.apiVersion ?? null,
    managementevent: r.managementEvent,
    recipientaccountid: r.recipientAccountId,
    sharedeventid: r.sharedEventID ?? null,
    eventcategory: r.eventCategory,
    tlsdetails: lowerKeys(r.tlsDetails),
    sessioncredentialfromconsole: r.sessionCredentialFromConsole ?? null,
    eventjson: event,
    eventjsonchecksum: null,
  };
}

/** A table of events: the store's id (what FROM names) and the events it holds. */
export interface LakeTable {
  id: string;
  events: CloudTrailRecord[];
}

/** A statement Lake refuses when it is started (InvalidQueryStatementException). */
export class LakeStatementError extends Error {}

/** What a query produced: rows of `{column: text}` and what it read. */
export interface LakeAnswer {
  rows: Record<string, string>[][];
  eventsScanned: number;
  bytesScanned: number;
  executionMs: number;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The statement with every bare mention of a store id quoted (Lake takes `FROM <id>` unquoted). */
function quoteStoreIds(statement: string, ids: string[]): string {
  let out = statement;
  for (const id of ids)
    out = out.replace(new RegExp(`(?<!["\\w-])${id.replace(/[-]/g, '\\-')}(?![\\w"-])`, 'g'), ident(id));
  return out;
}

/** Lake's words for what DuckDB could not plan: the first line, with Trino's `Column 'x' cannot be resolved`. */
function statementMessage(message: string): string {
  const first = message.split('\n')[0]!;
  const column = /Referenced column "?([^"\s]+)"? not found/.exec(first);
  if (column) return `Column '${column[1]!}' cannot be resolved`;
  const fn = /Function with name (\S+) does not exist/.exec(first);
  if (fn) return `Function '${fn[1]!}' not registered`;
  return first.replace(/^(Parser|Binder|Catalog) Error: /, '');
}

/**
 * A DuckDB database holding each table's events in the Lake schema (one table per store, named
 * by its id), with the Trino-compatibility macros; `prepare` checks a statement as Lake does when
 * it is started (syntax, tables, columns, functions: LakeStatementError), `run` runs it.
 */
export class LakeDatabase {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    private readonly statement: string,
    private readonly scanned: { events: number; bytes: number },
  ) {}

  /** Load the tables and check the statement; throws LakeStatementError for a statement Lake refuses. */
  static async open(tables: LakeTable[], statement: string): Promise<LakeDatabase> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const db = await instance.connect();
    const dir = mkdtempSync(join(tmpdir(), 'sim-lake-'));
    let bytes = 0;
    let events = 0;
    try {
      for (const sql of DIALECT_SETTINGS) await db.run(sql);
      for (const sql of DIALECT_MACROS) await db.run(sql);
      const columns = `{${LAKE_COLUMNS.map(([n, t]) => `${n}: '${t}'`).join(', ')}}`;
      for (const [i, t] of tables.entries()) {
        const lines = t.events.map((e) => JSON.stringify(lakeRow(e)));
        // Billing counts the events' bytes: their JSON as delivered, one by one.
        bytes += t.events.reduce((s, e) => s + Buffer.byteLength(JSON.stringify(e)), 0);
        events += t.events.length;
        const file = join(dir, `${i}.ndjson`);
        writeFileSync(file, lines.join('\n'));
        await db.run(
          lines.length === 0
            ? `CREATE TABLE ${ident(t.id)} (${LAKE_COLUMNS.map(([n, ty]) => `${n} ${ty}`).join(', ')})`
            : `CREATE TABLE ${ident(t.id)} AS SELECT * FROM read_json('${file}', format = 'newline_delimited', records = true, columns = ${columns})`,
        );
      }
    } catch (error) {
      db.closeSync();
      instance.closeSync();
      throw error;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const sql = quoteStoreIds(
      statement,
      tables.map((t) => t.id),
    );
    const opened = new LakeDatabase(instance, db, sql, { events, bytes });
    try {
      await db.prepare(sql);
    } catch (error) {
      opened.close();
      throw new LakeStatementError(statementMessage(error instanceof Error ? error.message : String(error)));
    }
    return opened;
  }

  /** Run the statement: rows of `{column: Lake's text}` (NULL values left out), what it read, how long. */
  async run(): Promise<LakeAnswer> {
    const began = Date.now();
    const reader = await this.db.runAndReadAll(this.statement);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => trinoType(t.toString()));
    const rows = reader.getRowsJson().map((row) =>
      row.flatMap((v, i) => {
        const text = varchar(v, types[i]!);
        return text === null ? [] : [{ [names[i]!]: text }];
      }),
    );
    return {
      rows,
      eventsScanned: this.scanned.events,
      bytesScanned: this.scanned.bytes,
      executionMs: Date.now() - began,
    };
  }

  close(): void {
    this.db.closeSync();
    this.instance.closeSync();
  }
}
