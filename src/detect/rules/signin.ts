import { and, api, apiOf, extra, matches, not, or, preceded, resp } from '../sql.js';
import { rules } from './types.js';

const CONSOLE_LOGIN = api('signin', 'ConsoleLogin');
const LOGIN_FAILED = or(
  `${resp('ConsoleLogin')} = 'Failure'`,
  `coalesce(errormessage, '') = 'Failed authentication'`,
);
const LOGIN_OK = `${resp('ConsoleLogin')} = 'Success'`;
const FAILED_LOGIN = and(CONSOLE_LOGIN, LOGIN_FAILED);
/** The outer event is a console sign-in (stated inside sequence sub-queries, see `preceded`). */
const WHEN_LOGIN = apiOf('e', 'signin', 'ConsoleLogin');

/** Console sign-in: root, missing MFA, guessing and spraying, logins that follow failures. */
export const SIGNIN_RULES = rules([
  {
    id: 'signin-console-token',
    title: 'API credentials exchanged for a console session',
    category: 'lateral-movement',
    technique: 'T1550.001',
    tactic: 'lateral-movement',
    severity: 'medium',
    where: api('signin', 'GetSigninToken'),
    explain: 'Temporary credentials were turned into a console sign-in URL (e.g. aws_consoler).',
    remediation: 'Look for the ConsoleLogin that follows.',
  },
  {
    id: 'signin-root-login',
    title: 'Root user signed in to the console',
    category: 'initial-access',
    technique: 'T1078.004',
    tactic: 'initial-access',
    severity: 'high',
    where: and(CONSOLE_LOGIN, `useridentity.type = 'Root'`, LOGIN_OK),
    explain: 'Root sign-ins should be rare and planned.',
    remediation: 'Confirm with the account owner and check root MFA.',
  },
  {
    id: 'signin-without-mfa',
    title: 'Console sign-in without MFA',
    category: 'initial-access',
    technique: 'T1078.004',
    tactic: 'initial-access',
    severity: 'medium',
    where: and(CONSOLE_LOGIN, LOGIN_OK, `lower(coalesce(${extra('MFAUsed')}, '')) = 'no'`),
    explain: 'A password alone opened the console.',
    remediation: 'Confirm with the user, reset the password and require MFA.',
  },
  {
    id: 'signin-failed',
    title: 'Console sign-in failed',
    category: 'credential-access',
    technique: 'T1110.001',
    tactic: 'credential-access',
    severity: 'low',
    where: and(CONSOLE_LOGIN, LOGIN_FAILED),
    explain: 'A wrong password for this user.',
    remediation: 'Harmless once, a guess when repeated.',
  },
  {
    id: 'signin-failed-burst',
    title: 'Burst of failed console sign-ins',
    category: 'credential-access',
    technique: 'T1110.001',
    tactic: 'credential-access',
    severity: 'medium',
    where: and(CONSOLE_LOGIN, LOGIN_FAILED),
    threshold: { count: 5, withinMinutes: 10 },
    explain: 'Password guessing against the console.',
    remediation: 'Check the source addresses and that MFA is enforced.',
  },
  {
    id: 'signin-password-spraying',
    title: 'Failed console sign-ins for several users from one address',
    category: 'credential-access',
    technique: 'T1110.003',
    tactic: 'credential-access',
    severity: 'high',
    where: FAILED_LOGIN,
    threshold: {
      count: 4,
      withinMinutes: 30,
      by: 'sourceip',
      distinct: `coalesce(useridentity.username, useridentity.arn, '')`,
    },
    explain: 'One address trying passwords for many users is password spraying.',
    remediation:
      'Block the address, check every user it tried for a later successful sign-in, and enforce MFA.',
  },
  {
    id: 'signin-success-after-failures',
    title: 'Console sign-in succeeded after repeated failures',
    category: 'initial-access',
    technique: 'T1110.001',
    tactic: 'credential-access',
    severity: 'high',
    where: and(CONSOLE_LOGIN, LOGIN_OK, preceded(FAILED_LOGIN, 30, { atLeast: 3, when: WHEN_LOGIN })),
    explain: 'Three or more wrong passwords then a right one: the guessing may have worked.',
    remediation:
      'Confirm the sign-in with the user; if in doubt reset the password, require MFA and end the sessions.',
  },
  {
    id: 'signin-root-failed',
    title: 'Root user console sign-in failed',
    category: 'credential-access',
    technique: 'T1110.001',
    tactic: 'credential-access',
    severity: 'medium',
    where: and(FAILED_LOGIN, `useridentity.type = 'Root'`),
    explain: 'Someone who knows the root email address is trying its password.',
    remediation: 'Make sure root has a strong password and MFA, and watch for a password recovery request.',
  },
  {
    id: 'signin-root-password-recovery',
    title: 'Root password recovery requested or completed',
    category: 'credential-access',
    technique: 'T1098',
    tactic: 'persistence',
    severity: 'high',
    where: api('signin', 'PasswordRecoveryRequested', 'PasswordRecoveryCompleted'),
    explain: 'A root password reset hands the whole account to whoever reads the root mailbox.',
    remediation:
      'Confirm with the root mailbox owner; if unknown, secure the mailbox, reset root and check root MFA.',
  },
  {
    id: 'signin-non-browser',
    title: 'Console sign-in from a program, not a browser',
    category: 'initial-access',
    technique: 'T1078.004',
    tactic: 'initial-access',
    severity: 'medium',
    where: and(CONSOLE_LOGIN, LOGIN_OK, not(matches('useragent', '^Mozilla/'))),
    explain: 'People sign in with browsers; a script signing in is automation or an intruder’s tooling.',
    remediation:
      'Find the program (user agent) and who runs it; if nobody, end the session and reset the password.',
  },
  {
    id: 'signin-new-address',
    title: 'Console sign-in from an address the user never signed in from',
    category: 'initial-access',
    technique: 'T1078.004',
    tactic: 'initial-access',
    severity: 'medium',
    where: and(
      CONSOLE_LOGIN,
      LOGIN_OK,
      // The user has a week of sign-in history, none of it from this address.
      preceded(
        `${CONSOLE_LOGIN} AND ${LOGIN_OK} AND p.eventtime < date_format(date_add('day', -7, from_iso8601_timestamp(e.eventtime)), '%Y-%m-%dT%H:%i:%sZ')`,
        90 * 1440,
        { when: WHEN_LOGIN },
      ),
      `NOT ${preceded(`${CONSOLE_LOGIN} AND p.sourceipaddress = e.sourceipaddress`, 90 * 1440, { when: WHEN_LOGIN })}`,
    ),
    explain: 'The user signed in from a new place; with stolen passwords this is the first sign.',
    remediation: 'Ask the user; if it was not them, end the session, reset the password and require MFA.',
  },
]);
