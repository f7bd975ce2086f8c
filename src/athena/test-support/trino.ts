import { Parser } from 'node-sql-parser/build/athena.js';

const parser = new Parser();

/**
 * Parse a statement as Athena (Trino) SQL with node-sql-parser's Athena grammar; throws the
 * parser's error when it is not valid there. (Test-only: it proves what Tourniquet sends is
 * Athena's dialect, not DuckDB's.)
 */
export function parseAthenaSql(sql: string): void {
  parser.astify(sql, { database: 'athena' });
}
