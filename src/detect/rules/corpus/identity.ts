import { call, times, type CallSpec } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const credentials = (key: string) => ({
  accessKeyId: key,
  sessionToken: 'IQoJb3JpZ2luX2VjEKD//////////wEaCXVzLWVhc3QtMSJHMEUCIQ',
  expiration: 'Mar 3, 2025, 8:00:00 PM',
});

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';

/** A console sign-in record: success carries the ARN; a failure only the typed user name. */
const login = (
  outcome: 'Success' | 'Failure',
  more: Omit<CallSpec, 'api' | 'request'> & { user?: string; mfa?: 'Yes' | 'No'; root?: boolean } = {},
): CallSpec => {
  const { user, mfa, root, ...rest } = more;
  const userName = user ?? 'ana.{SAMPLE}';
  const identity = root
    ? {
        type: 'Root',
        principalId: '{ACCOUNT}',
        arn: 'arn:aws:iam::{ACCOUNT}:root',
        accountId: '{ACCOUNT}',
        accessKeyId: '',
      }
    : outcome === 'Success'
      ? {
          type: 'IAMUser',
          principalId: 'AIDAQQQQEXAMPLE00010',
          arn: `arn:aws:iam::{ACCOUNT}:user/${userName}`,
          accountId: '{ACCOUNT}',
          userName,
        }
      : { type: 'IAMUser', principalId: '', accountId: '{ACCOUNT}', accessKeyId: '', userName };
  return call('signin:ConsoleLogin', null, {
    response: { ConsoleLogin: outcome },
    userAgent: BROWSER,
    ...rest,
    extra: {
      userIdentity: identity,
      ...(outcome === 'Failure'
        ? { errorMessage: 'Failed authentication', responseElements: { ConsoleLogin: 'Failure' } }
        : {}),
      additionalEventData: {
        LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
        MobileVersion: 'No',
        MFAUsed: mfa ?? 'Yes',
      },
      ...rest.extra,
    },
  });
};

