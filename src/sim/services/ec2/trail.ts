import type { Wire, WireObject } from './model.js';

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
      // The XML member <return> is `_return` in CloudTrail (`"_return": true`); user data never shows.
      out[key === 'return' ? '_return' : key] = key === 'userData' ? REMOVED : ec2TrailShape(member);
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

/** Members CloudTrail replaces with `<sensitiveDataRemoved>` (user data may hold secrets). */
const SENSITIVE = new Set(['UserData', 'userData']);
const REMOVED = '<sensitiveDataRemoved>';

type Tree = { [key: string]: Tree | string };

function typed(value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d{1,9}$/.test(value) ? Number(value) : value;
}

/** A query tree node as CloudTrail writes it: numbered items carry `tag`, one item is not a list. */
function finish(node: Tree | string, name: string): unknown {
  if (typeof node === 'string') return SENSITIVE.has(name) ? REMOVED : typed(node);
  const keys = Object.keys(node);
  if (keys.length && keys.every((k) => /^\d+$/.test(k))) {
    const items = keys
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => {
        const child = node[k]!;
        const value = finish(child, name);
        return typeof child === 'string'
          ? { tag: Number(k), content: value }
          : { ...(value as object), tag: Number(k) };
      });
    return items.length === 1 ? items[0] : items;
  }
  return Object.fromEntries(keys.map((k) => [k, finish(node[k]!, k)]));
}

/**
 * requestParameters of EC2's newer APIs (launch templates, security group rules): the request
 * under `<Operation>Request`, members with their query names, list items numbered by `tag`, e.g.
 * `{"CreateLaunchTemplateRequest": {"LaunchTemplateData": {"UserData": "<sensitiveDataRemoved>",
 * "SecurityGroupId": [{"tag": 1, "content": "sg-…"}, …]}}}`.
 */
export function wrappedRequest(operation: string, entries: [string, string][]): unknown {
  const root: Tree = {};
  for (const [key, value] of entries) {
    if (key === 'Action' || key === 'Version') continue;
    const path = key.split('.');
    let node = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) node[segment] = value;
      else node = node[segment] = typeof node[segment] === 'object' ? node[segment] : {};
    });
  }
  return { [`${operation}Request`]: finish(root, '') };
}

/** XML-style JSON of a wire value: lists as `{"item": …}`, user data removed. */
function xmlStyle(value: Wire, name: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => xmlStyle(v, name));
    return { item: items.length === 1 ? items[0] : items };
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, xmlStyle(v, k)]),
    );
  }
  return SENSITIVE.has(name) && value !== undefined ? REMOVED : value;
}

/** responseElements of the same APIs: `{"<Operation>Response": {"xmlns": …, "requestId": …, …}}`. */
export function wrappedResponse(operation: string, requestId: string, result: WireObject): unknown {
  return {
    [`${operation}Response`]: {
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      requestId,
      ...(xmlStyle(result, '') as object),
    },
  };
}
