import { SimError } from './errors.js';

/**
 * Flat request parameters as the query protocols send them (`UserName=bob`,
 * `ActionNames.member.1=…`, EC2 `InstanceId.1=…`, `Filter.1.Value.1=…`), with readers for the
 * nested shapes. REST services get their URL query string in the same form.
 */
export class QueryParams {
  private readonly map: Map<string, string>;
  /** `query` (IAM/STS: ValidationError) or `ec2` (MissingParameter) flavour of missing-value errors. */
  private readonly flavour: 'query' | 'ec2';

  constructor(entries: Iterable<[string, string]> = [], flavour: 'query' | 'ec2' = 'query') {
    this.map = new Map(entries);
    this.flavour = flavour;
  }

  /** Parse `a=1&b=2` (form or URL query). `+` means space in form bodies, as browsers and botocore agree. */
  static parse(text: string, flavour: 'query' | 'ec2' = 'query'): QueryParams {
    const entries: [string, string][] = [];
    for (const part of text.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const k = eq < 0 ? part : part.slice(0, eq);
      const v = eq < 0 ? '' : part.slice(eq + 1);
      entries.push([decode(k), decode(v)]);
    }
    return new QueryParams(entries, flavour);
  }

  /** The value of a parameter, or undefined. */
  get(name: string): string | undefined {
    return this.map.get(name);
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** The value, or the AWS validation error for a missing required member. */
  require(name: string): string {
    const v = this.map.get(name);
    if (v === undefined) {
      if (this.flavour === 'ec2') {
        throw new SimError('MissingParameter', `The request must contain the parameter ${name}`, 400);
      }
      const member = name.charAt(0).toLowerCase() + name.slice(1);
      throw new SimError(
        'ValidationError',
        `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
        400,
      );
    }
    return v;
  }

  /** An integer parameter, or undefined. */
  int(name: string): number | undefined {
    const v = this.map.get(name);
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new SimError('ValidationError', `Invalid integer for ${name}: ${v}`, 400);
    return n;
  }

  /** A boolean parameter (`true`/`false`), or undefined. */
  bool(name: string): boolean | undefined {
    const v = this.map.get(name);
    if (v === undefined || v === '') return undefined;
    return v.toLowerCase() === 'true';
  }

  /** A list of strings: `Name.member.N` (awsQuery) or `Name.N` (EC2), in index order. */
  list(name: string): string[] {
    const items: [number, string][] = [];
    const re = new RegExp(`^${escapeRe(name)}\\.(?:member\\.)?(\\d+)$`);
    for (const [k, v] of this.map) {
      const m = re.exec(k);
      if (m) items.push([Number(m[1]), v]);
    }
    return items.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** A list of structures: `Name.member.N.Field` / `Name.N.Field`, each as its own QueryParams. */
  structs(name: string): QueryParams[] {
    const groups = new Map<number, [string, string][]>();
    const re = new RegExp(`^${escapeRe(name)}\\.(?:member\\.)?(\\d+)\\.(.+)$`);
    for (const [k, v] of this.map) {
      const m = re.exec(k);
      if (!m) continue;
      const i = Number(m[1]);
      const list = groups.get(i) ?? [];
      list.push([m[2]!, v]);
      groups.set(i, list);
    }
    return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => new QueryParams(e, this.flavour));
  }

  /** A nested structure `Name.Field=…` as its own QueryParams (undefined when absent). */
  struct(name: string): QueryParams | undefined {
    const prefix = `${name}.`;
    const e: [string, string][] = [];
    for (const [k, v] of this.map) if (k.startsWith(prefix)) e.push([k.slice(prefix.length), v]);
    return e.length ? new QueryParams(e, this.flavour) : undefined;
  }

  /** A map: `Name.entry.N.key` / `Name.entry.N.value`. */
  mapOf(name: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.structs(`${name}.entry`)) {
      const k = s.get('key');
      if (k !== undefined) out[k] = s.get('value') ?? '';
    }
    return out;
  }

  /** All parameters in order. */
  entries(): [string, string][] {
    return [...this.map.entries()];
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    // A malformed escape is kept literally, as AWS front ends do rather than failing the request.
    return s;
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A JSON body member as a string ('' when absent or not a scalar). */
export function bodyString(value: unknown): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}

/**
 * One page of `items` from an opaque token (the offset, base64url) and a page size: what the
 * JSON services' NextToken paging returns (`next` is undefined on the last page).
 */
export function offsetPage<T>(items: T[], token: string, size: number): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { next: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}
