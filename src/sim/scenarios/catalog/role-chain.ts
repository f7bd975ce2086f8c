import type { Credentials, ScenarioDef, Step } from '../types.js';
import { W, arn } from '../world.js';
import { attackerStep as step, MIN } from './steps.js';

function saveCreds(name: string): Step['save'] {
  return (out, v) => {
    const c = out.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const creds: Credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    };
    v[name] = creds;
  };
}

/** The user the attacker makes in the production account. */
const PROD_BACKDOOR = 'svc-replication';

const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

/**
 * Role chain: the leaked key assumes the deploy role, which hops into the production account, a
 * member of the organisation the victim account manages (with an organisation trail into the
 * log-archive account), and leaves a user with an access key there;
 * the key also mints a federation token and a session token (36 hours), sessions that outlive a
 * deactivation of the key. The attack ends 40 minutes before the end of the history, so every
 * session (the chained one lasts 1 hour) is still valid when the responder arrives.
 */
export const roleChain: ScenarioDef = {
  name: 'role-chain',
  summary:
    'leaked key → AssumeRole deploy-role → cross-account AssumeRole into prod, where it makes a user with a key → GetFederationToken and GetSessionToken sessions that outlive the key',
  attackStartsBeforeEnd: 40 * MIN,
  leakedKey: true,
  organisation: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '5.188.62.214',
      userAgent:
        'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84',
    },
  ],
  steps: [
    step(0, 'sts', 'GetCallerIdentity', {}),
    step(MIN, 'iam', 'ListRoles', {}),
    step(
      2 * MIN,
      'sts',
      'AssumeRole',
      { RoleArn: arn.role(W.deployRole), RoleSessionName: 'sam-debug', DurationSeconds: 43_200 },
      {
        save: saveCreds('deploySession'),
      },
    ),
    step(3 * MIN, 'sts', 'GetCallerIdentity', {}, { as: 'deploySession' }),
    step(
      4 * MIN,
      'sts',
      'AssumeRole',
      { RoleArn: arn.role(W.prodRole, W.prod), RoleSessionName: 'sam-debug', DurationSeconds: 3600 },
      {
        as: 'deploySession',
        save: saveCreds('prodSession'),
        truth: { clean: [{ check: 'sessionsRevoked', roleName: W.prodRole, account: W.prod }] },
      },
    ),
    step(5 * MIN, 's3', 'ListBuckets', {}, { as: 'prodSession' }),
    step(5 * MIN + 20_000, 'ec2', 'DescribeInstances', {}, { as: 'prodSession' }),
    // A way back into production that outlives every session: a user with a key of its own.
    step(
      5 * MIN + 40_000,
      'iam',
      'CreateUser',
      { UserName: PROD_BACKDOOR },
      {
        as: 'prodSession',
        truth: { clean: [{ check: 'userAbsent', userName: PROD_BACKDOOR, account: W.prod }] },
      },
    ),
    step(5 * MIN + 50_000, 'iam', 'CreateAccessKey', { UserName: PROD_BACKDOOR }, { as: 'prodSession' }),
    step(
      6 * MIN,
      'sts',
      'GetFederationToken',
      { Name: 'backup-sync', Policy: ALLOW_ALL, DurationSeconds: 129_600 },
      {
        save: saveCreds('federationSession'),
      },
    ),
    step(
      7 * MIN,
      'sts',
      'GetSessionToken',
      { DurationSeconds: 129_600 },
      { save: saveCreds('tokenSession') },
    ),
    step(8 * MIN, 's3', 'ListBuckets', {}, { as: 'federationSession' }),
    step(8 * MIN + 20_000, 'ec2', 'DescribeInstances', {}, { as: 'tokenSession' }),
    step(9 * MIN, 'ec2', 'DescribeInstances', {}, { as: 'deploySession' }),
    step(
      10 * MIN,
      'iam',
      'ListUsers',
      {},
      {
        as: 'deploySession',
        truth: {
          clean: [
            { check: 'sessionsRevoked', roleName: W.deployRole },
            { check: 'userSessionsRevoked', userName: W.devUser },
          ],
        },
      },
    ),
  ],
};
