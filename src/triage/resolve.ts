import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetRoleCommand, GetUserCommand, IAMClient, GetAccessKeyLastUsedCommand } from '@aws-sdk/client-iam';
import { GetAccessKeyInfoCommand, STSClient } from '@aws-sdk/client-sts';
import { classifyAwsError, describeAwsError } from '../aws/errors.js';
import type { ClientPool } from '../aws/pool.js';
import type { Subject } from '../case/schema.js';
import { accountOfArn } from './subject.js';

/** The credential types the playbook distinguishes. */
export type CredentialType =
  | 'access-key'
  | 'temporary-key'
  | 'console-password'
  | 'iam-user'
  | 'role'
  | 'role-session'
  | 'federated-session'
  | 'root'
  | 'unknown';

/** A subject tied to its owner: which account, which user, role or session. */
export interface ResolvedSubject {
  subject: Subject;
  /** The account that owns the credential (GetAccessKeyInfo for keys, the ARN otherwise). */
  account: string | undefined;
  /** The account Tourniquet is signed into. */
  ourAccount: string;
  credential: CredentialType;
  accessKeyId?: string;
  user?: { name: string; arn: string | undefined };
  role?: { name: string; arn: string | undefined };
  /** For a temporary key or assumed-role ARN: the session principal. */
  sessionArn?: string;
  /** Checks that could not be made, with the reason. */
  notChecked: string[];
}

type Note = (what: string, error: unknown) => void;

async function keyAccount(pool: ClientPool, key: string, note: Note): Promise<string | undefined> {
  try {
    // GetAccessKeyInfo answers for any key id, ours or not (aws-facts §3.6).
    return (await pool.get(STSClient, 'us-east-1').send(new GetAccessKeyInfoCommand({ AccessKeyId: key })))
      .Account;
  } catch (error) {
    note('owning account (sts:GetAccessKeyInfo)', error);
    return undefined;
  }
}

interface SignerIdentity {
  type?: string;
  arn?: string;
  userName?: string;
  sessionContext?: { sessionIssuer?: { type?: string; arn?: string; userName?: string } };
}

/** Who signed with a temporary key, from the first CloudTrail event it signed. */
async function temporaryKeyOwner(
  pool: ClientPool,
  key: string,
  note: Note,
): Promise<SignerIdentity | undefined> {
  for (const region of [...new Set(['us-east-1', pool.defaultRegion])]) {
    try {
      const out = await pool.get(CloudTrailClient, region).send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: key }],
          MaxResults: 5,
        }),
      );
      const event = out.Events?.find((e) => e.CloudTrailEvent);
      if (event)
        return (JSON.parse(event.CloudTrailEvent!) as { userIdentity?: SignerIdentity }).userIdentity;
    } catch (error) {
      note(`sessions of ${key} (cloudtrail:LookupEvents ${region})`, error);
    }
  }
  return undefined;
}

/**
 * Tie a subject to its owner with as few calls as possible (contain runs this on its own, triage
 * adds the detail). A refusal (AccessDenied) is recorded in `notChecked`, never thrown; other
 * errors (rejected credentials, network) are raised.
 */
export async function resolveSubject(
  pool: ClientPool,
  subject: Subject,
  ourAccount: string,
  poolFor: (account: string) => Promise<ClientPool> = () => Promise.resolve(pool),
): Promise<ResolvedSubject> {
  const notChecked: string[] = [];
  const note: Note = (what, error) => {
    const c = classifyAwsError(error);
    if (c.kind === 'other' && (c.credentialsRejected || c.network || c.httpStatus === undefined)) throw error;
    notChecked.push(`${what}: ${describeAwsError(c)}`);
  };
  const out: ResolvedSubject = {
    subject,
    account: accountOfArn(subject.arn),
    ourAccount,
    credential: 'unknown',
    notChecked,
  };

  if (subject.kind === 'root') {
    out.account ??= ourAccount;
    out.credential = 'root';
    return out;
  }

  if (subject.kind === 'access-key') {
    const key = subject.accessKeyId!;
    out.accessKeyId = key;
    out.account = await keyAccount(pool, key, note);
    const owner =
      out.account === undefined || out.account === ourAccount
        ? pool
        : await tryPool(poolFor, out.account, note);
    if (key.startsWith('ASIA')) {
      out.credential = 'temporary-key';
      const signer = owner && (await temporaryKeyOwner(owner, key, note));
      const issuer = signer?.sessionContext?.sessionIssuer;
      if (signer?.type === 'AssumedRole' && issuer?.arn) {
        out.credential = 'role-session';
        out.role = { name: issuer.userName ?? issuer.arn.split('/').at(-1)!, arn: issuer.arn };
        out.sessionArn = signer.arn;
      } else if (signer?.type === 'FederatedUser' && issuer?.arn) {
        out.credential = 'federated-session';
        out.user = { name: issuer.userName ?? issuer.arn.split('/').at(-1)!, arn: issuer.arn };
        out.sessionArn = signer.arn;
      } else if (signer?.type === 'IAMUser' && signer.userName) {
        // GetSessionToken sessions act as the user itself (aws-facts §1.2).
        out.user = { name: signer.userName, arn: signer.arn };
        out.sessionArn = signer.arn;
      } else if (signer?.type === 'Root') {
        out.credential = 'root';
      }
      out.account ??= accountOfArn(signer?.arn);
      return out;
    }
    out.credential = 'access-key';
    if (!owner) return out;
    try {
      const used = await owner
        .get(IAMClient, 'us-east-1')
        .send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key }));
      const name = used.UserName;
      if (name && name !== '<root_account>' && name !== 'root') {
        const user = await owner.get(IAMClient, 'us-east-1').send(new GetUserCommand({ UserName: name }));
        out.user = { name, arn: user.User?.Arn };
      } else if (name) out.credential = 'root';
    } catch (error) {
      note(`owner of ${key} (iam:GetAccessKeyLastUsed)`, error);
    }
    return out;
  }

  out.account ??= ourAccount;
  const owner = out.account === ourAccount ? pool : await tryPool(poolFor, out.account, note);
  if (subject.kind === 'user') {
    out.credential = 'iam-user';
    out.user = { name: subject.userName!, arn: subject.arn };
    if (owner) {
      try {
        const user = await owner
          .get(IAMClient, 'us-east-1')
          .send(new GetUserCommand({ UserName: subject.userName }));
        out.user.arn = user.User?.Arn;
        out.account = accountOfArn(user.User?.Arn) ?? out.account;
      } catch (error) {
        note(`user ${subject.userName!} (iam:GetUser)`, error);
      }
    }
    return out;
  }
  // role or assumed-role
  out.credential = subject.kind === 'role' ? 'role' : 'role-session';
  if (subject.kind === 'assumed-role') out.sessionArn = subject.arn;
  out.role = { name: subject.roleName!, arn: subject.kind === 'role' ? subject.arn : undefined };
  if (owner) {
    try {
      const role = await owner
        .get(IAMClient, 'us-east-1')
        .send(new GetRoleCommand({ RoleName: subject.roleName }));
      out.role.arn = role.Role?.Arn;
    } catch (error) {
      note(`role ${subject.roleName!} (iam:GetRole)`, error);
    }
  }
  return out;
}

async function tryPool(
  poolFor: (account: string) => Promise<ClientPool>,
  account: string,
  note: Note,
): Promise<ClientPool | undefined> {
  try {
    return await poolFor(account);
  } catch (error) {
    // No way into the owning account: say so, do not guess.
    note(
      `account ${account}`,
      Object.assign(new Error(String((error as Error).message)), { name: 'AccessDenied' }),
    );
    return undefined;
  }
}
