/** One principal an Allow statement of a resource or trust policy admits. */
export interface Admitted {
  /** As written: `*`, an ARN, an account id, a service, a federated provider, a canonical id. */
  principal: string;
  kind: 'everyone' | 'account' | 'service' | 'federated' | 'canonical';
  /** The account it belongs to, when it names one. */
  account?: string | undefined;
  /** Outside the owning account (or everyone). */
  foreign: boolean;
  /** The statement has a Condition (it may narrow `*` to an organisation or a source). */
  conditioned: boolean;
  actions: string[];
}

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  Condition?: unknown;
}

const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];

/** The account of an ARN (`arn:aws:iam::123456789012:root`) or a bare account id. */
export function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(principal)?.[1];
}

/** The statements of a policy document (parsed JSON; anything else has none). */
export function statementsOf(doc: unknown): Statement[] {
  if (!doc || typeof doc !== 'object') return [];
  const s = (doc as { Statement?: unknown }).Statement;
  if (Array.isArray(s)) return s.filter((x): x is Statement => !!x && typeof x === 'object');
  return s && typeof s === 'object' ? [s] : [];
}

/**
 * Every principal the document's Allow statements admit, marked foreign when it is outside
 * `account`: everyone (`*`, `{"AWS": "*"}`), another account's root or role, a federated identity
 * provider (the people behind it are outside the account by definition). AWS services are not
 * foreign (they act on the account's behalf).
 */
export function admittedBy(doc: unknown, account: string): Admitted[] {
  const out: Admitted[] = [];
  for (const s of statementsOf(doc)) {
    if (s.Effect !== 'Allow') continue;
    const conditioned = !!s.Condition && Object.keys(s.Condition).length > 0;
    const actions = list(s.Action);
    const p = s.Principal;
    if (p === '*') {
      out.push({ principal: '*', kind: 'everyone', foreign: true, conditioned, actions });
      continue;
    }
    if (!p || typeof p !== 'object') continue;
    const principals = p as Record<string, unknown>;
    for (const aws of list(principals.AWS)) {
      if (aws === '*') out.push({ principal: '*', kind: 'everyone', foreign: true, conditioned, actions });
      else {
        const acct = accountOf(aws);
        out.push({
          principal: aws,
          kind: 'account',
          account: acct,
          foreign: acct !== account,
          conditioned,
          actions,
        });
      }
    }
    for (const service of list(principals.Service))
      out.push({ principal: service, kind: 'service', foreign: false, conditioned, actions });
    for (const fed of list(principals.Federated))
      out.push({
        principal: fed,
        kind: 'federated',
        account: accountOf(fed),
        foreign: true,
        conditioned,
        actions,
      });
    for (const canonical of list(principals.CanonicalUser))
      out.push({ principal: canonical, kind: 'canonical', foreign: true, conditioned, actions });
  }
  return out;
}

/** The foreign principals a document admits, as the report names them. */
export function foreignAdmitted(doc: unknown, account: string): string[] {
  return [
    ...new Set(
      admittedBy(doc, account)
        .filter((a) => a.foreign)
        .map((a) => (a.conditioned ? `${a.principal} (with conditions)` : a.principal)),
    ),
  ];
}

/** Does the document allow everything, or all of IAM, on every resource (an administrator's policy)? */
export function allowsAdmin(doc: unknown): boolean {
  return statementsOf(doc).some((s) => {
    if (s.Effect !== 'Allow' || s.Condition) return false;
    const actions = list(s.Action);
    const resources = list((s as { Resource?: unknown }).Resource);
    return resources.includes('*') && actions.some((a) => a === '*' || a === 'iam:*' || a === '*:*');
  });
}

/** AWS managed policies that make their holder an administrator (or able to become one). */
export const ADMIN_MANAGED = new Set([
  'arn:aws:iam::aws:policy/AdministratorAccess',
  'arn:aws:iam::aws:policy/IAMFullAccess',
]);
