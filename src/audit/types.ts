/** What an audit check can conclude. `not-applicable` (e.g. SCPs outside an organisation) is not a gap in coverage. */
export type CheckStatus = 'pass' | 'fail' | 'not-checked' | 'not-applicable';

/** One line of the audit: a check's verdict with its evidence and the fix. */
export interface CheckResult {
  id: string;
  title: string;
  area: CheckArea;
  status: CheckStatus;
  /** Why a check could not be made or does not apply. */
  why?: string;
  /** What the verdict rests on: users, keys, regions, trails… (names as AWS returns them). */
  evidence: string[];
  fix: string;
  /** CIS AWS Foundations Benchmark v3.0.0 recommendations this check maps to. */
  cis: string[];
}

export type CheckArea = 'identity' | 'root' | 'logging' | 'detection' | 'guard-rails' | 'data' | 'compute';

/** The numbers an audit tracks from run to run (`--history`). Null when not measurable this run. */
export interface AuditMetrics {
  users: number | null;
  activeKeys: number | null;
  maxActiveKeysPerUser: number | null;
  oldestActiveKeyAgeDays: number | null;
  activeKeysOlderThan90Days: number | null;
  activeKeysUnused90Days: number | null;
  consoleUsers: number | null;
  consoleUsersWithoutMfa: number | null;
  consoleUsersWithoutMfaPercent: number | null;
  checksPassed: number;
  checksFailed: number;
  checksNotChecked: number;
}

/** Everything `tourniquet audit` found. */
export interface AuditReport {
  account: string;
  responder: string;
  at: string;
  regions: { list: string[]; source: string; reason?: string | undefined };
  checks: CheckResult[];
  metrics: AuditMetrics;
}

/** A read from AWS: its value, or why it could not be made. */
export type Reading<T> = { ok: true; value: T } | { ok: false; why: string };
