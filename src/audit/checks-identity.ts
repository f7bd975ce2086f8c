import { DAY, daysBetween, needs, verdict, type CheckDef } from './check.js';
import type { CredentialRow } from './credential-report.js';
import type { AuditFacts } from './facts.js';

const STALE_DAYS = 90;

function users(f: AuditFacts, judge: (rows: CredentialRow[]) => ReturnType<CheckDef['judge']>) {
  return needs(f.credentialReport, (rows) => judge(rows.filter((r) => !r.root)));
}

function rootRow(f: AuditFacts, judge: (root: CredentialRow) => ReturnType<CheckDef['judge']>) {
  return needs(f.credentialReport, (rows) => {
    const root = rows.find((r) => r.root);
    return root
      ? judge(root)
      : { status: 'not-checked', why: 'the credential report has no root row', evidence: [] };
  });
}

/** When an active key was last used, or created when never used. */
export function keyLastActivity(k: CredentialRow['keys'][number]): string | undefined {
  return k.lastUsed ?? k.lastRotated;
}

/** IAM users, their keys and console passwords; the root user; the password policy. */
export const IDENTITY_CHECKS: CheckDef[] = [
  {
    id: 'iam.one-active-key',
    title: 'At most one active access key per IAM user',
    area: 'identity',
    cis: ['1.13'],
    fix: 'Deactivate, then delete, the key a user no longer uses: `aws iam update-access-key --status Inactive`, then `delete-access-key`.',
    judge: (f) =>
      users(f, (rows) =>
        verdict(
          rows
            .filter((r) => r.keys.filter((k) => k.active).length > 1)
            .map((r) => `${r.user}: 2 active keys`),
        ),
      ),
  },
  {
    id: 'iam.key-rotation',
    title: `Active access keys are younger than ${STALE_DAYS} days`,
    area: 'identity',
    cis: ['1.14'],
    fix: 'Rotate: create a new key, move the workload to it, deactivate and delete the old one — better, replace long-term keys with roles (`tourniquet prevent` writes the plan).',
    judge: (f) =>
      users(f, (rows) =>
        verdict(
          rows.flatMap((r) =>
            r.keys
              .filter(
                (k) =>
                  k.active && k.lastRotated && Date.parse(k.lastRotated) < f.now.getTime() - STALE_DAYS * DAY,
              )
              .map(
                (k) =>
                  `${r.user}: key created ${k.lastRotated!.slice(0, 10)} (${daysBetween(k.lastRotated!, f.now)} days)`,
              ),
          ),
        ),
      ),
  },
  {
    id: 'iam.unused-credentials',
    title: `No active key or console password unused for ${STALE_DAYS} days`,
    area: 'identity',
    cis: ['1.12'],
    fix: `Deactivate keys and remove console passwords not used for ${STALE_DAYS} days (CIS 1.12 asks for 45).`,
    judge: (f) =>
      users(f, (rows) => {
        const cutoff = f.now.getTime() - STALE_DAYS * DAY;
        const problems = rows.flatMap((r) => [
          ...r.keys
            .filter((k) => k.active)
            .filter((k) => Date.parse(keyLastActivity(k) ?? '1970-01-01') < cutoff)
            .map(
              (k) =>
                `${r.user}: active key ${k.lastUsed ? `last used ${k.lastUsed.slice(0, 10)}` : `never used (created ${k.lastRotated?.slice(0, 10) ?? '?'})`}`,
            ),
          ...(r.passwordEnabled && r.passwordLastUsed && Date.parse(r.passwordLastUsed) < cutoff
            ? [`${r.user}: console password last used ${r.passwordLastUsed.slice(0, 10)}`]
            : []),
        ]);
        return verdict(problems);
      }),
  },
  {
    id: 'iam.console-mfa',
    title: 'Every IAM user with a console password has MFA',
    area: 'identity',
    cis: ['1.10'],
    fix: 'Enable MFA for these users, and attach the MFA-enforcement policy `tourniquet prevent` writes.',
    judge: (f) =>
      users(f, (rows) => {
        const console = rows.filter((r) => r.passwordEnabled);
        const without = console.filter((r) => !r.mfaActive);
        const pct = console.length ? Math.round((100 * without.length) / console.length) : 0;
        return verdict(
          without.length
            ? [
                `${without.length} of ${console.length} console users (${pct}%) without MFA: ${without.map((r) => r.user).join(', ')}`,
              ]
            : [],
          [`${console.length} console users, all with MFA`],
        );
      }),
  },
  {
    id: 'root.mfa',
    title: 'The root user has MFA',
    area: 'root',
    cis: ['1.5'],
    fix: 'Sign in as root and assign an MFA device (a hardware key for CIS 1.6).',
    judge: (f) =>
      rootRow(f, (root) =>
        verdict(root.mfaActive ? [] : ['root: mfa_active false'], ['root: mfa_active true']),
      ),
  },
  {
    id: 'root.access-keys',
    title: 'The root user has no access keys',
    area: 'root',
    cis: ['1.4'],
    fix: 'Sign in as root, Security credentials → delete the access keys (after moving whatever uses them to a role).',
    judge: (f) =>
      rootRow(f, (root) =>
        verdict(
          root.keys
            .filter((k) => k.active)
            .map(
              (k) =>
                `root: active access key (created ${k.lastRotated?.slice(0, 10) ?? '?'}, last used ${k.lastUsed?.slice(0, 10) ?? 'never'})`,
            ),
        ),
      ),
  },
  {
    id: 'root.recent-use',
    title: `The root user was not used in the last ${STALE_DAYS} days`,
    area: 'root',
    cis: ['1.7'],
    fix: 'Use IAM roles or Identity Center for daily work; keep root for the few tasks only it can do, and alarm on its use.',
    judge: (f) =>
      rootRow(f, (root) => {
        const cutoff = f.now.getTime() - STALE_DAYS * DAY;
        const uses = [
          ['password', root.passwordLastUsed],
          ...root.keys.map((k) => ['access key', k.lastUsed] as const),
        ].filter((u): u is [string, string] => typeof u[1] === 'string' && Date.parse(u[1]) >= cutoff);
        return verdict(uses.map(([how, when]) => `root: ${how} used ${when}`));
      }),
  },
  {
    id: 'iam.password-length',
    title: 'The password policy requires 14 characters or more',
    area: 'identity',
    cis: ['1.8'],
    fix: '`aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24` (repeat the other settings you keep).',
    judge: (f) =>
      needs(f.passwordPolicy, (p) =>
        verdict(
          !p
            ? ['no account password policy (IAM default: 8 characters)']
            : p.minimumLength < 14
              ? [`minimum length ${p.minimumLength}`]
              : [],
          [`minimum length ${p?.minimumLength ?? 0}`],
        ),
      ),
  },
  {
    id: 'iam.password-reuse',
    title: 'The password policy prevents reuse of the last 24 passwords',
    area: 'identity',
    cis: ['1.9'],
    fix: '`aws iam update-account-password-policy --password-reuse-prevention 24` (repeat the other settings you keep).',
    judge: (f) =>
      needs(f.passwordPolicy, (p) =>
        verdict(
          !p
            ? ['no account password policy']
            : (p.reusePrevention ?? 0) < 24
              ? [`reuse prevention ${p.reusePrevention ?? 'off'}`]
              : [],
          [`reuse prevention ${p?.reusePrevention ?? 0}`],
        ),
      ),
  },
];
