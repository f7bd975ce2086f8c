/**
 * A small XML writer for AWS response bodies. Handlers return plain values; this turns them into
 * elements: objects become child elements in key order, arrays become list items in the style
 * the protocol uses, dates become ISO-8601 seconds, `undefined`/`null` members are left out.
 * Keys starting with `@` are attributes of the enclosing element (e.g. S3's `@xsi:type`); `#text`
 * is text content; `#map` holds `[key, value]` pairs written as `<entry><key/><value/></entry>`
 * (awsQuery maps such as IAM's SummaryMap). `namedList(item, values)` writes a list whose items
 * have their own element name (RDS's `<DBInstances><DBInstance>…`, botocore's `locationName`).
 */

/** A value a handler can return for an XML protocol. */
export type XmlValue =
  string | number | boolean | Date | null | undefined | XmlValue[] | { [key: string]: XmlValue };

/**
 * How lists are written: awsQuery wraps items in `<member>`, EC2 in `<item>`, REST-XML (S3) repeats
 * the element itself (`flat`: `{Contents: [a, b]}` → `<Contents>a</Contents><Contents>b</Contents>`).
 */
export type ListStyle = 'member' | 'item' | 'flat';

/** Marker key of a list whose items are written under their own name (see `namedList`). */
const ITEM = '#item';

/** A list written `<Name><item>…</item><item>…</item></Name>` whatever the protocol's list style. */
export function namedList(item: string, values: XmlValue[]): { [key: string]: XmlValue } {
  return { [ITEM]: item, '#items': values };
}

/** Escape text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function scalar(value: string | number | boolean | Date): string {
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return escapeXml(String(value));
}

function isScalar(v: XmlValue): v is string | number | boolean | Date {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date;
}

/** Serialise `value` as the children of an element named `name`. */
export function element(name: string, value: XmlValue, lists: ListStyle): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (lists === 'flat') return value.map((v) => element(name, v, lists)).join('');
    const item = lists === 'member' ? 'member' : 'item';
    return `<${name}>${value.map((v) => element(item, v, lists)).join('')}</${name}>`;
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    const item = value[ITEM];
    if (typeof item === 'string') {
      const values = value['#items'];
      const items = Array.isArray(values) ? values.map((v) => element(item, v, lists)).join('') : '';
      return `<${name}>${items}</${name}>`;
    }
    let attrs = '';
    let body = '';
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('@')) {
        if (isScalar(v)) attrs += ` ${k.slice(1)}="${scalar(v)}"`;
      } else if (k === '#text') {
        if (isScalar(v)) body += scalar(v);
      } else if (k === '#map') {
        for (const pair of Array.isArray(v) ? v : []) {
          const [key, val] = Array.isArray(pair) ? pair : [];
          body += `<entry>${element('key', key, lists)}${element('value', val, lists)}</entry>`;
        }
      } else {
        body += element(k, v, lists);
      }
    }
    return `<${name}${attrs}>${body}</${name}>`;
  }
  return `<${name}>${scalar(value)}</${name}>`;
}

/** Children of an object without an enclosing element. */
export function children(value: { [key: string]: XmlValue } | undefined, lists: ListStyle): string {
  if (!value) return '';
  return Object.entries(value)
    .filter(([k]) => !k.startsWith('@'))
    .map(([k, v]) => element(k, v, lists))
    .join('');
}

/** A whole document with the XML declaration. */
export function xmlDocument(root: string, value: { [key: string]: XmlValue }, lists: ListStyle): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value, lists)}`;
}
