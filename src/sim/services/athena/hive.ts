import { gunzipSync } from 'node:zlib';

/**
 * A Hive column type as a Glue table declares it (`string`, `bigint`, `struct<a:string,…>`,
 * `array<…>`, `map<string,string>`), parsed.
 */
export type HiveType =
  | { kind: 'scalar'; name: string }
  | { kind: 'struct'; fields: [name: string, type: HiveType][] }
  | { kind: 'array'; of: HiveType }
  | { kind: 'map'; key: HiveType; value: HiveType };

/** Hive's scalar types and the DuckDB types that hold them. */
const SCALARS: Record<string, string> = {
  string: 'VARCHAR',
  varchar: 'VARCHAR',
  char: 'VARCHAR',
  boolean: 'BOOLEAN',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

/** Parse a Hive type string; throws on anything Glue would not have taken. */
export function parseHiveType(text: string): HiveType {
  let at = 0;
  const s = text.replace(/\s+/g, '').toLowerCase();
  const expect = (c: string) => {
    if (s[at] !== c) throw new Error(`bad Hive type ${text}: expected '${c}' at ${at}`);
    at += 1;
  };
  const word = (): string => {
    const m = /^[a-z_][a-z0-9_]*/.exec(s.slice(at));
    if (!m) throw new Error(`bad Hive type ${text}: a name expected at ${at}`);
    at += m[0].length;
    return m[0];
  };
  const type = (): HiveType => {
    const name = word();
    if (name === 'struct') {
      expect('<');
      const fields: [string, HiveType][] = [];
      for (;;) {
        const field = word();
        expect(':');
        fields.push([field, type()]);
        if (s[at] === ',') at += 1;
        else break;
      }
      expect('>');
      return { kind: 'struct', fields };
    }
    if (name === 'array') {
      expect('<');
      const of = type();
      expect('>');
      return { kind: 'array', of };
    }
    if (name === 'map') {
      expect('<');
      const key = type();
      expect(',');
      const value = type();
      expect('>');
      return { kind: 'map', key, value };
    }
    // varchar(65535), decimal(10,2): the size does not change how JSON is read here.
    if (s[at] === '(') at = s.indexOf(')', at) + 1;
    if (!(name in SCALARS)) throw new Error(`bad Hive type ${text}: unknown type ${name}`);
    return { kind: 'scalar', name };
  };
  const parsed = type();
  if (at !== s.length) throw new Error(`bad Hive type ${text}: unexpected text at ${at}`);
  return parsed;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The DuckDB type holding a Hive type. */
export function duckType(t: HiveType): string {
  switch (t.kind) {
    case 'scalar':
      return SCALARS[t.name]!;
    case 'struct':
      return `STRUCT(${t.fields.map(([n, f]) => `${quote(n)} ${duckType(f)}`).join(', ')})`;
    case 'array':
      return `${duckType(t.of)}[]`;
    case 'map':
      return `MAP(${duckType(t.key)}, ${duckType(t.value)})`;
  }
}

/** An object's value for a field named case-insensitively, as Hive's JSON SerDe matches them. */
function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : obj[key];
}

/**
 * A JSON value read as a Hive type, the way the JSON SerDe does: a `string` column takes any
 * value as text (a nested document as its JSON), a struct takes its fields by name whatever
 * their case, a value of the wrong shape for a struct, array or map is NULL.
 */
export function conform(value: unknown, t: HiveType): unknown {
  if (value === undefined || value === null) return null;
  switch (t.kind) {
    case 'scalar':
      if (SCALARS[t.name] === 'VARCHAR') return typeof value === 'string' ? value : JSON.stringify(value);
      if (SCALARS[t.name] === 'BOOLEAN')
        return typeof value === 'boolean'
          ? value
          : value === 'true'
            ? true
            : value === 'false'
              ? false
              : null;
      return typeof value === 'object' ? null : value;
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return null;
      const obj = value as Record<string, unknown>;
      return Object.fromEntries(t.fields.map(([n, f]) => [n, conform(field(obj, n), f)]));
    }
    case 'array':
      return Array.isArray(value) ? value.map((v) => conform(v, t.of)) : null;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return null;
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, conform(v, t.value)]),
      );
  }
}

/** A file that is not CloudTrail's JSON, with why (Athena answers HIVE_CURSOR_ERROR). */
export class UnreadableFile extends Error {}

/**
 * The records of one CloudTrail delivery file (gzip or plain JSON, `{"Records": [...]}`), each
 * read as the table's columns. Throws UnreadableFile for a damaged file.
 */
export function tableRows(
  body: Buffer,
  columns: { name: string; type: HiveType }[],
): Record<string, unknown>[] {
  let doc: unknown;
  try {
    const text = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString('utf8');
    doc = JSON.parse(text);
  } catch (error) {
    throw new UnreadableFile(error instanceof Error ? error.message : String(error));
  }
  const records = (doc as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) throw new UnreadableFile('no Records array');
  return records.map((r) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      throw new UnreadableFile('a record is not an object');
    const record = r as Record<string, unknown>;
    return Object.fromEntries(columns.map((c) => [c.name, conform(field(record, c.name), c.type)]));
  });
}
