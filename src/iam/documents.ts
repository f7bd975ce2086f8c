import type { PolicyDocumentInput } from './snapshot.js';

/** A parsed policy document, or why it could not be parsed. */
export type Parsed = { ok: true; document: Record<string, unknown> } | { ok: false; reason: string };

/** Parse a document as AWS returns it: IAM URL-encodes JSON; S3, Lambda and Secrets Manager do not. */
export function parseDocument(input: PolicyDocumentInput): Parsed {
  if (typeof input !== 'string') return { ok: true, document: input };
  const text = input.trim();
  try {
    const value = JSON.parse(text.startsWith('{') ? text : decodeURIComponent(text)) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value))
      return { ok: true, document: value as Record<string, unknown> };
    return { ok: false, reason: 'not a JSON object' };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** A statement of a policy, as written (lists may be single values). */
export interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: unknown;
}

/** A value or list of values, as a list of strings. */
export function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/** The statements of a document (`Statement` may be one object or a list). */
export function statementsOf(document: unknown): Statement[] {
  const s = (document as { Statement?: unknown } | null | undefined)?.Statement;
  const list: unknown[] = Array.isArray(s) ? s : s && typeof s === 'object' ? [s] : [];
  return list.filter((i): i is Statement => typeof i === 'object' && i !== null);
}

const globCache = new Map<string, RegExp>();

/**
 * IAM's wildcard match (`*` any run, `?` one character), case-insensitive for actions. Policy
 * variables (`${aws:username}`) are taken as `*`: this is only used to rule requests out before
 * the engine decides, so it must never miss a match.
 */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = globCache.get(key);
  if (!re) {
    const body = pattern
      .split(/\$\{[^}]*\}/)
      .map((part) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.'),
      )
      .join('.*');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    globCache.set(key, re);
  }
  return re.test(value);
}

/**
 * Whether a statement could allow `action` on `resource`, ignoring principals and conditions:
 * an over-approximation used to skip the engine for requests nothing could allow.
 */
export function mayAllow(statement: Statement, action: string, resource: string | undefined): boolean {
  if (statement.Effect !== 'Allow') return false;
  const actionOk =
    statement.Action !== undefined
      ? strings(statement.Action).some((p) => globMatch(p, action, true))
      : !strings(statement.NotAction).some((p) => globMatch(p, action, true));
  if (!actionOk) return false;
  if (resource === undefined) return true;
  if (statement.Resource !== undefined)
    return strings(statement.Resource).some((p) => p === '*' || globMatch(p, resource, false));
  if (statement.NotResource !== undefined)
    return !strings(statement.NotResource).some((p) => p === '*' || globMatch(p, resource, false));
  // Trust policies and some resource policies name no resource: they apply to their own.
  return true;
}

/** The AWS principals (ARNs, account ids, `*`) a statement names in `Principal.AWS`. */
export function awsPrincipals(statement: Statement): string[] {
  const p = statement.Principal;
  if (p === '*') return ['*'];
  if (!p || typeof p !== 'object') return [];
  return strings((p as { AWS?: unknown }).AWS);
}

/** The service principals (`ec2.amazonaws.com`) a statement names. */
export function servicePrincipals(statement: Statement): string[] {
  const p = statement.Principal;
  if (!p || typeof p !== 'object') return [];
  return strings((p as { Service?: unknown }).Service);
}
