import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';

/** One row of the IAM credential report, the columns an audit uses, typed. */
export interface CredentialRow {
  user: string;
  arn: string;
  root: boolean;
  passwordEnabled: boolean;
  passwordLastUsed: string | undefined;
  mfaActive: boolean;
  keys: {
    active: boolean;
    lastRotated: string | undefined;
    lastUsed: string | undefined;
    lastUsedRegion: string | undefined;
    lastUsedService: string | undefined;
  }[];
}

const date = (v: string | undefined): string | undefined =>
  v && /^\d{4}-\d\d-\d\dT/.test(v) ? new Date(v).toISOString() : undefined;

/**
 * Parse the report. Its CSV has no quoted fields (user names cannot hold commas or quotes), so a
 * header-indexed split reads it exactly; columns are found by name, not position, so AWS adding
 * one does not shift the others.
 */
export function parseCredentialReport(csv: string): CredentialRow[] {
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  const names = (header ?? '').split(',');
  const col = (cells: string[], name: string) => {
    const i = names.indexOf(name);
    return i < 0 ? undefined : cells[i];
  };
  if (!names.includes('user') || !names.includes('access_key_1_active'))
    throw new Error('the credential report has no user / access_key_1_active columns');
  return lines.map((line) => {
    const cells = line.split(',');
    const user = col(cells, 'user') ?? '';
    return {
      user,
      arn: col(cells, 'arn') ?? '',
      root: user === '<root_account>',
      passwordEnabled: col(cells, 'password_enabled') === 'true',
      passwordLastUsed: date(col(cells, 'password_last_used')),
      mfaActive: col(cells, 'mfa_active') === 'true',
      keys: [1, 2].map((n) => ({
        active: col(cells, `access_key_${n}_active`) === 'true',
        lastRotated: date(col(cells, `access_key_${n}_last_rotated`)),
        lastUsed: date(col(cells, `access_key_${n}_last_used_date`)),
        lastUsedRegion: ((v) => (v && v !== 'N/A' ? v : undefined))(
          col(cells, `access_key_${n}_last_used_region`),
        ),
        lastUsedService: ((v) => (v && v !== 'N/A' ? v : undefined))(
          col(cells, `access_key_${n}_last_used_service`),
        ),
      })),
    };
  });
}

/**
 * Generate the credential report and read it. IAM builds it asynchronously (STARTED, INPROGRESS,
 * COMPLETE) and keeps one for four hours; GetCredentialReport before it is ready fails with
 * ReportInProgress / ReportNotPresent, so wait between polls.
 */
export async function fetchCredentialReport(
  iam: IAMClient,
  sleep: (ms: number) => Promise<void>,
): Promise<CredentialRow[]> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const state = await iam.send(new GenerateCredentialReportCommand({}));
    if (state.State === 'COMPLETE') {
      const out = await iam.send(new GetCredentialReportCommand({}));
      return parseCredentialReport(Buffer.from(out.Content ?? new Uint8Array()).toString('utf8'));
    }
    await sleep(Math.min(2_000, 200 * (attempt + 1)));
  }
  throw new Error('the IAM credential report was still not ready after 30 polls');
}
