import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { ActionDef } from './action.js';
import { accessKeyStatus, iamOf } from './iam-read.js';

/**
 * Deactivate an IAM user's access key — never delete it at this stage: an inactive key can be
 * reactivated if it was the wrong one, and its id stays attributable in CloudTrail and in the
 * credential report. AWS refuses calls signed with an inactive key (`InvalidClientTokenId`),
 * but sessions already issued from it (GetSessionToken, GetFederationToken, AssumeRole) keep
 * working until they expire: the user and role steps deal with those.
 */
export const deactivateAccessKey: ActionDef = {
  name: 'deactivate-access-key',
  summary: 'deactivate the access key (never deleted at this stage)',
  target: (p) => p.accessKeyId ?? '?',
  async plan(env, account, params) {
    const pool = await env.poolFor(account);
    const state = await accessKeyStatus(pool, params.userName!, params.accessKeyId!);
    if (!state) return { before: { exists: false }, change: 'key no longer exists', noop: true };
    const noop = state.status === 'Inactive';
    return {
      before: { exists: true, ...state },
      change: noop ? 'already Inactive' : `${state.status} → Inactive`,
      noop,
    };
  },
  async apply(env, step) {
    const pool = await env.poolFor(step.account);
    await iamOf(pool).send(
      new UpdateAccessKeyCommand({
        UserName: step.params.userName,
        AccessKeyId: step.params.accessKeyId,
        Status: 'Inactive',
      }),
    );
    return { status: 'Inactive' };
  },
  async verify(env, step) {
    const pool = await env.poolFor(step.account);
    const state = await accessKeyStatus(pool, step.params.userName!, step.params.accessKeyId!);
    if (!state) return { ok: true, observed: 'key no longer exists' };
    return { ok: state.status === 'Inactive', observed: `status ${state.status}` };
  },
  async undo(env, step) {
    const before = step.before as { exists: boolean; status?: string };
    if (!before.exists || before.status !== 'Active')
      return { restored: 'nothing: it was not Active before' };
    const pool = await env.poolFor(step.account);
    await iamOf(pool).send(
      new UpdateAccessKeyCommand({
        UserName: step.params.userName,
        AccessKeyId: step.params.accessKeyId,
        Status: 'Active',
      }),
    );
    return { restored: 'Active' };
  },
};
