import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
// A known exception to the sim's independence: the double reads its table with the tool's own
// CloudTrail schema and Trino macros, so a bug in them would look the same on both sides of the
// Athena-versus-local comparison. An independent reading of AWS's documented table is still to do.
/* eslint-disable no-restricted-imports */
import { DIALECT_MACROS, DIALECT_SETTINGS } from '../../../store/dialect.js';
import { ATHENA_COLUMNS, COLUMN_DECLS, RECORD_READ_TYPE, type AthenaColumn } from '../../../store/schema.js';
/* eslint-enable no-restricted-imports */
import type { SimState } from '../../state.js';
import type { GlueState, GlueTable } from '../glue/index.js';
import { prunedFiles, tableFiles, type TableFile } from './tables.js';
import { trinoType, varchar } from './results.js';

/** What a query produced: Trino-typed columns and rows of text (null for SQL NULL). */
export interface QueryAnswer {
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
  scannedBytes: number;
}

/** A query Athena would refuse: the error code word, the message, and the error category/type. */
export class AthenaQueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errorType = 1000,
    readonly category = 2,
  ) {
    super(`${code}: ${message}`);
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function lit(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const CLOUDTRAIL_SERDES = [
  'org.apache.hive.hcatalog.data.JsonSerDe',
  'com.amazon.emr.hive.serde.CloudTrailSerde',
];

/**
 * The view standing for a CloudTrail table: its files read with DuckDB's JSON reader (the store's
 * record type, athena-duckdb.md §2.3), the declared columns, then the partition columns.
 */
async function createTableView(
  db: DuckDBConnection,
  dir: string,
  schema: string,
  table: GlueTable,
  files: TableFile[],
  urls: Map<string, string>,
): Promise<void> {
  const serde = table.StorageDescriptor.SerdeInfo?.SerializationLibrary ?? '';
  if (!CLOUDTRAIL_SERDES.includes(serde))
    throw new AthenaQueryError(
      'HIVE_UNSUPPORTED_FORMAT',
      `the simulated Athena reads CloudTrail tables only (SerDe ${serde || 'none'})`,
    );
  const paths = files.map((f, i) => {
    const path = join(dir, `${schema}.${table.Name}.${i}${f.key.endsWith('.gz') ? '.json.gz' : '.json'}`);
    writeFileSync(path, f.body);
    urls.set(path, `s3://${f.bucket}/${f.key}`);
    return path;
  });
  const filesTable = ident(`__files_${table.Name}`);
  const keys = table.PartitionKeys.map((k) => k.Name);
  await db.run(
    `CREATE TABLE ${ident(schema)}.${filesTable} (path VARCHAR, url VARCHAR${keys.map((k) => `, ${ident(k)} VARCHAR`).join('')})`,
  );
  for (const [i, f] of files.entries())
    await db.run(
      `INSERT INTO ${ident(schema)}.${filesTable} VALUES (${[paths[i]!, `s3://${f.bucket}/${f.key}`, ...keys.map((k) => f.partition[k] ?? '')].map(lit).join(', ')})`,
    );
  const known = new Set<string>(ATHENA_COLUMNS);
  const columns = table.StorageDescriptor.Columns.map((c) => {
    if (!known.has(c.Name)) return `CAST(NULL AS VARCHAR) AS ${ident(c.Name)}`;
    const d = COLUMN_DECLS[c.Name as AthenaColumn];
    const field = `j.r.${ident(d.key)}`;
    return d.read === d.type
      ? `${field} AS ${ident(c.Name)}`
      : `CAST(${field} AS ${d.type}) AS ${ident(c.Name)}`;
  });
  const source =
    paths.length === 0
      ? `SELECT CAST(NULL AS VARCHAR) AS filename, CAST(NULL AS ${RECORD_READ_TYPE}) AS r WHERE false`
      : `SELECT filename, unnest(Records) AS r FROM read_json([${paths.map(lit).join(', ')}],
          format = 'auto', compression = 'auto_detect', filename = true, maximum_object_size = 268435456,
          columns = {Records: '${RECORD_READ_TYPE}[]'})`;
  await db.run(
    `CREATE VIEW ${ident(schema)}.${ident(table.Name)} AS
     SELECT ${[...columns, ...keys.map((k) => `f.${ident(k)}`)].join(', ')}
     FROM (${source}) j JOIN ${ident(schema)}.${filesTable} f ON f.path = j.filename`,
  );
}

/** Athena's error for a DuckDB failure: the Trino error name and a message naming what is missing. */
function athenaError(message: string, database: string, urls: Map<string, string>): AthenaQueryError {
  const first = message.split('\n')[0]!;
  let m: RegExpExecArray | null;
  if ((m = /Table with name (\S+) does not exist/.exec(first)))
    return new AthenaQueryError(
      'TABLE_NOT_FOUND',
      `line 1:1: Table 'awsdatacatalog.${database}.${m[1]!}' does not exist`,
    );
  if ((m = /Schema with name (\S+) does not exist/.exec(first)))
    return new AthenaQueryError('SCHEMA_NOT_FOUND', `line 1:1: Schema '${m[1]!}' does not exist`);
  if ((m = /Referenced column "?([^"\s]+)"? not found/.exec(first)))
    return new AthenaQueryError('COLUMN_NOT_FOUND', `line 1:1: Column '${m[1]!}' cannot be resolved`);
  if ((m = /Function with name (\S+) does not exist/.exec(first)))
    return new AthenaQueryError('FUNCTION_NOT_FOUND', `line 1:1: Function '${m[1]!}' not registered`);
  if (/^Parser Error/.test(first))
    return new AthenaQueryError('SYNTAX_ERROR', `line 1:1: ${first.replace(/^Parser Error: /, '')}`);
  if (/^(Invalid Input Error|Conversion Error|IO Error)/.test(first)) {
    const file = [...urls.keys()].find((p) => message.includes(p));
    return new AthenaQueryError(
      'HIVE_CURSOR_ERROR',
      `Row is not a valid JSON Object${file ? ` - ${urls.get(file)!}` : ''}`,
      1001,
    );
  }
  return new AthenaQueryError('GENERIC_INTERNAL_ERROR', first, 200, 1);
}

/**
 * Run one SELECT the way Athena would over the simulated account's S3 objects: every catalog
 * table the query names becomes a DuckDB view over its files (partition projection honoured), the
 * query runs with the Trino-compatibility macros of the event store, and the answer comes back
 * as Athena's text values. Scanned bytes are the sizes of the files of the partitions the query
 * selects. Throws AthenaQueryError for what Athena would refuse.
 */
export async function runSelect(
  sim: SimState,
  glue: GlueState,
  region: string,
  database: string,
  query: string,
): Promise<QueryAnswer> {
  if (!/^\s*(\(\s*)*(SELECT|WITH|VALUES)\b/i.test(query.replace(/^\s*(--[^\n]*\n\s*)*/, '')))
    throw new AthenaQueryError(
      'NOT_SUPPORTED',
      'the simulated Athena runs SELECT queries only; create databases and tables with AWS Glue (CreateDatabase, CreateTable)',
    );
  const dir = mkdtempSync(join(tmpdir(), 'sim-athena-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const db = await instance.connect();
  const urls = new Map<string, string>();
  try {
    for (const sql of DIALECT_SETTINGS) await db.run(sql);
    for (const sql of DIALECT_MACROS) await db.run(sql);
    let scanned = 0;
    const schemas = new Set<string>();
    for (const [key, table] of Object.entries(glue.tables)) {
      if (!key.startsWith(`${region}/`) || !new RegExp(`\\b${table.Name}\\b`, 'i').test(query)) continue;
      if (!schemas.has(table.DatabaseName)) {
        await db.run(`CREATE SCHEMA ${ident(table.DatabaseName)}`);
        schemas.add(table.DatabaseName);
      }
      const files = prunedFiles(query, table, tableFiles(sim, table));
      await createTableView(db, dir, table.DatabaseName, table, files, urls);
      scanned += files.reduce((sum, f) => sum + f.size, 0);
    }
    if (schemas.has(database.toLowerCase())) await db.run(`SET schema = ${lit(database.toLowerCase())}`);
    const reader = await db.runAndReadAll(query);
    const types = reader.columnTypes().map((t) => trinoType(t.toString()));
    return {
      columns: reader.columnNames().map((name, i) => ({ name, type: types[i]! })),
      rows: reader.getRowsJson().map((row) => row.map((v, i) => varchar(v, types[i]!))),
      scannedBytes: scanned,
    };
  } catch (error) {
    if (error instanceof AthenaQueryError) throw error;
    // DuckDB reads the files' shape when the view is made, so a damaged file can fail either step.
    throw athenaError(error instanceof Error ? error.message : String(error), database, urls);
  } finally {
    db.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
