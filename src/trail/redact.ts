import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CaseFolder } from '../case/case.js';
import type { EvidenceRecord } from '../case/evidence.js';

/**
 * CloudTrail records the session token of every STS response it logs (`responseElements.
 * credentials.sessionToken` of AssumeRole, GetSessionToken, GetFederationToken, …; never the secret
 * key). A case keeps no credential material at rest, so the token is replaced, before anything is
 * written or loaded, by a fingerprint: `redacted sha256:<first 16 hex>` of the token. The
 * fingerprint still matches a token found elsewhere (a leaked file, another case); the bytes as
 * received stay in the trail bucket, and the manifest records their sha256.
 *
 * The pattern matches the field both plain (delivery files) and inside a JSON string (the
 * `CloudTrailEvent` of LookupEvents, where the quotes are escaped). Tokens are base64.
 */
const TOKEN_FIELD = /(\\?"sessionToken\\?"\s*:\s*\\?")([A-Za-z0-9+/=]{16,})(\\?")/g;

/** The text a token is replaced with (the same in the DuckDB loader: see `REDACT_SQL`). */
export function tokenFingerprint(token: string): string {
  return `redacted sha256:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

/** Replace every session token in a CloudTrail text; `count` says how many. */
export function redactSessionTokens(text: string): { text: string; count: number } {
  let count = 0;
  const out = text.replace(TOKEN_FIELD, (_all, head: string, token: string, tail: string) => {
    count++;
    return `${head}${tokenFingerprint(token)}${tail}`;
  });
  return { text: count > 0 ? out : text, count };
}

/** What a redacted file was as received, for the manifest. */
export type Received = NonNullable<EvidenceRecord['received']>;

/**
 * The bytes to keep for a CloudTrail file (plain or gzip) and, when tokens were taken out, what it
 * was as received. Bytes that are not gzip or not text are kept as they are (the loader reports them).
 */
export function redactTrailBytes(
  bytes: Uint8Array,
  gzip: boolean,
): { bytes: Uint8Array; received?: Received } {
  let text: string;
  try {
    text = (gzip ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
  } catch {
    return { bytes };
  }
  if (!text.includes('sessionToken')) return { bytes };
  const { text: kept, count } = redactSessionTokens(text);
  if (count === 0) return { bytes };
  const plain = Buffer.from(kept, 'utf8');
  return {
    bytes: gzip ? gzipSync(plain) : plain,
    received: {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      redacted: count,
    },
  };
}

/**
 * The same redaction in DuckDB, for records loaded straight from the responder's own files: an
 * expression over `column` (responseElements as JSON text) that keeps no token.
 */
export function redactSql(column: string): string {
  const text = `CAST(${column} AS VARCHAR)`;
  const field = `'"sessionToken"(\\s*):(\\s*)"([A-Za-z0-9+/=]{16,})"'`;
  const token = `regexp_extract(${text}, ${field}, 3)`;
  return (
    `CASE WHEN regexp_matches(${text}, ${field}) THEN ` +
    `regexp_replace(${text}, ${field}, '"sessionToken"\\1:\\2"redacted sha256:' || left(sha256(${token}), 16) || '"', 'g') ` +
    `ELSE ${text} END`
  );
}

/**
 * Keep a CloudTrail file (a delivery file, `.gz` by its name, or a LookupEvents page) as evidence
 * without its session tokens; the manifest says what it was as received.
 */
export async function addTrailEvidence(
  folder: Pick<CaseFolder, 'addEvidence'>,
  relative: string,
  content: string | Uint8Array,
  source: string,
): Promise<EvidenceRecord> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const kept = redactTrailBytes(bytes, relative.endsWith('.gz'));
  return folder.addEvidence(relative, kept.bytes, source, kept.received);
}
