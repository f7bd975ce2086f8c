import type { AccessKey, IamRole, IamUser } from '../services/iam/model.js';
import type { AccountState, SimState, StsSession } from '../state.js';
import { authError } from './auth-errors.js';
import type { SimError } from './errors.js';
import type { SimHttpRequest } from './http.js';
import type { Caller, Protocol } from './service.js';
import { amzDateMs, signatureMatches, type SigV4Parts } from './sigv4.js';

/** A credential the simulator knows: a long-term key or an STS session. */
export type KnownCredential =
  | { kind: 'key'; account: AccountState; key: AccessKey; secret: string }
  | { kind: 'session'; account: AccountState; session: StsSession; secret: string };

/** Find an access key id among every account's keys and every STS session. */
export function findCredential(sim: SimState, accessKeyId: string): KnownCredential | undefined {
  const session = sim.data.sessions[accessKeyId];
  if (session) {
    const account = sim.account(session.accountId);
    if (account) return { kind: 'session', account, session, secret: session.secretAccessKey };
  }
  for (const account of sim.accounts()) {
    const key = account.iam.accessKeys[accessKeyId];
    if (key) return { kind: 'key', account, key, secret: key.secretAccessKey };
  }
  return undefined;
}

/** The ARN of a role session. */
export function assumedRoleArn(accountId: string, roleName: string, sessionName: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

/** Build the caller a credential stands for (the identity GetCallerIdentity reports). */
export function callerOf(cred: KnownCredential): Caller {
  const accountId = cred.account.accountId;
  const root = `arn:aws:iam::${accountId}:root`;
  if (cred.kind === 'key') {
    const user: IamUser | undefined = cred.key.userName
      ? cred.account.iam.users[cred.key.userName]
      : undefined;
    if (!cred.key.userName) {
      return {
        type: 'Root',
        accountId,
        arn: root,
        principalArn: root,
        principalId: accountId,
        accessKeyId: cred.key.accessKeyId,
        mfa: false,
      };
    }
    const arn = user?.arn ?? `arn:aws:iam::${accountId}:user/${cred.key.userName}`;
    return {
      type: 'IAMUser',
      accountId,
      arn,
      principalArn: arn,
      principalId: user?.userId ?? '',
      userName: cred.key.userName,
      accessKeyId: cred.key.accessKeyId,
      mfa: false,
    };
  }
  const s = cred.session;
  const base = { accountId, accessKeyId: s.accessKeyId, session: s, mfa: s.mfaAuthenticated };
  switch (s.kind) {
    case 'assumed-role': {
      const role: IamRole | undefined = cred.account.iam.roles[s.roleName ?? ''];
      const arn = assumedRoleArn(accountId, s.roleName ?? '', s.sessionName ?? '');
      return {
        ...base,
        type: 'AssumedRole',
        arn,
        principalArn: role?.arn ?? `arn:aws:iam::${accountId}:role/${s.roleName ?? ''}`,
        principalId: `${role?.roleId ?? ''}:${s.sessionName ?? ''}`,
      };
    }
    case 'federated-user': {
      const arn = `arn:aws:sts::${accountId}:federated-user/${s.federatedName ?? ''}`;
      return {
        ...base,
        type: 'FederatedUser',
        arn,
        principalArn: arn,
        principalId: `${accountId}:${s.federatedName ?? ''}`,
      };
    }
    case 'session-token': {
      if (!s.userName)
        return { ...base, type: 'Root', arn: root, principalArn: root, principalId: accountId };
      const user = cred.account.iam.users[s.userName];
      const arn = user?.arn ?? `arn:aws:iam::${accountId}:user/${s.userName}`;
      return {
        ...base,
        type: 'IAMUser',
        arn,
        principalArn: arn,
        principalId: user?.userId ?? '',
        userName: s.userName,
      };
    }
  }
}

/** Result of authenticating a signed request. */
export interface Authentication {
  /** The caller, when the key is known (also on failure: CloudTrail records who tried). */
  caller?: Caller | undefined;
  error?: SimError | undefined;
}

/** Largest clock skew AWS accepts between the signature date and its own clock (15 minutes). */
const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Check a SigV4 signature and the key behind it. Signature dates are compared with the *wall*
 * clock (clients sign with real time even when the account runs on simulated time); session
 * expiry follows the simulated clock, like everything else in the account.
 */
export function authenticate(
  sim: SimState,
  req: SimHttpRequest,
  sig: SigV4Parts,
  protocol: Protocol,
  expectedService: string,
  realNow: number,
): Authentication {
  if (sig.terminator !== 'aws4_request') {
    return {
      error: authError(
        protocol,
        'malformed',
        `Credential should be scoped with a valid terminator: 'aws4_request', not '${sig.terminator}'.`,
      ),
    };
  }
  if (sig.service !== expectedService) {
    return {
      error: authError(
        protocol,
        'badSignature',
        `Credential should be scoped to correct service: '${expectedService}'. `,
      ),
    };
  }
  if (!sig.amzDate.startsWith(sig.scopeDate)) {
    return {
      error: authError(
        protocol,
        'badSignature',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${sig.scopeDate}' != '${sig.amzDate.slice(0, 8)}', from '${sig.amzDate}'.`,
      ),
    };
  }
  const signedAt = amzDateMs(sig.amzDate);
  if (Number.isNaN(signedAt))
    return { error: authError(protocol, 'malformed', `Invalid X-Amz-Date: ${sig.amzDate}`) };
  if (sig.presigned) {
    if (realNow > signedAt + (sig.expires ?? 900) * 1000) {
      return { error: authError(protocol, 'accessDenied', 'Request has expired') };
    }
  } else if (Math.abs(realNow - signedAt) > MAX_SKEW_MS) {
    const now = new Date(realNow)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    return {
      error: authError(
        protocol,
        'skewed',
        realNow > signedAt
          ? `Signature expired: ${sig.amzDate} is now earlier than ${now} (${now} - 15 min.)`
          : `Signature not yet current: ${sig.amzDate} is still later than ${now} (${now} + 15 min.)`,
      ),
    };
  }

  const cred = findCredential(sim, sig.accessKeyId);
  if (!cred) return { error: authError(protocol, 'invalidKey') };
  const caller = callerOf(cred);
  if (!signatureMatches(req, sig, cred.secret)) return { caller, error: authError(protocol, 'badSignature') };
  if (cred.kind === 'key') {
    if (cred.key.status !== 'Active') return { caller, error: authError(protocol, 'invalidKey') };
    return { caller };
  }
  if (sig.securityToken !== cred.session.sessionToken)
    return { caller, error: authError(protocol, 'invalidToken') };
  if (Date.parse(cred.session.expiration) <= sim.clock.nowMs())
    return { caller, error: authError(protocol, 'expiredToken') };
  return { caller };
}
