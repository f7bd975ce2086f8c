import { SimError } from '../../core/errors.js';
import type { AccountState, SimState } from '../../state.js';
import { AWS_MANAGED_POLICIES } from './aws-managed.js';
import type { AccessKey, IamRole, IamUser, ManagedPolicy } from './model.js';

/**
 * IAM state changes shared by the API handlers and by in-process setup (the `sim` command's
 * responder, tests, scenarios). Errors are AWS's (NoSuchEntity 404, EntityAlreadyExists 409…).
 */

/** `/` or a path like `/division/` (IAM paths start and end with a slash). */
export function checkPath(path: string | undefined): string {
  const p = path ?? '/';
  if (!/^\/([\x21-\x7e]*\/)?$/.test(p)) {
    throw new SimError(
      'ValidationError',
      `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`,
      400,
    );
  }
  return p;
}

export function noSuchUser(name: string): SimError {
  return new SimError('NoSuchEntity', `The user with name ${name} cannot be found.`, 404);
}

/** The user, or NoSuchEntity. */
export function getUser(account: AccountState, userName: string): IamUser {
  const user = account.iam.users[userName];
  if (!user) throw noSuchUser(userName);
  return user;
}

/** The role, or NoSuchEntity. */
export function getRole(account: AccountState, roleName: string): IamRole {
  const role = account.iam.roles[roleName];
  if (!role) throw new SimError('NoSuchEntity', `The role with name ${roleName} cannot be found.`, 404);
  return role;
}

/** Create a user. */
export function createUser(
  sim: SimState,
  account: AccountState,
  userName: string,
  path = '/',
  tags: IamUser['tags'] = [],
): IamUser {
  if (account.iam.users[userName]) {
    throw new SimError('EntityAlreadyExists', `User with name ${userName} already exists.`, 409);
  }
  const user: IamUser = {
    userName,
    userId: sim.ids.uniqueId('AIDA'),
    arn: `arn:aws:iam::${account.accountId}:user${checkPath(path)}${userName}`,
    path,
    createDate: sim.nowIso(),
    tags,
    groups: [],
    inlinePolicies: {},
    attachedPolicies: [],
    mfaDevices: [],
  };
  account.iam.users[userName] = user;
  return user;
}

/** Keys of a user (or of root when userName is undefined). */
export function keysOf(account: AccountState, userName: string | undefined): AccessKey[] {
  return Object.values(account.iam.accessKeys).filter((k) => k.userName === userName);
}

/** Create an access key; at most two per user (IAM quota, LimitExceeded 409). */
export function createAccessKey(
  sim: SimState,
  account: AccountState,
  userName: string | undefined,
): AccessKey {
  if (userName !== undefined) getUser(account, userName);
  if (keysOf(account, userName).length >= 2) {
    throw new SimError('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
  }
  const key: AccessKey = {
    accessKeyId: sim.ids.iamId('AKIA'),
    secretAccessKey: sim.ids.secret(),
    userName,
    status: 'Active',
    createDate: sim.nowIso(),
  };
  account.iam.accessKeys[key.accessKeyId] = key;
  return key;
}

/** A managed policy by ARN: AWS managed or the account's own; NoSuchEntity otherwise. */
export function policyExists(account: AccountState, arn: string): boolean {
  return Boolean(AWS_MANAGED_POLICIES[arn] ?? account.iam.policies[arn]);
}

/** The account's customer managed policy, or NoSuchEntity. */
export function getManagedPolicy(account: AccountState, arn: string): ManagedPolicy {
  const p = account.iam.policies[arn];
  if (!p) throw new SimError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
  return p;
}

/** Attach a managed policy to a user/group/role holder (idempotent, as IAM is). */
export function attachPolicy(
  account: AccountState,
  holder: { attachedPolicies: string[] },
  arn: string,
): void {
  if (!policyExists(account, arn)) {
    throw new SimError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
  }
  if (!holder.attachedPolicies.includes(arn)) {
    if (holder.attachedPolicies.length >= 20) {
      throw new SimError('LimitExceeded', 'Cannot exceed quota for PoliciesPerUser: 20', 409);
    }
    holder.attachedPolicies.push(arn);
  }
}

/** Create a user with an access key and policies in one step (setup for drills and tests). */
export function createUserWithKey(
  sim: SimState,
  accountId: string,
  userName: string,
  options: { managedPolicies?: string[]; inlinePolicies?: Record<string, unknown> } = {},
): { user: IamUser; key: AccessKey } {
  const account = sim.accountOrThrow(accountId);
  const user = createUser(sim, account, userName);
  for (const arn of options.managedPolicies ?? []) attachPolicy(account, user, arn);
  for (const [name, doc] of Object.entries(options.inlinePolicies ?? {}))
    user.inlinePolicies[name] = JSON.stringify(doc);
  return { user, key: createAccessKey(sim, account, userName) };
}
