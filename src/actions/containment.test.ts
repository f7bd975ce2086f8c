import { describe, expect, it } from 'vitest';
import { silentLogger } from '../context.js';
import { systemClock } from '../clock.js';
import { UserError } from '../errors.js';
import type { ResolvedSubject } from '../triage/resolve.js';
import type { ActionEnv } from './action.js';
import { draftContainment, ROOT_CHECKLIST } from './containment.js';
import type { DerivedSession } from './derived-sessions.js';

// Drafting for these subjects reads nothing from AWS, so no account is needed.
const env: ActionEnv = {
  clock: systemClock,
  log: silentLogger,
  poolFor: () => Promise.reject(new Error('no AWS here')),
};
const A = '111122223333';
const key: ResolvedSubject = {
  subject: { input: 'AKIAVICTIM', kind: 'access-key', accessKeyId: 'AKIAVICTIM' },
  account: A,
  ourAccount: A,
  credential: 'access-key',
  accessKeyId: 'AKIAVICTIM',
  user: { name: 'ci', arn: `arn:aws:iam::${A}:user/ci` },
  notChecked: [],
};
const lineage: DerivedSession[] = [
  {
    accessKeyId: 'ASIA1',
    via: 'AssumeRole',
    parentKey: 'AKIAVICTIM',
    account: A,
    roleArn: `arn:aws:iam::${A}:role/deploy`,
    issuedAt: '',
    depth: 1,
  },
  {
    accessKeyId: 'ASIA2',
    via: 'AssumeRole',
    parentKey: 'ASIA1',
    account: '444455556666',
    roleArn: 'arn:aws:iam::444455556666:role/p',
    issuedAt: '',
    depth: 2,
  },
  {
    accessKeyId: 'AKIANEW',
    via: 'CreateAccessKey',
    parentKey: 'AKIAVICTIM',
    account: A,
    userName: 'ops',
    issuedAt: '',
    depth: 1,
  },
  {
    accessKeyId: 'ASIA3',
    via: 'GetSessionToken',
    parentKey: 'AKIAVICTIM',
    account: A,
    issuedAt: '',
    depth: 1,
  },
];
const steps = async (options = {}, subject = key) =>
  (await draftContainment(env, subject, lineage, options)).requests.map(
    (r) => `${r.action} ${r.account} ${r.params.accessKeyId ?? r.params.name}`,
  );

describe('containment steps by credential type', () => {
  it('an access key: the key, its user, keys it made, and every role reached in every account', async () => {
    expect(await steps()).toEqual([
      `deactivate-access-key ${A} AKIAVICTIM`,
      `user-deny-all ${A} ci`,
      `user-revoke-sessions ${A} ci`,
      `deactivate-access-key ${A} AKIANEW`,
      `role-revoke-sessions ${A} deploy`,
      'role-revoke-sessions 444455556666 p',
    ]);
  });

  it('--skip by name or step id, --add an optional step', async () => {
    expect(
      await steps({ skip: ['user-deny-all', `role-revoke-sessions:444455556666:`], add: ['role-deny-all'] }),
    ).toEqual([
      `deactivate-access-key ${A} AKIAVICTIM`,
      `user-revoke-sessions ${A} ci`,
      `deactivate-access-key ${A} AKIANEW`,
      `role-revoke-sessions ${A} deploy`,
      `role-deny-all ${A} deploy`,
      'role-deny-all 444455556666 p',
    ]);
    await expect(steps({ add: ['nuke-account'] })).rejects.toThrow(UserError);
    await expect(steps({ skip: ['typo'] })).rejects.toThrow(/--skip typo: no such step/);
  });

  it('root: no steps, the checklist', async () => {
    const root: ResolvedSubject = {
      subject: { input: 'root', kind: 'root' },
      account: A,
      ourAccount: A,
      credential: 'root',
      notChecked: [],
    };
    const draft = await draftContainment(env, root, lineage);
    expect(draft.requests).toEqual([]);
    expect(draft.manual).toEqual(ROOT_CHECKLIST);
  });
});
