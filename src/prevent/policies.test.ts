import { validateIdentityPolicy, validateServiceControlPolicy } from '@cloud-copilot/iam-policy';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { mfaEnforcementPolicy, serviceControlPolicies } from './scps.js';

const ACCOUNT = '111122223333';
const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const FULL_ACCESS = ADMIN;
const scps = serviceControlPolicies({ regions: ['eu-west-1', 'us-east-1'], breakGlassRole: 'BreakGlass' });

/** Ask iam-simulate whether `principal` may make the request, under our SCPs and an admin identity policy. */
async function decide(
  principal: string,
  action: string,
  resource: string,
  context: Record<string, string | string[]>,
  extraIdentity: object[] = [],
): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: { 'aws:PrincipalArn': principal, ...context },
      },
      identityPolicies: [ADMIN, ...extraIdentity].map((policy, i) => ({ name: `identity-${i}`, policy })),
      serviceControlPolicies: [
        { orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }] },
        {
          orgIdentifier: ACCOUNT,
          policies: [
            { name: 'FullAWSAccess', policy: FULL_ACCESS },
            ...scps.map((p) => ({ name: p.file, policy: p.document })),
          ],
        },
      ],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

const ADMIN_USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`;
const at = (region: string) => ({ 'aws:RequestedRegion': region });

describe('the SCPs prevent writes, in iam-simulate', () => {
  it('are valid SCPs, each under the 5,120-character limit', () => {
    expect(scps.map((p) => p.file)).toEqual([
      'scp-region-allow-list.json',
      'scp-protect-security.json',
      'scp-data-and-compute.json',
    ]);
    for (const p of scps) {
      expect(validateServiceControlPolicy(p.document)).toEqual([]);
      expect(JSON.stringify(p.document).length).toBeLessThan(5120);
    }
  });

  it('deny cloudtrail:StopLogging to everyone but the break-glass role', async () => {
    expect(await decide(ADMIN_USER, 'cloudtrail:StopLogging', TRAIL, at('us-east-1'))).toBe(
      'ExplicitlyDenied',
    );
    expect(await decide(ROLE('Admin'), 'cloudtrail:StopLogging', TRAIL, at('us-east-1'))).toBe(
      'ExplicitlyDenied',
    );
    expect(await decide(ROLE('BreakGlass'), 'cloudtrail:StopLogging', TRAIL, at('us-east-1'))).toBe(
      'Allowed',
    );
    expect(
      await decide(
        ADMIN_USER,
        'guardduty:DeleteDetector',
        `arn:aws:guardduty:us-east-1:${ACCOUNT}:detector/abc`,
        at('us-east-1'),
      ),
    ).toBe('ExplicitlyDenied');
    // Reading the trail stays allowed.
    expect(await decide(ADMIN_USER, 'cloudtrail:GetTrailStatus', TRAIL, at('us-east-1'))).toBe('Allowed');
  });

  it('allow only the used regions for regional services; global services anywhere', async () => {
    const instance = (r: string) => `arn:aws:ec2:${r}:${ACCOUNT}:instance/*`;
    const req = { 'ec2:MetadataHttpTokens': 'required' };
    expect(
      await decide(ADMIN_USER, 'ec2:RunInstances', instance('eu-west-1'), { ...at('eu-west-1'), ...req }),
    ).toBe('Allowed');
    expect(
      await decide(ADMIN_USER, 'ec2:RunInstances', instance('ap-south-1'), { ...at('ap-south-1'), ...req }),
    ).toBe('ExplicitlyDenied');
    expect(
      await decide(ROLE('BreakGlass'), 'ec2:RunInstances', instance('ap-south-1'), {
        ...at('ap-south-1'),
        ...req,
      }),
    ).toBe('Allowed');
    expect(
      await decide(ADMIN_USER, 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/x`, at('ap-south-1')),
    ).toBe('Allowed');
  });

  it('deny leaving the organisation, the root user, IMDSv1 launches and SSE-C uploads', async () => {
    expect(await decide(ADMIN_USER, 'organizations:LeaveOrganization', '*', at('us-east-1'))).toBe(
      'ExplicitlyDenied',
    );
    expect(await decide(`arn:aws:iam::${ACCOUNT}:root`, 's3:ListAllMyBuckets', '*', at('us-east-1'))).toBe(
      'ExplicitlyDenied',
    );
    const instance = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`;
    expect(
      await decide(ADMIN_USER, 'ec2:RunInstances', instance, {
        ...at('us-east-1'),
        'ec2:MetadataHttpTokens': 'optional',
      }),
    ).toBe('ExplicitlyDenied');
    const object = 'arn:aws:s3:::data/report.csv';
    expect(
      await decide(ADMIN_USER, 's3:PutObject', object, {
        ...at('us-east-1'),
        's3:x-amz-server-side-encryption-customer-algorithm': 'AES256',
      }),
    ).toBe('ExplicitlyDenied');
    expect(await decide(ADMIN_USER, 's3:PutObject', object, at('us-east-1'))).toBe('Allowed');
  });
});

describe('the MFA-enforcement policy, in iam-simulate', () => {
  const mfa = mfaEnforcementPolicy().document;
  const bob = `arn:aws:iam::${ACCOUNT}:user/bob`;
  const ctx = (present: string) => ({
    ...at('us-east-1'),
    'aws:username': 'bob',
    'aws:MultiFactorAuthPresent': present,
  });

  it('is a valid identity policy', () => {
    expect(validateIdentityPolicy(mfa)).toEqual([]);
  });

  it('without MFA: only MFA set-up; with MFA: what the user is otherwise allowed', async () => {
    expect(await decide(bob, 's3:ListAllMyBuckets', '*', ctx('false'), [mfa])).toBe('ExplicitlyDenied');
    expect(
      await decide(bob, 'iam:CreateVirtualMFADevice', `arn:aws:iam::${ACCOUNT}:mfa/bob`, ctx('false'), [mfa]),
    ).toBe('Allowed');
    expect(
      await decide(bob, 'iam:EnableMFADevice', `arn:aws:iam::${ACCOUNT}:user/bob`, ctx('false'), [mfa]),
    ).toBe('Allowed');
    expect(await decide(bob, 's3:ListAllMyBuckets', '*', ctx('true'), [mfa])).toBe('Allowed');
  });
});
