import { javaDate } from '../../clock.js';
import { SimError } from '../../core/errors.js';
import type { OpContext } from '../../core/service.js';
import type { StsSession } from '../../state.js';

/** STS handler context (sessions live in `sim.data.sessions`). */
export type StsCtx = OpContext<undefined>;

/** DurationSeconds bounds (STS API reference): 900 s minimum everywhere. */
export function duration(ctx: StsCtx, fallback: number, max: number): number {
  const d = ctx.params.int('DurationSeconds') ?? fallback;
  if (d < 900 || d > max) {
    throw new SimError(
      'ValidationError',
      `1 validation error detected: Value '${d}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${d < 900 ? 'greater than or equal to 900' : `less than or equal to ${max}`}`,
      400,
    );
  }
  return d;
}

/**
 * Whether the call carries a valid MFA code for the caller's enabled device (`SerialNumber` +
 * six-digit `TokenCode`). A wrong serial is AccessDenied, as STS answers.
 */
export function mfaFromParams(ctx: StsCtx): boolean {
  const serial = ctx.params.get('SerialNumber');
  const code = ctx.params.get('TokenCode');
  if (!serial) return false;
  const user = ctx.caller.userName ? ctx.account.iam.users[ctx.caller.userName] : undefined;
  const ok =
    ctx.caller.type === 'Root'
      ? ctx.account.iam.rootMfa
      : user?.mfaDevices.some((m) => m.serialNumber === serial);
  if (!ok || !code || !/^\d{6}$/.test(code)) {
    throw new SimError(
      'AccessDenied',
      'MultiFactorAuthentication failed with invalid MFA one time pass code. ',
      403,
    );
  }
  return true;
}

/** Issue temporary credentials and remember them. */
export function issueSession(
  ctx: StsCtx,
  fields: Omit<
    StsSession,
    'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'issuedAt' | 'expiration' | 'sourceAccessKeyId'
  >,
  seconds: number,
): StsSession {
  const ids = ctx.sim.ids;
  const session: StsSession = {
    ...fields,
    accessKeyId: ids.iamId('ASIA'),
    secretAccessKey: ids.secret(),
    // Real tokens are long opaque base64 blobs starting with "IQoJb3JpZ2luX2Vj" ("\x21\n\tIorigin_ec").
    sessionToken: `IQoJb3JpZ2luX2VjE${ids.token(300, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}`,
    issuedAt: ctx.sim.nowIso(),
    expiration: new Date(ctx.now.getTime() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    sourceAccessKeyId: ctx.caller.accessKeyId,
  };
  ctx.sim.data.sessions[session.accessKeyId] = session;
  return session;
}

/** The `Credentials` member of STS answers. */
export function credentialsShape(s: StsSession) {
  return {
    AccessKeyId: s.accessKeyId,
    SecretAccessKey: s.secretAccessKey,
    SessionToken: s.sessionToken,
    Expiration: new Date(s.expiration),
  };
}

/** How CloudTrail shows issued credentials: no secret, STS's `Nov 30, 2024, 8:43:17 PM` expiration. */
export function credentialsTrail(s: StsSession) {
  return {
    accessKeyId: s.accessKeyId,
    sessionToken: s.sessionToken,
    expiration: javaDate(Date.parse(s.expiration), true),
  };
}

/** Session policies passed with AssumeRole/GetFederationToken (`Policy`, `PolicyArns.member.N.arn`). */
export function sessionPolicyParams(ctx: StsCtx): { sessionPolicy?: string; sessionPolicyArns?: string[] } {
  const policy = ctx.params.get('Policy');
  if (policy !== undefined) {
    try {
      JSON.parse(policy);
    } catch {
      throw new SimError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.', 400);
    }
  }
  const arns = ctx.params.structs('PolicyArns').map((p) => p.require('arn'));
  return {
    ...(policy !== undefined ? { sessionPolicy: policy } : {}),
    ...(arns.length ? { sessionPolicyArns: arns } : {}),
  };
}
