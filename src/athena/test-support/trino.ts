import { TrinoSQL } from 'dt-sql-parser';

const trino = new TrinoSQL();

/**
 * Parse a statement as Trino (Athena engine 3) SQL with DTStack's dt-sql-parser, whose grammar is
 * Trino's own (SqlBase.g4) generated with ANTLR; throws with the first syntax error when it is
 * not valid there. (Test-only: it proves what Tourniquet sends is Athena's dialect, not DuckDB's.
 * node-sql-parser's Athena grammar, used before, refused valid Trino the rules need: `LIKE …
 * ESCAPE`, a `||` operand of LIKE, a field of `element_at(…)`.)
 */
export function parseAthenaSql(sql: string): void {
  const errors = trino.validate(sql);
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new Error(`line ${e.startLine}:${e.startColumn}: ${e.message}`);
  }
}
