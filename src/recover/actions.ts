import { randomBytes, randomInt } from 'node:crypto';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  DeleteAccessKeyCommand,
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ActionDef, ActionEnv, StepParams } from '../actions/action.js';
import { iamOf, readOrAbsent } from '../actions/iam-read.js';

/** Hand a new secret to the person, never to the journal: the CLI prints it once or writes it 0600. */
function reveal(env: ActionEnv, label: string, value: string): void {
  if (!env.reveal)
    throw new Error(`no way to hand over the new ${label}: refusing to create a secret nobody would see`);
  env.reveal(label, value);
}

async function keysOf(env: ActionEnv, account: string, userName: string) {
  const out = await iamOf(await env.poolFor(account)).send(new ListAccessKeysCommand({ UserName: userName }));
  return (out.AccessKeyMetadata ?? []).map((k) => ({
    accessKeyId: k.AccessKeyId ?? '',
    status: k.Status ?? '',
    created: k.CreateDate?.toISOString() ?? '',
  }));
}

/**
 * Give the owner a new access key in place of the compromised one. The secret goes to the person
 * (`env.reveal`) and never into the journal, the plan or a report; the old key stays (inactive)
 * until `delete-access-key` runs with `--delete-old`. A key left by an interrupted run (its secret
 * was never shown, so nobody can use it) is deleted before a new one is made.
 */
export const rotateAccessKey: ActionDef = {
  name: 'rotate-access-key',
  summary:
    "create the owner's new access key (shown once, never stored); the old one stays inactive until --delete-old",
  target: (p) => `${p.userName ?? '?'}:${p.accessKeyId ?? '?'}`,
  async plan(env, account, p) {
    const keys = await keysOf(env, account, p.userName!);
    const others = keys.filter((k) => k.accessKeyId !== p.accessKeyId);
    const before = { keys };
    if (!keys.some((k) => k.accessKeyId === p.accessKeyId) && others.length && p.deleteOld === 'true')
      return { before, change: 'already rotated: the old key is gone and the owner has another', noop: true };
    if (keys.length >= 2 && p.deleteOld !== 'true')
      return {
        before,
        change: 'not done: the user already has two keys (IAM allows two)',
        noop: true,
        refused: `${p.userName ?? '?'} already has two access keys: delete the old one first (--delete-old)`,
      };
    return {
      before,
      change: `create a new access key for ${p.userName ?? '?'} (the secret is shown once)`,
      noop: false,
    };
  },
  async apply(env, step, context) {
    const iam = iamOf(await env.poolFor(step.account));
    const userName = step.params.userName!;
    const known = new Set(
      (step.before as { keys: { accessKeyId: string }[] }).keys.map((k) => k.accessKeyId),
    );
    for (const k of await keysOf(env, step.account, userName))
      if (!known.has(k.accessKeyId) && Date.parse(k.created) >= context.at.getTime() - 1000)
        await readOrAbsent(() =>
          iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: k.accessKeyId })),
        );
    // IAM allows two keys: when the old one goes (--delete-old), it goes first.
    if (step.params.deleteOld === 'true' && (await keysOf(env, step.account, userName)).length >= 2)
      throw new Error(
        `${userName} still has two keys: the old key must be deleted before the new one is made`,
      );
    const made = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey;
    if (!made?.AccessKeyId || !made.SecretAccessKey) throw new Error('CreateAccessKey returned no key');
    reveal(
      env,
      `new access key ${made.AccessKeyId} of ${userName}`,
      `${made.AccessKeyId}:${made.SecretAccessKey}`,
    );
    return { newAccessKeyId: made.AccessKeyId };
  },
  async verify(env, step, applied) {
    const id = applied?.newAccessKeyId;
    const keys = await keysOf(env, step.account, step.params.userName!);
    const found = keys.find((k) => k.accessKeyId === id);
    return found?.status === 'Active'
      ? { ok: true, observed: `new key ${String(id)} Active` }
      : { ok: false, observed: `new key ${String(id)} ${found ? found.status : 'missing'}` };
  },
  async undo(env, _step, applied) {
    const id = applied?.newAccessKeyId;
    if (typeof id !== 'string') return { restored: 'nothing: no key was made' };
    await readOrAbsent(async () =>
      iamOf(await env.poolFor(_step.account)).send(
        new DeleteAccessKeyCommand({ UserName: _step.params.userName, AccessKeyId: id }),
      ),
    );
    return { restored: `new key ${id} deleted` };
  },
};

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!@#$%^&*()-_=+[]{}';

