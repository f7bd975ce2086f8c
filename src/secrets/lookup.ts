import { GetAccessKeyLastUsedCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetAccessKeyInfoCommand, STSClient } from '@aws-sdk/client-sts';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { ClientPool } from '../aws/pool.js';

/** What AWS says about a found key id. */
export interface KeyStatus {
  account?: string | undefined;
  /** `active`/`inactive`/`deleted` for a key of the responder's account; otherwise its owner is another account. */
  state: 'active' | 'inactive' | 'deleted' | 'other-account' | 'not-checked';
  user?: string | undefined;
  why?: string | undefined;
}

const reason = (what: string, error: unknown) => `${what}: ${describeAwsError(classifyAwsError(error))}`;

/**
 * Name each key's account (STS GetAccessKeyInfo, answered for any key id) and, for keys of the
 * responder's own account, whether the key is still active (its user from GetAccessKeyLastUsed,
 * its status from ListAccessKeys). Reads only.
 */
export async function lookupKeys(
  pool: ClientPool,
  responderAccount: string,
  keyIds: string[],
): Promise<Map<string, KeyStatus>> {
  const sts = pool.get(STSClient, 'us-east-1');
  const iam = pool.get(IAMClient, 'us-east-1');
  const out = new Map<string, KeyStatus>();
  for (const id of keyIds) {
    let account: string | undefined;
    try {
      account = (await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: id }))).Account;
    } catch (error) {
      out.set(id, { state: 'not-checked', why: reason('STS GetAccessKeyInfo', error) });
      continue;
    }
    if (account !== responderAccount) {
      out.set(id, { account, state: 'other-account' });
      continue;
    }
    try {
      const user = (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }))).UserName;
      if (!user) {
        out.set(id, {
          account,
          state: 'not-checked',
          why: 'a root user key or a session: IAM names no user',
        });
        continue;
      }
      const keys = (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
      const key = keys.find((k) => k.AccessKeyId === id);
      out.set(id, {
        account,
        user,
        state: !key ? 'deleted' : key.Status === 'Active' ? 'active' : 'inactive',
      });
    } catch (error) {
      const c = classifyAwsError(error);
      // IAM answers NoSuchEntity for a key that no longer exists.
      if (c.kind === 'absent') out.set(id, { account, state: 'deleted' });
      else
        out.set(id, {
          account,
          state: 'not-checked',
          why: reason('IAM GetAccessKeyLastUsed/ListAccessKeys', error),
        });
    }
  }
  return out;
}
