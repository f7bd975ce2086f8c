import { RECORD_READ_TYPE } from '../store/schema.js';

/**
 * The shape DuckDB's JSON reader accepts for one record, derived from the same type string the
 * reader is given (`RECORD_READ_TYPE`), so the record-by-record fallback rejects exactly what the
 * fast path would fail on: a STRUCT needs an object (or null), a list an array, a MAP an object;
 * VARCHAR and JSON take anything.
 */
type Shape =
  | { kind: 'any' }
  | { kind: 'struct'; fields: Map<string, Shape> }
  | { kind: 'list'; item: Shape }
  | { kind: 'map' };

/** Parse a DuckDB type string (the subset the schema uses). */
export function parseType(text: string): Shape {
  let pos = 0;
  const skip = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const word = (): string => {
    skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos));
    if (!m) throw new Error(`type parse error at ${pos} in ${text}`);
    pos += m[0].length;
    return m[0];
  };
  const expect = (ch: string): void => {
    skip();
    if (text[pos] !== ch) throw new Error(`expected ${ch} at ${pos} in ${text}`);
    pos++;
  };
  const parse = (): Shape => {
    const name = word().toUpperCase();
    let shape: Shape;
    if (name === 'STRUCT') {
      expect('(');
      const fields = new Map<string, Shape>();
      for (;;) {
        const field = word();
        fields.set(field, parse());
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        expect(')');
        break;
      }
      shape = { kind: 'struct', fields };
    } else if (name === 'MAP') {
      expect('(');
      parse();
      expect(',');
      parse();
      expect(')');
      shape = { kind: 'map' };
    } else {
      shape = { kind: 'any' };
    }
    skip();
    while (text.startsWith('[]', pos)) {
      pos += 2;
      shape = { kind: 'list', item: shape };
      skip();
    }
    return shape;
  };
  return parse();
}

const RECORD_SHAPE = parseType(RECORD_READ_TYPE);

/** Why a parsed record does not fit the reader's shape (`userIdentity: expected an object, got string`), or null. */
export function shapeProblem(record: unknown): string | null {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return `record is ${describe(record)}, not a JSON object`;
  }
  return check(record, RECORD_SHAPE, '');
}

function check(value: unknown, shape: Shape, at: string): string | null {
  if (value === null || value === undefined || shape.kind === 'any') return null;
  switch (shape.kind) {
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value))
        return `${at}: expected an object, got ${describe(value)}`;
      const obj = value as Record<string, unknown>;
      for (const [field, sub] of shape.fields) {
        const problem = check(obj[field], sub, at ? `${at}.${field}` : field);
        if (problem) return problem;
      }
      return null;
    }
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value))
        return `${at}: expected an object, got ${describe(value)}`;
      return null;
    case 'list': {
      if (!Array.isArray(value)) return `${at}: expected an array, got ${describe(value)}`;
      for (let i = 0; i < value.length; i++) {
        const problem = check(value[i], shape.item, `${at}[${i}]`);
        if (problem) return problem;
      }
      return null;
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The same shape test as `shapeProblem`, as SQL over a record's raw JSON `j`: the reason a record
 * does not fit (`wrong type: userIdentity: expected an object`), or NULL. Used where records are
 * read as raw JSON first (the key prefilter) and typed afterwards with the lenient
 * `json_transform`, which would otherwise null a mistyped field silently. Items of a list are
 * checked for their own kind only (the schema has no structs nested inside list items).
 */
export function shapeCheckSql(j: string): string {
  const checks: string[] = [];
  const walk = (shape: Shape, path: string, label: string): void => {
    if (shape.kind === 'struct') {
      for (const [field, sub] of shape.fields) {
        const childPath = `${path}.${field}`;
        const childLabel = label ? `${label}.${field}` : field;
        if (sub.kind === 'any') continue;
        const want = sub.kind === 'list' ? 'ARRAY' : 'OBJECT';
        const noun = sub.kind === 'list' ? 'an array' : 'an object';
        checks.push(
          `WHEN coalesce(json_type(${j}, '${childPath}'), 'NULL') NOT IN ('${want}', 'NULL') ` +
            `THEN 'wrong type: ${childLabel}: expected ${noun}'`,
        );
        if (sub.kind === 'struct') walk(sub, childPath, childLabel);
        if (sub.kind === 'list' && sub.item.kind !== 'any') {
          const itemWant = sub.item.kind === 'list' ? 'ARRAY' : 'OBJECT';
          checks.push(
            `WHEN NOT coalesce(list_bool_and(list_transform(coalesce(json_extract(${j}, '${childPath}[*]'), []), ` +
              `x -> coalesce(json_type(x), 'NULL') IN ('${itemWant}', 'NULL'))), true) ` +
              `THEN 'wrong type: ${childLabel}[]: expected ${sub.item.kind === 'list' ? 'arrays' : 'objects'}'`,
          );
        }
      }
    }
  };
  walk(RECORD_SHAPE, '$', '');
  return `(CASE WHEN json_type(${j}) <> 'OBJECT' THEN 'record is not a JSON object' ${checks.join(' ')} END)`;
}
