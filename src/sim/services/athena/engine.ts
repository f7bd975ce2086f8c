import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
// A known exception to the sim's independence: the double runs Trino's functions with the tool's
// own DuckDB macros, so a bug in one of them would look the same on both sides of the
// Athena-versus-local comparison. The table itself is read from its Glue declaration (hive.ts).
// eslint-disable-next-line no-restricted-imports
import { DIALECT_MACROS, DIALECT_SETTINGS } from '../../../store/dialect.js';
import { UnreadableFile, duckType, parseHiveType, tableRows } from './hive.js';
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
 * The view standing for a CloudTrail table, read the way Athena reads it: the columns the Glue
 * table declares, with their Hive types (a nested document in a `string` column is its JSON
 * text, struct fields matched by name whatever their case), then the partition columns. The
 * records are read here (hive.ts) and handed to DuckDB as newline-delimited JSON; nothing of the
 * tool's own schema is used, so the table the tool declares is what its queries get.
 */
async function createTableView(
  db: DuckDBConnection,
  dir: string,
  schema: string,
  table: GlueTable,
  files: TableFile[],
): Promise<void> {
  const serde = table.StorageDescriptor.SerdeInfo?.SerializationLibrary ?? '';
  if (!CLOUDTRAIL_SERDES.includes(serde))
    throw new AthenaQueryError(
      'HIVE_UNSUPPORTED_FORMAT',
      `the simulated Athena reads CloudTrail tables only (SerDe ${serde || 'none'})`,
    );
  const columns = table.StorageDescriptor.Columns.map((c) => {
    try {
      return { name: c.Name.toLowerCase(), type: parseHiveType(c.Type) };
    } catch (error) {
      throw new AthenaQueryError(
        'HIVE_INVALID_METADATA',
        error instanceof Error ? error.message : String(error),
      );
    }
  });
  const keys = table.PartitionKeys.map((k) => k.Name);
  const lines: string[] = [];
  for (const f of files) {
    let rows: Record<string, unknown>[];
    try {
      rows = tableRows(f.body, columns);
    } catch (error) {
      if (!(error instanceof UnreadableFile)) throw error;
      throw new AthenaQueryError(
        'HIVE_CURSOR_ERROR',
        `Row is not a valid JSON Object - s3://${f.bucket}/${f.key}`,
        1001,
      );
    }
    for (const row of rows) {
      for (const k of keys) row[k] = f.partition[k] ?? '';
      lines.push(JSON.stringify(row));
    }
  }
  const declared = [
    ...columns.map((c) => [c.name, duckType(c.type)] as const),
    ...keys.map((k) => [k, 'VARCHAR'] as const),
  ];
  let source: string;
  if (lines.length === 0) {
    source = `SELECT ${declared.map(([n, t]) => `CAST(NULL AS ${t}) AS ${ident(n)}`).join(', ')} WHERE false`;
  } else {
    const path = join(dir, `${schema}.${table.Name}.ndjson`);
    writeFileSync(path, lines.join('\n') + '\n');
    source = `SELECT * FROM read_json(${lit(path)}, format = 'newline_delimited', records = true, maximum_object_size = 268435456,
      columns = {${declared.map(([n, t]) => `${lit(n)}: ${lit(t)}`).join(', ')}})`;
  }
  await db.run(`CREATE VIEW ${ident(schema)}.${ident(table.Name)} AS ${source}`);
}

/** Athena's error for a DuckDB failure: the Trino error name and a message naming what is missing. */
function athenaError(message: string, database: string): AthenaQueryError {
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
  if (/^(Invalid Input Error|Conversion Error|IO Error)/.test(first))
    return new AthenaQueryError('HIVE_CURSOR_ERROR', first, 1001);
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
      await createTableView(db, dir, table.DatabaseName, table, files);
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
    throw athenaError(error instanceof Error ? error.message : String(error), database);
  } finally {
    db.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