/** STS sessions, root use, Cognito tokens, and console sign-in. */
export const IDENTITY_SAMPLES: Sample[] = [
  fires(
    'sts-federation-token',
    'a federation token minted from a user key',
    call(
      'sts:GetFederationToken',
      { name: 'x', durationSeconds: 129600 },
      {
        response: {
          credentials: credentials('ASIAQQQQEXAMPLE00011'),
          federatedUser: { federatedUserId: '{ACCOUNT}:x', arn: 'arn:aws:sts::{ACCOUNT}:federated-user/x' },
        },
      },
    ),
  ),
  quiet(
    'sts-federation-token',
    'a federation token the user may not mint',
    call(
      'sts:GetFederationToken',
      { name: 'x' },
      {
        error: [
          'AccessDenied',
          'User: arn:aws:iam::{ACCOUNT}:user/ana is not authorized to perform: sts:GetFederationToken',
        ],
      },
    ),
  ),
  fires(
    'sts-session-token',
    'a session token minted from a user key',
    call(
      'sts:GetSessionToken',
      { durationSeconds: 43200 },
      { response: { credentials: credentials('ASIAQQQQEXAMPLE00012') } },
    ),
  ),
  quiet('sts-session-token', 'the caller identity checked with the CLI', call('sts:GetCallerIdentity')),
  fires(
    'sts-assume-role-cross-account',
    'a role assumed in another account',
    call(
      'sts:AssumeRole',
      { roleArn: 'arn:aws:iam::{FOREIGN}:role/OrganizationAccountAccessRole', roleSessionName: 'x' },
      {
        response: {
          credentials: credentials('ASIAQQQQEXAMPLE00013'),
          assumedRoleUser: {
            assumedRoleId: 'AROAQQQQEXAMPLE00013:x',
            arn: 'arn:aws:sts::{FOREIGN}:assumed-role/OrganizationAccountAccessRole/x',
          },
        },
      },
    ),
  ),
  quiet(
    'sts-assume-role-cross-account',
    'a role of the same account assumed by CI through GitHub’s OIDC',
    call(
      'sts:AssumeRoleWithWebIdentity',
      {
        roleArn: 'arn:aws:iam::{ACCOUNT}:role/deploy',
        roleSessionName: 'GitHubActions',
        durationSeconds: 3600,
      },
      { as: 'WebIdentityUser', response: { credentials: credentials('ASIAQQQQEXAMPLE00014') } },
    ),
    call(
      'sts:AssumeRole',
      { roleArn: 'arn:aws:iam::{ACCOUNT}:role/deploy', roleSessionName: 'ci' },
      { response: { credentials: credentials('ASIAQQQQEXAMPLE00015') } },
    ),
  ),
  quiet(
    'sts-assume-role-cross-account',
    'a person federating from the company’s identity provider into a role of the account',
    call(
      'sts:AssumeRoleWithSAML',
      {
        sAMLAssertionID: '_c0c4a1a9-4b1e-4a5e-9f0e-2b3c4d5e6f70',
        roleSessionName: 'ana.{SAMPLE}@example.com',
        roleArn: 'arn:aws:iam::{ACCOUNT}:role/engineers',
        principalArn: 'arn:aws:iam::{ACCOUNT}:saml-provider/okta',
        durationSeconds: 3600,
      },
      { as: 'SAMLUser', response: { credentials: credentials('ASIAQQQQEXAMPLE00018') } },
    ),
  ),
  fires(
    'sts-assume-role-denied-burst',
    'five roles tried and refused',
    times(5, (i) =>
      call(
        'sts:AssumeRole',
        { roleArn: `arn:aws:iam::{ACCOUNT}:role/guess-${i}`, roleSessionName: 'x' },
        {
          at: i * 0.5,
          error: [
            'AccessDenied',
            `User: arn:aws:iam::{ACCOUNT}:user/ana is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{ACCOUNT}:role/guess-${i}`,
          ],
        },
      ),
    ),
  ),
  quiet(
    'sts-assume-role-denied-burst',
    'one refused AssumeRole, then the right role',
    call(
      'sts:AssumeRole',
      { roleArn: 'arn:aws:iam::{ACCOUNT}:role/prod', roleSessionName: 'ana' },
      { error: ['AccessDenied', 'not authorized to perform: sts:AssumeRole'] },
    ),
    call(
      'sts:AssumeRole',
      { roleArn: 'arn:aws:iam::{ACCOUNT}:role/dev', roleSessionName: 'ana' },
      { at: 1, response: { credentials: credentials('ASIAQQQQEXAMPLE00016') } },
    ),
  ),
  fires(
    'root-api-activity',
    'root credentials creating an access key',
    call('iam:CreateAccessKey', null, {
      as: 'Root',
      response: { accessKey: { accessKeyId: 'AKIAQQQQEXAMPLE00017', status: 'Active' } },
    }),
  ),
  quiet('root-api-activity', 'root signing in to the console with MFA', login('Success', { root: true })),
  fires(
    'cognito-refresh-token-reuse',
    'tokens minted from a refresh token',
    call(
      'cognito-idp:GetTokensFromRefreshToken',
      { clientId: '1example23456789', refreshToken: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
      { as: 'AWSService', service: 'cognito-idp.amazonaws.com', region: 'eu-west-1' },
    ),
  ),
  quiet(
    'cognito-refresh-token-reuse',
    'a user pool client read',
    call(
      'cognito-idp:DescribeUserPoolClient',
      { userPoolId: 'eu-west-1_Example', clientId: '1example23456789' },
      { region: 'eu-west-1' },
    ),
  ),
  fires(
    'signin-console-token',
    'federated credentials exchanged for a console URL',
    call('signin:GetSigninToken', null, {
      as: 'FederatedUser',
      userAgent: 'python-requests/2.32.3',
      response: { credentials: 'HIDDEN_DUE_TO_SECURITY_REASONS', GetSigninToken: 'Success' },
      extra: { eventType: 'AwsConsoleSignIn' },
    }),
  ),
  quiet('signin-console-token', 'a console sign-in with a password and MFA', login('Success')),
  fires('signin-root-login', 'root signing in to the console', login('Success', { root: true })),
  quiet('signin-root-login', 'root’s password refused', login('Failure', { root: true, mfa: 'No' })),
  fires(
    'signin-without-mfa',
    'an IAM user signing in with a password alone',
    login('Success', { mfa: 'No' }),
  ),
  quiet('signin-without-mfa', 'an IAM user signing in with MFA', login('Success', { mfa: 'Yes' })),
  fires('signin-failed', 'one wrong password', login('Failure')),
  quiet('signin-failed', 'a successful sign-in', login('Success')),
  fires(
    'signin-failed-burst',
    'six wrong passwords for one user in six minutes',
    times(6, (i) => login('Failure', { at: i })),
  ),
  quiet(
    'signin-failed-burst',
    'two wrong passwords, then the right one',
    login('Failure'),
    login('Failure', { at: 1 }),
    login('Success', { at: 2 }),
  ),
  fires(
    'signin-password-spraying',
    'five users tried from one address',
    times(5, (i) => login('Failure', { user: `user${i}.{SAMPLE}`, at: i * 2 })),
  ),
  quiet(
    'signin-password-spraying',
    'three users mistyping their passwords from their own offices',
    times(3, (i) =>
      login('Failure', { user: `user${i}.{SAMPLE}`, at: i * 3, ip: ['{IP}', '{IP2}', '{IP3}'][i] }),
    ),
  ),
  fires(
    'signin-success-after-failures',
    'four wrong passwords then a right one',
    times(4, (i) => login('Failure', { at: i })),
    login('Success', { at: 5 }),
  ),
  quiet(
    'signin-success-after-failures',
    'one typo then a successful sign-in',
    login('Failure'),
    login('Success', { at: 1 }),
  ),
  fires('signin-root-failed', 'root’s password refused', login('Failure', { root: true, mfa: 'No' })),
  quiet('signin-root-failed', 'a user’s password refused', login('Failure')),
  fires(
    'signin-root-password-recovery',
    'root password recovery requested',
    call('signin:PasswordRecoveryRequested', null, {
      as: 'Root',
      response: { PasswordRecoveryRequested: 'Success' },
      extra: { eventType: 'AwsConsoleSignIn' },
    }),
  ),
  quiet(
    'signin-root-password-recovery',
    'the MFA check of a root sign-in',
    call('signin:CheckMfa', null, {
      as: 'Root',
      response: { CheckMfa: 'Success' },
      extra: { eventType: 'AwsConsoleSignIn', additionalEventData: { MfaType: 'Virtual MFA' } },
    }),
  ),
  fires(
    'signin-non-browser',
    'a console sign-in made by a script',
    login('Success', { userAgent: 'python-requests/2.32.3' }),
  ),
  quiet('signin-non-browser', 'a console sign-in from Safari', login('Success')),
  fires(
    'signin-new-address',
    'ten days of sign-ins from the office, then one from elsewhere',
    login('Success', { at: -14400 }),
    login('Success', { at: -10080 }),
    login('Success', { at: 0, ip: '{IP2}' }),
  ),
  quiet(
    'signin-new-address',
    'ten days of sign-ins from the office, then another from the office',
    login('Success', { at: -14400 }),
    login('Success', { at: -10080 }),
    login('Success', { at: 0 }),
  ),
];
