import { DeleteLoginProfileCommand } from '@aws-sdk/client-iam';
import type { ActionDef } from './action.js';
import { iamOf, loginProfile, readOrAbsent } from './iam-read.js';

/**
 * Remove an IAM user's console password. The before-state records that it existed, when it was
 * created and when it was last used (GetUser PasswordLastUsed), because that is evidence once
 * the profile is gone. Console sessions already open are not ended by this; the user deny
 * policies are what stop them.
 */
export const deleteLoginProfile: ActionDef = {
  name: 'delete-login-profile',
  summary: 'delete the console password (recording that it existed and its last use)',
  irreversibleBecause:
    'AWS cannot restore a deleted password; set a new one with `aws iam create-login-profile --password-reset-required`',
  target: (p) => p.userArn ?? p.userName ?? '?',
  async plan(env, account, params) {
    const pool = await env.poolFor(account);
    const profile = await loginProfile(pool, params.userName!);
    if (!profile) return { before: { exists: false }, change: 'no console password', noop: true };
    return {
      before: { exists: true, ...profile },
      change: `delete console password (created ${profile.created ?? 'unknown'}, last used ${profile.lastUsed ?? 'never'})`,
      noop: false,
    };
  },
  async apply(env, step) {
    const pool = await env.poolFor(step.account);
    // Gone already (a concurrent responder, a resumed run) is the target state, not an error.
    const out = await readOrAbsent(() =>
      iamOf(pool).send(new DeleteLoginProfileCommand({ UserName: step.params.userName })),
    );
    return { deleted: out !== undefined };
  },
  async verify(env, step) {
    const pool = await env.poolFor(step.account);
    const profile = await loginProfile(pool, step.params.userName!);
    return profile
      ? { ok: false, observed: 'a console password is still set' }
      : { ok: true, observed: 'no console password' };
  },
};
