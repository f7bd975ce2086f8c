import { DENIED, SUCCEEDED, and, api, extra, lit, not, or, req, resp } from '../sql.js';
import { rules } from './types.js';

const CONSOLE_LOGIN = api('signin', 'ConsoleLogin');
const LOGIN_FAILED = or(
  `${resp('ConsoleLogin')} = 'Failure'`,
  `coalesce(errormessage, '') = 'Failed authentication'`,
);
const LOGIN_OK = `${resp('ConsoleLogin')} = 'Success'`;

/** STS sessions, console sign-in and root use: how credentials turn into more credentials. */
export const IDENTITY_RULES = rules([
  {
    id: 'sts-federation-token',
    title: 'Federation token minted from a long-term key',
    category: 'persistence',
    technique: 'T1550.001',
    severity: 'medium',
    where: and(api('sts', 'GetFederationToken'), SUCCEEDED),
    explain:
      'Federated sessions outlive the key that made them (up to 36 h): deny them with an aws:TokenIssueTime condition on the user, then follow the lineage.',
  },
  {
    id: 'sts-session-token',
    title: 'Session token minted from a long-term key',
    category: 'persistence',
    technique: 'T1550.001',
    severity: 'low',
    where: and(api('sts', 'GetSessionToken'), SUCCEEDED),
    explain:
      'GetSessionToken credentials keep working after the key is deactivated: deny them with an aws:TokenIssueTime condition on the user.',
  },
  {
    id: 'sts-assume-role-cross-account',
    title: 'Role assumed in another account',
    category: 'lateral-movement',
    technique: 'T1550.001',
    severity: 'medium',
    where: and(
      api('sts', 'AssumeRole'),
      SUCCEEDED,
      `split_part(coalesce(${req('roleArn')}, ''), ':', 5) <> coalesce(useridentity.accountid, recipientaccountid)`,
    ),
    explain:
      "The credentials reached another AWS account: collect that account's CloudTrail and contain the role session there.",
  },
  {
    id: 'sts-assume-role-denied-burst',
    title: 'Burst of denied AssumeRole calls',
    category: 'recon',
    technique: 'T1580',
    severity: 'medium',
    where: and(api('sts', 'AssumeRole'), DENIED),
    threshold: { count: 3, withinMinutes: 10 },
    explain:
      'Guessing which roles the key may assume: list the role ARNs tried and check their trust policies.',
  },
  {
    id: 'signin-console-token',
    title: 'API credentials exchanged for a console session',
    category: 'lateral-movement',
    technique: 'T1550.001',
    severity: 'medium',
    where: api('signin', 'GetSigninToken'),
    explain:
      'Temporary credentials were turned into a console sign-in URL (e.g. aws_consoler): look for the ConsoleLogin that follows.',
  },
  {
    id: 'signin-root-login',
    title: 'Root user signed in to the console',
    category: 'initial-access',
    technique: 'T1078.004',
    severity: 'high',
    where: and(CONSOLE_LOGIN, `useridentity.type = 'Root'`, LOGIN_OK),
    explain: 'Root sign-ins should be rare and planned: confirm with the account owner and check root MFA.',
  },
  {
    id: 'signin-without-mfa',
    title: 'Console sign-in without MFA',
    category: 'initial-access',
    technique: 'T1078.004',
    severity: 'medium',
    where: and(CONSOLE_LOGIN, LOGIN_OK, `lower(coalesce(${extra('MFAUsed')}, '')) = 'no'`),
    explain:
      'A password alone opened the console: confirm with the user, reset the password and require MFA.',
  },
  {
    id: 'signin-failed',
    title: 'Console sign-in failed',
    category: 'credential-access',
    technique: 'T1110.001',
    severity: 'low',
    where: and(CONSOLE_LOGIN, LOGIN_FAILED),
    explain: 'A wrong password for this user: harmless once, a guess when repeated.',
  },
  {
    id: 'signin-failed-burst',
    title: 'Burst of failed console sign-ins',
    category: 'credential-access',
    technique: 'T1110.001',
    severity: 'medium',
    where: and(CONSOLE_LOGIN, LOGIN_FAILED),
    threshold: { count: 5, withinMinutes: 10 },
    explain: 'Password guessing against the console: check the source addresses and that MFA is enforced.',
  },
  {
    id: 'root-api-activity',
    title: 'Root user credentials used for API calls',
    category: 'privilege-escalation',
    technique: 'T1078.004',
    severity: 'high',
    where: and(
      `useridentity.type = 'Root'`,
      `coalesce(eventtype, '') NOT IN ('AwsServiceEvent', 'AwsConsoleSignIn')`,
      `coalesce(useridentity.invokedby, '') = ''`,
      not(`eventsource = ${lit('signin.amazonaws.com')}`),
    ),
    explain:
      'Root has no permission boundary: find out who holds root credentials and whether root access keys exist.',
  },
  {
    id: 'cognito-refresh-token-reuse',
    title: 'Cognito refresh token exchanged for new tokens',
    category: 'persistence',
    technique: 'T1098',
    severity: 'low',
    where: api('cognito-idp', 'GetTokensFromRefreshToken'),
    explain:
      "A stolen refresh token keeps minting tokens: revoke the user's refresh tokens (RevokeToken / AdminUserGlobalSignOut).",
  },
  {
    id: 'denied-burst',
    title: 'Burst of access-denied errors',
    category: 'recon',
    technique: 'T1580',
    severity: 'medium',
    where: DENIED,
    threshold: { count: 10, withinMinutes: 5 },
    explain:
      'Many refused calls in a short time is permission probing: list what was tried, it shows what the attacker wants.',
  },
  {
    id: 'discovery-burst',
    title: 'Burst of enumeration calls across many APIs',
    category: 'recon',
    technique: 'T1580',
    severity: 'low',
    where: and(
      `readonly = 'true'`,
      `(eventname LIKE 'List%' OR eventname LIKE 'Describe%' OR eventname LIKE 'Get%')`,
      `eventsource NOT IN ('signin.amazonaws.com', 'kms.amazonaws.com')`,
    ),
    threshold: { count: 8, withinMinutes: 10, distinct: 'eventname' },
    explain:
      'Sweeping read-only calls over many APIs maps the account (users, roles, trails, buckets): expect follow-up actions.',
  },
]);
