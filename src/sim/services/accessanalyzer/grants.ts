/** An Allow statement's grant to a principal outside the account. */
export interface ExternalGrant {
  /** `*` or the principal's ARN or account id as written. */
  principal: string;
  actions: string[];
  conditional: boolean;
  condition: Record<string, string>;
}

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? (v as unknown[]) : v === undefined ? [] : [v]).map((x) =>
    typeof x === 'string' ? x : JSON.stringify(x),
  );

function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws:iam::(\d{12}):/.exec(principal)?.[1];
}

/**
 * The grants of a resource policy to principals outside `account`: `*` (public unless a condition
 * narrows it) and other accounts' principals. Service principals and federated ones are not
 * external accounts and are left out, as Access Analyzer's account zone of trust does.
 */
export function externalGrants(policy: string | undefined, account: string): ExternalGrant[] {
  if (!policy) return [];
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return [];
  }
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Statement[];
  const out: ExternalGrant[] = [];
  for (const s of statements) {
    if (!s || s.Effect !== 'Allow') continue;
    const principals =
      s.Principal === '*' ? ['*'] : list((s.Principal as { AWS?: unknown } | undefined)?.AWS);
    const condition: Record<string, string> = {};
    for (const [op, keys] of Object.entries(s.Condition ?? {}))
      for (const [key, value] of Object.entries(keys)) condition[`${op}:${key}`] = list(value).join(',');
    for (const p of principals) {
      if (p !== '*' && accountOf(p) === account) continue;
      if (p !== '*' && accountOf(p) === undefined) continue;
      out.push({
        principal: p,
        actions: list(s.Action),
        conditional: Object.keys(condition).length > 0,
        condition,
      });
    }
  }
  return out;
}
