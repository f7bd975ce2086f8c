import { parse as parseYaml, type Tags } from 'yaml';
import { SimError } from '../../core/errors.js';

/** A parsed template: the parts the simulator uses. */
export interface Template {
  Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }
  >;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

/** YAML short forms of the intrinsic functions (`!Ref x` → `{Ref: x}`, `!GetAtt a.b` → …). */
const SHORT_FORMS: Tags = ['Ref', 'Sub', 'GetAtt', 'Join', 'Base64', 'Select', 'Split'].flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const wrap = (value: unknown) =>
    name === 'GetAtt' && typeof value === 'string' ? { [key]: value.split('.') } : { [key]: value };
  return [
    { tag: `!${name}`, resolve: (value: string) => wrap(value) },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (value: { toJSON(): unknown }) => wrap(value.toJSON()),
    },
  ];
});

/** Parse a JSON or YAML template body (CloudFormation accepts both). */
export function parseTemplate(body: string): Template {
  let parsed: unknown;
  try {
    parsed = body.trimStart().startsWith('{')
      ? JSON.parse(body)
      : parseYaml(body, { customTags: SHORT_FORMS });
  } catch (e) {
    throw new SimError(
      'ValidationError',
      `Template format error: ${e instanceof Error ? e.message : String(e)}`,
      400,
    );
  }
  const t = parsed as Template | null;
  if (!t || typeof t !== 'object' || !t.Resources || typeof t.Resources !== 'object') {
    throw new SimError(
      'ValidationError',
      'Template format error: At least one Resources member must be defined.',
      400,
    );
  }
  return t;
}

/** What intrinsic functions resolve against. */
export interface Scope {
  params: Record<string, string>;
  /** Logical id → physical id (Ref) and attributes (GetAtt). */
  resources: Record<string, { physicalId: string; attributes: Record<string, string> }>;
  pseudo: Record<string, string>;
}

function ref(scope: Scope, name: string): string {
  const v = scope.pseudo[name] ?? scope.params[name] ?? scope.resources[name]?.physicalId;
  if (v === undefined)
    throw new SimError(
      'ValidationError',
      `Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template`,
      400,
    );
  return v;
}

/** Resolve Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Base64, Fn::Select and Fn::Split in a value. */
export function resolve(value: unknown, scope: Scope): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const arg = obj[k];
    switch (k) {
      case 'Ref':
        return ref(scope, String(arg));
      case 'Fn::GetAtt': {
        const [logical = '', attr = ''] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        const v = scope.resources[logical]?.attributes[attr];
        if (v === undefined)
          throw new SimError(
            'ValidationError',
            `Template error: resource ${logical} does not support attribute type ${attr} in Fn::GetAtt`,
            400,
          );
        return v;
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg)
          ? [String(arg[0]), (resolve(arg[1], scope) ?? {}) as Record<string, string>]
          : [String(arg), {}];
        return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
          if (name in vars) return String(vars[name]);
          const [logical, attr] = name.split('.');
          return attr ? String(resolve({ 'Fn::GetAtt': [logical, attr] }, scope)) : ref(scope, name);
        });
      }
      case 'Fn::Join': {
        const [sep, list] = arg as [string, unknown[]];
        return (resolve(list, scope) as unknown[]).map(String).join(sep);
      }
      case 'Fn::Base64':
        return Buffer.from(String(resolve(arg, scope))).toString('base64');
      case 'Fn::Select': {
        const [index, list] = arg as [number, unknown];
        return (resolve(list, scope) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [sep, text] = arg as [string, unknown];
        return String(resolve(text, scope)).split(sep);
      }
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(obj[k], scope)]));
}

/** Resources in creation order: each after the ones it references (Ref, GetAtt, Sub, DependsOn). */
export function creationOrder(t: Template): string[] {
  const ids = Object.keys(t.Resources);
  const deps = new Map<string, Set<string>>();
  for (const id of ids) {
    const text = JSON.stringify(t.Resources[id]);
    const d = new Set<string>();
    for (const other of ids) {
      if (other === id) continue;
      if (text.includes(`"Ref":"${other}"`) || text.includes(`"${other}"`) || text.includes(`\${${other}`))
        d.add(other);
    }
    deps.set(id, d);
  }
  const out: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (out.includes(id)) return;
    if (path.includes(id))
      throw new SimError(
        'ValidationError',
        `Circular dependency between resources: [${path.join(', ')}]`,
        400,
      );
    for (const d of deps.get(id) ?? []) visit(d, [...path, id]);
    out.push(id);
  };
  for (const id of ids) visit(id, []);
  return out;
}
