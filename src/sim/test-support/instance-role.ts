import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { RunningSim } from '../index.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { sdkConfig, type Creds } from './aws.js';

/**
 * Make, as `admin` through the SDK, a role in admin's account that the victim account may assume
 * (`arn:aws:iam::<victim>:root` trusted), with one managed policy attached.
 */
export async function createTrustedRole(
  sim: RunningSim,
  admin: Creds,
  roleName: string,
  policyArn: string,
): Promise<void> {
  const iam = new IAMClient(sdkConfig(sim, admin));
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
  } finally {
    iam.destroy();
  }
}

/**
 * Credentials of an instance's role session as EC2 hands them out (a role trusted by the account,
 * read-only, the session named after the instance), made by `admin` through the SDK: what an
 * attacker takes from a compromised instance's metadata service.
 */
export async function instanceRoleSession(
  sim: RunningSim,
  admin: Creds,
  options: { roleName?: string; instanceId?: string } = {},
): Promise<Required<Creds>> {
  const roleName = options.roleName ?? 'app-server';
  await createTrustedRole(sim, admin, roleName, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
  const c = (
    await new STSClient(sdkConfig(sim, admin)).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${VICTIM_ACCOUNT}:role/${roleName}`,
        RoleSessionName: options.instanceId ?? 'i-0a1b2c3d4e5f60718',
      }),
    )
  ).Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}
