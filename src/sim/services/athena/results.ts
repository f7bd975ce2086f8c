import type { Json } from '@duckdb/node-api';

/** Trino's name for a DuckDB result type, as Athena's ColumnInfo.Type gives it. */
export function trinoType(duck: string): string {
  const t = duck.toUpperCase();
  if (t === 'VARCHAR') return 'varchar';
  if (t === 'BIGINT' || t === 'HUGEINT' || t === 'UBIGINT') return 'bigint';
  if (t === 'INTEGER' || t === 'UINTEGER') return 'integer';
  if (t === 'SMALLINT' || t === 'TINYINT') return 'smallint';
  if (t === 'DOUBLE') return 'double';
  if (t === 'FLOAT') return 'real';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (t === 'JSON') return 'json';
  if (t.startsWith('DECIMAL')) return t.toLowerCase();
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'timestamp(3) with time zone';
  if (t.startsWith('TIMESTAMP')) return 'timestamp(3)';
  if (t.endsWith('[]')) return 'array';
  if (t.startsWith('STRUCT')) return 'row';
  if (t.startsWith('MAP')) return 'map';
  return 'varchar';
}

/** Trino's text of a nested value (`{a=1, b=x}` for rows and maps, `[1, 2]` for arrays). */
function nested(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(nested).join(', ')}]`;
  if (typeof value === 'object') {
    // DuckDB's JSON form of a MAP is a list of {key, value} entries.
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${nested(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** A value as Athena's GetQueryResults and CSV give it (text; null stays null). */
export function varchar(value: Json, type: string): string | null {
  if (value === null) return null;
  if (type.startsWith('timestamp') && typeof value === 'string') {
    // DuckDB: 2026-01-01 08:00:00.5+00 → Trino: 2026-01-01 08:00:00.500 UTC
    const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(value);
    if (m) return `${m[1]!}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${type.includes('zone') ? ' UTC' : ''}`;
  }
  if (typeof value === 'object') return nested(value);
  return String(value);
}

/** Athena's result CSV: a header, then every value in double quotes; NULL is an empty field. */
export function toCsv(columns: string[], rows: (string | null)[][]): string {
  const field = (v: string | null): string => (v === null ? '' : `"${v.replace(/"/g, '""')}"`);
  return [columns.map(field), ...rows.map((r) => r.map(field))].map((line) => `${line.join(',')}\n`).join('');
}

/** Parse Athena's result CSV back into rows (header included); an unquoted empty field is NULL. */
export function fromCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let value: string | null = null;
    if (text[i] === '"') {
      value = '';
      i++;
      for (;;) {
        const end = text.indexOf('"', i);
        if (end < 0) throw new Error('unterminated quoted field in result CSV');
        value += text.slice(i, end);
        i = end + 1;
        if (text[i] !== '"') break;
        value += '"';
        i++;
      }
    }
    row.push(value);
    if (text[i] === ',') {
      i++;
    } else if (text[i] === '\n' || i >= text.length) {
      rows.push(row);
      row = [];
      i++;
    } else {
      throw new Error(`unexpected character in result CSV at offset ${i}`);
    }
  }
  return rows;
}
