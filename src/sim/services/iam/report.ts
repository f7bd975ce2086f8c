import type { AccountState } from '../../state.js';
import { keysOf } from './entities.js';

/** The 22 columns of the credential report, in order (aws-facts §3.2). */
export const REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

/** Report dates: ISO-8601 with an explicit `+00:00` offset. */
function rd(iso: string | undefined): string {
  return iso ? iso.replace(/\.\d{3}Z$/, 'Z').replace(/Z$/, '+00:00') : 'N/A';
}

function keyColumns(account: AccountState, userName: string | undefined): string[] {
  const keys = keysOf(account, userName).sort((a, b) => a.createDate.localeCompare(b.createDate));
  const out: string[] = [];
  for (let i = 0; i < 2; i++) {
    const k = keys[i];
    out.push(
      k ? String(k.status === 'Active') : 'false',
      rd(k?.createDate),
      rd(k?.lastUsed?.date),
      k?.lastUsed?.region ?? 'N/A',
      k?.lastUsed?.serviceName ?? 'N/A',
    );
  }
  return out;
}

/** The credential report CSV of an account: the root row first, then every user. */
export function credentialReportCsv(account: AccountState, createdAt: string): string {
  const iam = account.iam;
  const rows: string[][] = [REPORT_COLUMNS.slice()];
  rows.push([
    '<root_account>',
    `arn:aws:iam::${account.accountId}:root`,
    rd(createdAt),
    'not_supported',
    iam.rootPasswordLastUsed ? rd(iam.rootPasswordLastUsed) : 'no_information',
    'not_supported',
    'not_supported',
    String(iam.rootMfa),
    ...keyColumns(account, undefined),
    'false',
    'N/A',
    'false',
    'N/A',
  ]);
  for (const u of Object.values(iam.users)) {
    const lp = u.loginProfile;
    const maxAge = iam.passwordPolicy?.ExpirePasswords ? iam.passwordPolicy.MaxPasswordAge : undefined;
    rows.push([
      u.userName,
      u.arn,
      rd(u.createDate),
      String(Boolean(lp)),
      lp ? (u.passwordLastUsed ? rd(u.passwordLastUsed) : 'no_information') : 'N/A',
      lp ? rd(lp.createDate) : 'N/A',
      lp && maxAge ? rd(new Date(Date.parse(lp.createDate) + maxAge * 86_400_000).toISOString()) : 'N/A',
      String(u.mfaDevices.length > 0),
      ...keyColumns(account, u.userName),
      'false',
      'N/A',
      'false',
      'N/A',
    ]);
  }
  return rows.map((r) => r.join(',')).join('\n');
}
