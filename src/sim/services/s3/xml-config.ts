import { XMLParser } from 'fast-xml-parser';
import type { XmlValue } from '../../core/protocols/xml.js';
import { s3Error } from './errors.js';

/**
 * Bucket configuration documents (replication, encryption, logging, website, ACLs, Block Public
 * Access) as S3 receives them: kept as element trees and written back unchanged, and turned into
 * the JSON CloudTrail records in requestParameters.
 */

/** An element tree: text, or child elements (a repeated element is an array). */
export type XmlTree = string | { [name: string]: XmlTree | XmlTree[] };

const ATTR = '@_';

const parser = new XMLParser({
  removeNSPrefix: false,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';

/** The root element of a body with its attributes (`@_xmlns`…), or S3's MalformedXML. */
export function parseDocument(body: Buffer, root: string): Record<string, XmlTree | XmlTree[]> {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = parser.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // Any parser failure is the client's malformed document.
  }
  const element = parsed[root];
  if (element === '') return {};
  if (element === undefined || typeof element !== 'object' || element === null || Array.isArray(element))
    throw s3Error('MalformedXML', MALFORMED, 400);
  return element as Record<string, XmlTree | XmlTree[]>;
}

/** The tree without attributes (what S3 stores and writes back). */
export function withoutAttributes(tree: XmlTree | XmlTree[]): XmlTree | XmlTree[] {
  if (Array.isArray(tree)) return tree.map((t) => withoutAttributes(t) as XmlTree);
  if (typeof tree === 'string') return tree;
  const out: Record<string, XmlTree | XmlTree[]> = {};
  for (const [k, v] of Object.entries(tree)) {
    if (k.startsWith(ATTR)) continue;
    out[k] = k === '#text' ? v : withoutAttributes(v);
  }
  // An element that carried only attributes and text is its text.
  const keys = Object.keys(out);
  if (keys.length === 1 && keys[0] === '#text') return out['#text'] as string;
  return out;
}

/** Elements whose text CloudTrail records as a number. */
const NUMERIC = new Set(['Priority', 'Days', 'Minutes', 'HttpErrorCodeReturnedEquals']);

/**
 * CloudTrail's JSON for an XML request body: attributes become plain keys (`xmlns`, `xsi:type`),
 * a repeated element an array, a single one an object, `true`/`false` booleans (the CloudTrail UG
 * PutBucketAcl example records `{"AccessControlPolicy": {"AccessControlList": {"Grant": {…}},
 * "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Owner": {"ID": "…"}}}`).
 */
export function trailJson(tree: XmlTree | XmlTree[], name = ''): unknown {
  if (Array.isArray(tree)) return tree.map((t) => trailJson(t, name));
  if (typeof tree === 'string') {
    if (tree === 'true' || tree === 'false') return tree === 'true';
    if (NUMERIC.has(name) && /^-?\d+$/.test(tree)) return Number(tree);
    return tree;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) {
    const key = k.startsWith(ATTR) ? k.slice(ATTR.length) : k;
    out[key] = trailJson(v, key);
  }
  return out;
}

/** A stored tree as a response value (root attributes added by the caller). */
export function treeXml(tree: XmlTree | XmlTree[] | undefined): { [key: string]: XmlValue } {
  if (tree === undefined || typeof tree === 'string' || Array.isArray(tree)) return {};
  return tree;
}

/** A child element's text (first one when repeated). */
export function childText(node: unknown, name: string): string | undefined {
  const value = (node as Record<string, unknown> | undefined)?.[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && typeof (first as Record<string, unknown>)['#text'] === 'string')
    return (first as Record<string, string>)['#text'];
  return undefined;
}

/** The children named `name`, always as a list. */
export function children(node: unknown, name: string): XmlTree[] {
  const value = (node as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as XmlTree[];
}