/** A 24-character password with every class IAM password policies can require. */
export function newPassword(): string {
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const pick = (set: string) => set[randomInt(set.length)]!;
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  for (const byte of randomBytes(20)) chars.push(all[byte % all.length]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/**
 * Give the owner a new console password that must be changed at the next sign-in. A password the
 * containment deleted (`create=true`) is created again the same way; a user without one gets none.
 */
export const resetConsolePassword: ActionDef = {
  name: 'reset-console-password',
  summary: 'set a new console password that must be changed at the next sign-in (shown once, never stored)',
  irreversibleBecause: 'the old password cannot be restored (and must not be)',
  target: (p) => p.userName ?? '?',
  async plan(env, account, p: StepParams) {
    const iam = iamOf(await env.poolFor(account));
    const profile = await readOrAbsent(() => iam.send(new GetLoginProfileCommand({ UserName: p.userName })));
    const before = {
      exists: Boolean(profile?.LoginProfile),
      created: profile?.LoginProfile?.CreateDate?.toISOString() ?? null,
    };
    if (!before.exists && p.create !== 'true')
      return { before, change: 'no console password: nothing to reset', noop: true };
    return {
      before,
      change: `${before.exists ? 'replace' : 'create'} the console password, change required at the next sign-in`,
      noop: false,
    };
  },
  async apply(env, step) {
    const iam = iamOf(await env.poolFor(step.account));
    const password = newPassword();
    const exists = await readOrAbsent(() =>
      iam.send(new GetLoginProfileCommand({ UserName: step.params.userName })),
    );
    if (exists)
      await iam.send(
        new UpdateLoginProfileCommand({
          UserName: step.params.userName,
          Password: password,
          PasswordResetRequired: true,
        }),
      );
    else
      await iam.send(
        new CreateLoginProfileCommand({
          UserName: step.params.userName,
          Password: password,
          PasswordResetRequired: true,
        }),
      );
    reveal(env, `console password of ${step.params.userName ?? '?'}`, password);
    return { passwordResetRequired: true };
  },
  async verify(env, step) {
    const iam = iamOf(await env.poolFor(step.account));
    const profile = await readOrAbsent(() =>
      iam.send(new GetLoginProfileCommand({ UserName: step.params.userName })),
    );
    if (!profile && step.noop) return { ok: true, observed: 'no console password (none to reset)' };
    return profile?.LoginProfile?.PasswordResetRequired
      ? { ok: true, observed: 'password reset required at the next sign-in' }
      : { ok: false, observed: profile ? 'no reset required' : 'no console password' };
  },
};

/**
 * Rotate a secret the attacker could read, through its own rotation function, when it has one.
 * A secret without rotation is refused with the way out: rotate it by hand, then mark it done.
 */
export const rotateSecret: ActionDef = {
  name: 'rotate-secret',
  summary:
    'rotate a secret the compromised principal could read (RotateSecret, where rotation is configured)',
  irreversibleBecause: 'the previous value stays as AWSPREVIOUS; Secrets Manager cannot undo a rotation',
  target: (p) => `${p.region ?? '?'}/${p.secretId ?? '?'}`,
  async plan(env, account, p) {
    const sm = (await env.poolFor(account)).get(SecretsManagerClient, p.region);
    const secret = await readOrAbsent(() => sm.send(new DescribeSecretCommand({ SecretId: p.secretId })));
    if (!secret) return { before: { exists: false }, change: 'no such secret', noop: true };
    const before = {
      exists: true,
      rotationEnabled: secret.RotationEnabled ?? false,
      lastRotated: secret.LastRotatedDate?.toISOString() ?? null,
      read: p.read === 'true',
    };
    if (p.since && before.lastRotated && before.lastRotated >= p.since)
      return { before, change: `already rotated at ${before.lastRotated}`, noop: true };
    if (!before.rotationEnabled)
      return {
        before,
        change: 'not rotated: no rotation configured',
        noop: true,
        refused: `${p.secretId ?? '?'} has no rotation function: change its value by hand (and where it is used)`,
      };
    return { before, change: `rotate now${before.read ? ' (the attacker read it)' : ''}`, noop: false };
  },
  async apply(env, step) {
    const sm = (await env.poolFor(step.account)).get(SecretsManagerClient, step.params.region);
    const out = await sm.send(new RotateSecretCommand({ SecretId: step.params.secretId }));
    return { versionId: out.VersionId };
  },
  async verify(env, step, applied) {
    const sm = (await env.poolFor(step.account)).get(SecretsManagerClient, step.params.region);
    const secret = await sm.send(new DescribeSecretCommand({ SecretId: step.params.secretId }));
    const stages = secret.VersionIdsToStages?.[String(applied?.versionId)] ?? [];
    return stages.includes('AWSCURRENT')
      ? { ok: true, observed: `version ${String(applied?.versionId)} is AWSCURRENT` }
      : {
          ok: false,
          observed: `version ${String(applied?.versionId)}: ${stages.join(', ') || 'not current yet'}`,
        };
  },
};
