import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SimHttpRequest } from './http.js';

/** The parts of a SigV4 signature (header or presigned-query form; aws-facts §5.6). */
export interface SigV4Parts {
  accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  /** `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`). */
  amzDate: string;
  securityToken?: string | undefined;
  presigned: boolean;
  /** Presigned URL lifetime in seconds. */
  expires?: number | undefined;
}

/** Why a signature could not be parsed. */
export interface SigV4Malformed {
  malformed: string;
}

/**
 * Read the signature from the Authorization header or the presigned query string; undefined for
 * an unsigned request. Parsing is tolerant of spaces after commas (the AWS doc example has none,
 * the JS SDK writes ", ").
 */
export function parseSigV4(req: SimHttpRequest): SigV4Parts | SigV4Malformed | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    if (!auth.startsWith('AWS4-HMAC-SHA256')) {
      return { malformed: `Unsupported Authorization Type` };
    }
    const fields: Record<string, string> = {};
    for (const part of auth.slice('AWS4-HMAC-SHA256'.length).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    const credential = fields.Credential;
    const signedHeaders = fields.SignedHeaders;
    const signature = fields.Signature;
    if (!credential || !signedHeaders || !signature) {
      return {
        malformed: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${auth}`,
      };
    }
    const amzDate = req.headers['x-amz-date'] ?? dateHeaderToAmz(req.headers.date);
    return scopeParts(credential, {
      signedHeaders: signedHeaders.split(';'),
      signature,
      amzDate,
      securityToken: req.headers['x-amz-security-token'],
      presigned: false,
    });
  }
  const q = req.query;
  if (q.get('X-Amz-Algorithm') === undefined && q.get('X-Amz-Credential') === undefined) return undefined;
  const credential = q.get('X-Amz-Credential');
  const signature = q.get('X-Amz-Signature');
  const signedHeaders = q.get('X-Amz-SignedHeaders');
  const amzDate = q.get('X-Amz-Date');
  if (!credential || !signature || !signedHeaders || !amzDate) {
    return {
      malformed:
        'Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders parameters',
    };
  }
  return scopeParts(credential, {
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    securityToken: q.get('X-Amz-Security-Token'),
    presigned: true,
    expires: q.int('X-Amz-Expires'),
  });
}

function scopeParts(
  credential: string,
  rest: Omit<SigV4Parts, 'accessKeyId' | 'scopeDate' | 'region' | 'service' | 'terminator'>,
): SigV4Parts | SigV4Malformed {
  const parts = credential.split('/');
  if (parts.length !== 5) return { malformed: `Credential should have exactly 5 parts: ${credential}` };
  const [accessKeyId = '', scopeDate = '', region = '', service = '', terminator = ''] = parts;
  return { accessKeyId, scopeDate, region, service, terminator, ...rest };
}

function dateHeaderToAmz(date: string | undefined): string {
  if (!date) return '';
  const t = Date.parse(date);
  return Number.isNaN(t)
    ? ''
    : new Date(t)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms (NaN if malformed). */
export function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** RFC 3986 encoding as SigV4 wants it (only unreserved characters left bare). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const v = safeDecode(eq < 0 ? '' : part.slice(eq + 1));
    if (presigned && k === 'X-Amz-Signature') continue;
    pairs.push([uriEncode(k), uriEncode(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function canonicalHeaders(req: SimHttpRequest, signed: string[]): string {
  const values = new Map<string, string[]>();
  for (const [name, value] of req.rawHeaders) {
    const lower = name.toLowerCase();
    const list = values.get(lower) ?? [];
    list.push(value.trim().replace(/\s+/g, ' '));
    values.set(lower, list);
  }
  return signed.map((h) => `${h}:${(values.get(h) ?? []).join(',')}\n`).join('');
}

/** Canonical paths a client may have signed: S3 signs the path as sent; other services encode it again. */
function candidatePaths(rawPath: string): string[] {
  const normalized = normalizePath(rawPath);
  const doubled = normalized
    .split('/')
    .map((seg) => uriEncode(seg))
    .join('/');
  return [...new Set([rawPath, doubled, normalized || '/'])];
}

function normalizePath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Signing keys already derived, by secret and scope: a client signs all of a day's calls with one. */
const signingKeys = new Map<string, Buffer>();

/** The signing key for a secret and scope (HMAC chain of aws-facts §5.6). */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    if (signingKeys.size >= 1_000) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/** Whether the request's signature matches one computed with `secret`. */
export function signatureMatches(req: SimHttpRequest, sig: SigV4Parts, secret: string): boolean {
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  // Presigned URLs: S3 signs UNSIGNED-PAYLOAD, other services the hash of the (empty) body.
  const payloadHashes = req.headers['x-amz-content-sha256']
    ? [req.headers['x-amz-content-sha256']]
    : sig.presigned
      ? ['UNSIGNED-PAYLOAD', bodyHash]
      : [bodyHash];
  const query = canonicalQuery(req.rawQuery, sig.presigned);
  const headers = canonicalHeaders(req, sig.signedHeaders);
  const scope = `${sig.scopeDate}/${sig.region}/${sig.service}/${sig.terminator}`;
  const key = signingKey(secret, sig.scopeDate, sig.region, sig.service);
  const expected = Buffer.from(sig.signature, 'utf8');
  for (const payloadHash of payloadHashes) {
    for (const path of candidatePaths(req.rawPath)) {
      const canonical = [req.method, path, query, headers, sig.signedHeaders.join(';'), payloadHash].join(
        '\n',
      );
      const toSign = [
        'AWS4-HMAC-SHA256',
        sig.amzDate,
        scope,
        createHash('sha256').update(canonical, 'utf8').digest('hex'),
      ].join('\n');
      const actual = Buffer.from(hmac(key, toSign).toString('hex'), 'utf8');
      if (actual.length === expected.length && timingSafeEqual(actual, expected)) return true;
    }
  }
  return false;
}
