import type { QueryParams } from '../../core/params.js';
import { intOf } from './parse.js';
import type { Wire, WireObject } from './model.js';

/**
 * A request structure declared once: query member name → wire name and type, read into the
 * response shape (EC2 answers with other names: `SecurityGroupId.N` → `securityGroupIdSet`).
 */
export type FieldType = 'string' | 'boolean' | 'integer' | { struct: Schema } | { list: 'string' | Schema };
export type Schema = Record<string, { wire: string; type: FieldType }>;

/** Shorthands for schema fields. */
export const f = {
  str: (wire: string) => ({ wire, type: 'string' as const }),
  bool: (wire: string) => ({ wire, type: 'boolean' as const }),
  int: (wire: string) => ({ wire, type: 'integer' as const }),
  struct: (wire: string, struct: Schema) => ({ wire, type: { struct } }),
  list: (wire: string, list: 'string' | Schema) => ({ wire, type: { list } }),
};

function readField(p: QueryParams, name: string, type: FieldType): Wire {
  if (type === 'string') return p.get(name);
  if (type === 'boolean') return p.bool(name);
  if (type === 'integer') return intOf(p, name);
  if ('struct' in type) {
    const nested = p.struct(name);
    return nested ? readSchema(nested, type.struct) : undefined;
  }
  if (type.list === 'string') {
    const values = p.list(name);
    return values.length ? values : undefined;
  }
  const schema = type.list;
  const items = p.structs(name).map((s) => readSchema(s, schema));
  return items.length ? items : undefined;
}

/** The members of `schema` present in the request, under their wire names. */
export function readSchema(p: QueryParams, schema: Schema): WireObject {
  const out: WireObject = {};
  for (const [name, field] of Object.entries(schema)) {
    const value = readField(p, name, field.type);
    if (value !== undefined) out[field.wire] = value;
  }
  return out;
}
