import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SimClock, isoSeconds } from './clock.js';
import { emptyCloudTrail, type CloudTrailState } from './cloudtrail/model.js';
import type { ObjectStore } from './core/objects.js';
import { SimIds } from './ids.js';
import { emptyIam, type IamState } from './services/iam/model.js';

/** Temporary credentials issued by STS (AssumeRole, GetSessionToken, GetFederationToken). */
export interface StsSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** The account whose principal the session acts as. */
  accountId: string;
  kind: 'assumed-role' | 'federated-user' | 'session-token';
  issuedAt: string;
  expiration: string;
  mfaAuthenticated: boolean;
  /** The key that signed the STS call that made this session (lineage for scenarios and truth). */
  sourceAccessKeyId: string;
  /** assumed-role: the role and session name. */
  roleName?: string | undefined;
  sessionName?: string | undefined;
  sourceIdentity?: string | undefined;
  /** federated-user: the name given to GetFederationToken. */
  federatedName?: string | undefined;
  /** session-token / federated-user: the IAM user who asked (undefined = root). */
  userName?: string | undefined;
  /** Session policy document (AssumeRole Policy / GetFederationToken Policy), JSON text. */
  sessionPolicy?: string | undefined;
  /** Managed session policy ARNs (PolicyArns). */
  sessionPolicyArns?: string[] | undefined;
}

/** Everything one simulated AWS account holds. */
export interface AccountState {
  accountId: string;
  /** Human label: `victim`, `external`… */
  label: string;
  iam: IamState;
  cloudtrail: CloudTrailState;
  /** State slices of plugged-in services (`ec2`, `s3`, …), created by their `initState`. */
  services: Record<string, unknown>;
}

/** The serialisable state of the whole simulator. */
export interface StateData {
  version: 1;
  seed: string;
  idsDrawn: number;
  clock: { now: string; frozen: boolean };
  accounts: Record<string, AccountState>;
  /** STS sessions by temporary access key id (ASIA…). */
  sessions: Record<string, StsSession>;
  /** Apparent source IPs set in-process for an access key (scenarios); never from a request header. */
  apparentIps: Record<string, string>;
}

/** The default accounts: the victim the responder defends and an outside account. */
export const VICTIM_ACCOUNT = '111122223333';
export const EXTERNAL_ACCOUNT = '444455556666';

/** The simulator's state with its clock and id factory. */
export class SimState {
  readonly data: StateData;
  readonly clock: SimClock;
  readonly ids: SimIds;
  /** Where CloudTrail delivers trail files: installed by the S3 service (not saved with the state). */
  objectStore: ObjectStore | undefined;
  /**
   * The wall clock (not saved): SigV4 dates and request rates are measured on it, never on the
   * simulated clock. Tests replace it to make rate limits deterministic.
   */
  wallClock: () => number = Date.now;
  /**
   * Service limits (not saved): LookupEvents allows 2 requests/s/region on AWS; a CloudTrail Lake
   * query whose run takes this long ends TIMED_OUT (the real limit is not documented; an hour assumed).
   */
  readonly limits = { lookupEventsPerSecond: 2, lakeQueryTimeoutMs: 3_600_000 };

  constructor(data: StateData, clock: SimClock) {
    this.data = data;
    this.clock = clock;
    this.ids = new SimIds(data.seed, data.idsDrawn);
  }

  /** A fresh state with the victim and external accounts. */
  static create(options: { seed?: string | number; clock?: SimClock } = {}): SimState {
    const clock = options.clock ?? new SimClock();
    const data: StateData = {
      version: 1,
      seed: String(options.seed ?? 'tourniquet'),
      idsDrawn: 0,
      clock: { now: isoSeconds(clock.now()), frozen: clock.isFrozen() },
      accounts: {},
      sessions: {},
      apparentIps: {},
    };
    const state = new SimState(data, clock);
    state.addAccount(VICTIM_ACCOUNT, 'victim');
    state.addAccount(EXTERNAL_ACCOUNT, 'external');
    return state;
  }

  /** Read a state saved with `save`; the clock resumes at the saved time. */
  static load(file: string, clock?: SimClock): SimState {
    const data = JSON.parse(readFileSync(file, 'utf8')) as StateData;
    if (data.version !== 1 || typeof data.accounts !== 'object') {
      throw new Error(`${file} is not a simulator state file`);
    }
    const c = clock ?? new SimClock({ start: data.clock.now, frozen: data.clock.frozen });
    return new SimState(data, c);
  }

  /** Serialise to JSON text (clock and id counter included, so a resumed account continues). */
  toJSON(): StateData {
    this.data.idsDrawn = this.ids.drawn;
    this.data.clock = { now: this.clock.now().toISOString(), frozen: this.clock.isFrozen() };
    return this.data;
  }

  /** Write the state atomically (temp file + rename). */
  save(file: string): void {
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.toJSON()));
    renameSync(tmp, file);
  }

  /** Add an empty account. */
  addAccount(accountId: string, label: string): AccountState {
    const account: AccountState = {
      accountId,
      label,
      iam: emptyIam(),
      cloudtrail: emptyCloudTrail(),
      services: {},
    };
    this.data.accounts[accountId] = account;
    return account;
  }

  /** The account, or undefined. */
  account(accountId: string): AccountState | undefined {
    return this.data.accounts[accountId];
  }

  /** The account; throws for an unknown id (a bug in the caller). */
  accountOrThrow(accountId: string): AccountState {
    const a = this.data.accounts[accountId];
    if (!a) throw new Error(`no simulated account ${accountId}`);
    return a;
  }

  /** Every account. */
  accounts(): AccountState[] {
    return Object.values(this.data.accounts);
  }

  /** A plug-in service's state slice for an account, created on first use. */
  serviceState<T>(accountId: string, service: string, init: () => T): T {
    const account = this.accountOrThrow(accountId);
    if (!(service in account.services)) account.services[service] = init();
    return account.services[service] as T;
  }

  /** Current simulated time as ISO-8601 without milliseconds. */
  nowIso(): string {
    return isoSeconds(this.clock.now());
  }

  /** Make requests signed with `accessKeyId` appear to come from `ip` (scenarios only). */
  setApparentIp(accessKeyId: string, ip: string | undefined): void {
    if (ip === undefined) delete this.data.apparentIps[accessKeyId];
    else this.data.apparentIps[accessKeyId] = ip;
  }
}
