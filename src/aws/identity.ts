import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UserError } from '../errors.js';
import { classifyAwsError, describeAwsError } from './errors.js';
import type { ClientPool } from './pool.js';

export interface CallerIdentity {
  arn: string;
  account: string;
  userId: string;
}

/**
 * Who Tourniquet runs as. GetCallerIdentity needs no permission and works even under an explicit
 * deny, so a failure here means the credentials themselves are unusable.
 */
export async function callerIdentity(pool: ClientPool): Promise<CallerIdentity> {
  try {
    const out = await pool.get(STSClient).send(new GetCallerIdentityCommand({}));
    if (!out.Arn || !out.Account || !out.UserId)
      throw new Error('GetCallerIdentity returned an incomplete identity');
    return { arn: out.Arn, account: out.Account, userId: out.UserId };
  } catch (error) {
    const c = classifyAwsError(error);
    throw new UserError(
      'AWS_CREDENTIALS',
      `Cannot identify the AWS credentials Tourniquet runs on: ${describeAwsError(c)}`,
      {
        cause: error,
        hint: c.network
          ? 'Check --endpoint-url / network access to AWS.'
          : 'Set AWS credentials (environment, --profile NAME, or an instance role) for the responder.',
      },
    );
  }
}

/** Access key id of the credentials in use, when they are static or session keys. */
export async function ownAccessKeyId(pool: ClientPool): Promise<string | undefined> {
  const sts = pool.get(STSClient);
  try {
    const creds = await sts.config.credentials();
    return creds.accessKeyId;
  } catch {
    // Credentials that cannot be resolved have no key id; callerIdentity() reports why.
    return undefined;
  }
}
