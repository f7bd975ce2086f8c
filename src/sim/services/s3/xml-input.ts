import { XMLParser } from 'fast-xml-parser';
import { s3Error } from './errors.js';

/** Elements that are lists in S3 request bodies even when they occur once. */
const LISTS = new Set(['Object', 'Grant', 'Tag']);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => LISTS.has(name),
});

/** A parsed XML element: text, child elements, or lists of them. */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] | undefined };

/**
 * The root element of an S3 request body, or S3's `MalformedXML` when the body is not XML or has
 * a different root.
 */
export function parseBody(body: Buffer, root: string): Record<string, unknown> {
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // Any parser failure is the client's malformed document.
    parsed = {};
  }
  const element = parsed[root];
  if (element === undefined || typeof element !== 'object' || element === null) {
    throw s3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  }
  return element as Record<string, unknown>;
}

/** A child element's text, or undefined. */
export function text(node: unknown, name: string): string | undefined {
  const value = (node as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** A list child (always an array thanks to `isArray`). */
export function list(node: unknown, name: string): Record<string, unknown>[] {
  const value = (node as Record<string, unknown> | undefined)?.[name];
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}
