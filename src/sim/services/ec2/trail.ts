import type { Wire } from './model.js';

/**
 * EC2 CloudTrail shapes: EC2 writes request and response members with their XML names, every
 * list as `{"items": [...]}` and an empty list as `{}` (e.g. RunInstances
 * `"instancesSet": {"items": [{"imageId": …}]}`, `"groupSet": {}`) [STRATUS detonation logs].
 */
export function ec2TrailShape(value: Wire): unknown {
  if (Array.isArray(value)) return value.length ? { items: value.map(ec2TrailShape) } : {};
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined || key === 'keyMaterial') continue;
      out[key] = ec2TrailShape(member);
    }
    return out;
  }
  return value;
}

/** `{"items": [{<field>: v}, …]}` for a list of ids, `{}` when empty (e.g. `instancesSet`). */
export function itemSet(field: string, values: string[]): unknown {
  return ec2TrailShape(values.map((value) => ({ [field]: value })));
}

/** `filterSet` as EC2 records it: `{"items": [{"name", "valueSet": {"items": [{"value"}]}}]}`. */
export function filterSet(filters: { name: string; values: string[] }[]): unknown {
  return ec2TrailShape(
    filters.map((f) => ({ name: f.name, valueSet: f.values.map((value) => ({ value })) })),
  );
}
