import type { ResolvedSubject } from './resolve.js';

/** Last use of an access key, as GetAccessKeyLastUsed reports it. */
export interface LastUse {
  date: string | null;
  service: string | null;
  region: string | null;
}

export interface KeyFacts {
  accessKeyId: string;
  status: string;
  created: string | null;
  lastUsed: LastUse | null;
}

export interface ActivityFacts {
  /** Regions whose LookupEvents were read. */
  regions: string[];
  /** What was looked up (`AccessKeyId AKIA…`, `Username alice`, `ResourceName arn…`). */
  lookup: string;
  events: number;
  /** More events exist than were read. */
  truncated: boolean;
  errors: number;
  firstSeen: string | null;
  lastSeen: string | null;
  sourceIps: string[];
  topEvents: { name: string; count: number }[];
}

export type Level = 'P1' | 'P2' | 'P3' | 'P4';

/** Everything triage found, and what it could not check. */
export interface TriageReport {
  /** The case it was made for; null for a read-only look that opened none. */
  caseId: string | null;
  checkedAt: string;
  resolved: ResolvedSubject;
  /** The key belongs to another account than the one we are signed into. */
  foreignAccount: string | null;
  /** The role the checks ran through in the owning account (`--account-role`), when it is another. */
  checkedThrough?: string;
  key: KeyFacts | null;
  otherKeys: KeyFacts[];
  consolePassword: { exists: boolean; created: string | null; lastUsed: string | null } | null;
  mfaDevices: string[] | null;
  groups: string[] | null;
  policies: { via: string; name: string }[] | null;
  admin: boolean | null;
  escalation: string[] | null;
  quarantine: { attached: string[]; blocksUpdateAccessKey: boolean } | null;
  role: {
    arn: string | null;
    created: string | null;
    lastUsed: string | null;
    lastUsedRegion: string | null;
    revokedBefore: string | null;
  } | null;
  rootAccount: { mfaEnabled: boolean | null; accessKeysPresent: boolean | null } | null;
  activity: ActivityFacts | null;
  severity: { level: Level; reasons: string[] };
  /** `what: why` for every check AWS refused or that could not run. */
  notChecked: string[];
}
