import { existsSync } from 'node:fs';
import { startSim, type RunningSim } from './index.js';
import { attachPolicy, createAccessKey, createUser, keysOf } from './services/iam/entities.js';
import { SimState, VICTIM_ACCOUNT } from './state.js';

/** The security team's IAM user the simulated account starts with. */
export const RESPONDER_USER = 'security-responder';

/** Credentials handed to the person running the drill. */
export interface ResponderCredentials {
  accountId: string;
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Make sure the victim account has the responder user with AdministratorAccess and an active
 * key; reuse them when a saved state already has them.
 */
export function ensureResponder(state: SimState): ResponderCredentials {
  const account = state.accountOrThrow(VICTIM_ACCOUNT);
  const user = account.iam.users[RESPONDER_USER] ?? createUser(state, account, RESPONDER_USER);
  attachPolicy(account, user, 'arn:aws:iam::aws:policy/AdministratorAccess');
  const key =
    keysOf(account, RESPONDER_USER).find((k) => k.status === 'Active') ??
    createAccessKey(state, account, RESPONDER_USER);
  return {
    accountId: VICTIM_ACCOUNT,
    userName: RESPONDER_USER,
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
  };
}

/** A served account with its responder. */
export interface ServedAccount {
  sim: RunningSim;
  responder: ResponderCredentials;
  /** Whether the state came from `stateFile`. */
  resumed: boolean;
}

/** Start the account for `tourniquet sim`: load `stateFile` if it exists, else a fresh seeded one. */
export async function serveAccount(options: {
  port?: number;
  stateFile?: string;
  seed?: string;
  /** LookupEvents calls per second per region it allows (AWS: 2). */
  lookupEventsPerSecond?: number;
}): Promise<ServedAccount> {
  const resumed = Boolean(options.stateFile && existsSync(options.stateFile));
  const state = resumed
    ? SimState.load(options.stateFile!)
    : SimState.create({ seed: options.seed ?? 'tourniquet' });
  const responder = ensureResponder(state);
  const sim = await startSim({
    port: options.port ?? 0,
    state,
    ...(options.lookupEventsPerSecond ? { lookupEventsPerSecond: options.lookupEventsPerSecond } : {}),
  });
  return { sim, responder, resumed };
}

/** Shell lines that point the SDK and the CLI at the account as the responder. */
export function exportLines(endpoint: string, r: ResponderCredentials, region = 'us-east-1'): string[] {
  return [
    `export AWS_ENDPOINT_URL=${endpoint}`,
    `export AWS_ACCESS_KEY_ID=${r.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${r.secretAccessKey}`,
    `export AWS_REGION=${region}`,
    // AWS CLI v1 and boto3 read only AWS_DEFAULT_REGION and ask for a region without it.
    `export AWS_DEFAULT_REGION=${region}`,
    `unset AWS_SESSION_TOKEN AWS_PROFILE`,
    // AWS CLI before 2.13 ignores AWS_ENDPOINT_URL.
    `alias aws='aws --endpoint-url ${endpoint}'`,
  ];
}
