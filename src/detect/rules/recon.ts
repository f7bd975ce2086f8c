import { DENIED, and, api, matches, or, req } from '../sql.js';
import { rules } from './types.js';

/** Reads of IAM's structure: who exists, what they may do. */
const IAM_READ = and(api('iam'), `(eventname LIKE 'List%' OR eventname LIKE 'Get%')`);
const ROLE_READ = api(
  'iam',
  'GetRole',
  'GetRolePolicy',
  'ListRolePolicies',
  'ListAttachedRolePolicies',
  'ListInstanceProfilesForRole',
  'ListRoleTags',
);
const GROUP_READ = api(
  'iam',
  'ListGroups',
  'GetGroup',
  'ListGroupsForUser',
  'ListGroupPolicies',
  'GetGroupPolicy',
  'ListAttachedGroupPolicies',
);
const USER_READ = api(
  'iam',
  'GetUser',
  'ListAccessKeys',
  'ListUserPolicies',
  'GetUserPolicy',
  'ListAttachedUserPolicies',
  'ListMFADevices',
  'GetLoginProfile',
  'ListSSHPublicKeys',
);
// Tools that exist to find and try stolen keys, or to attack AWS accounts with them (matched as
// words: the botocore user agent names the OS, e.g. Linux/6.6.9-amd64-kali).
const CREDENTIAL_SCANNER = matches(
  'lower(useragent)',
  '(^|[^a-z])(trufflehog|gitleaks|keyhacks|shhgit|nuclei)([^a-z]|$)',
);
const OFFENSIVE_TOOL = matches(
  'lower(useragent)',
  '(^|[^a-z])(kali|parrot|pentoo|blackarch|pacu|cloudfox|weirdaal|aws_pwn|s3scanner|cloudbrute|awspx|cloudsploit-attack)([^a-z]|$)',
);
// Audit and attack-simulation tools: defenders run them too, so the question is whether this one did.
const AUDIT_TOOL = matches(
  'lower(useragent)',
  '(scoutsuite|scout suite|prowler|cloudsplaining|pmapper|principalmapper|cloudmapper|cartography|stratus-red-team|grimoire)',
);
// HTTP libraries and command-line clients that are not an AWS SDK: how key checkers call STS.
const RAW_CLIENT = or(
  `coalesce(useragent, '') = ''`,
  matches(
    'useragent',
    '^(python-requests|python-urllib|Python-urllib|Go-http-client|curl|Wget|aiohttp|axios|node-fetch|undici|okhttp|PostmanRuntime|libwww-perl|Java/|Ruby|HTTPie|Mozilla/5\\.0 \\(compatible)',
  ),
);

/** Discovery: refused probing, sweeps over IAM and regions, and the tools that do it. */
export const RECON_RULES = rules([
  {
    id: 'denied-burst',
    title: 'Burst of access-denied errors',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: DENIED,
    threshold: { count: 10, withinMinutes: 5 },
    explain: 'Many refused calls in a short time is permission probing.',
    remediation: 'List what was tried, it shows what the attacker wants.',
  },
  {
    id: 'discovery-burst',
    title: 'Burst of enumeration calls across many APIs',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'low',
    where: and(
      `readonly = 'true'`,
      `(eventname LIKE 'List%' OR eventname LIKE 'Describe%' OR eventname LIKE 'Get%')`,
      `eventsource NOT IN ('signin.amazonaws.com', 'kms.amazonaws.com')`,
    ),
    threshold: { count: 8, withinMinutes: 10, distinct: 'eventname' },
    explain: 'Sweeping read-only calls over many APIs maps the account (users, roles, trails, buckets).',
    remediation: 'Expect follow-up actions.',
  },
  {
    id: 'denied-many-services',
    title: 'Access denied by several services in a short time',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: DENIED,
    threshold: { count: 4, withinMinutes: 10, distinct: 'eventsource' },
    explain: 'Refusals from four or more services in minutes: someone is finding out what the key may do.',
    remediation: 'List the calls tried per service; they show what the caller is after.',
  },
  {
    id: 'iam-recon-denied',
    title: 'IAM reads refused repeatedly',
    category: 'recon',
    technique: 'T1087.004',
    tactic: 'discovery',
    severity: 'medium',
    where: and(IAM_READ, DENIED),
    threshold: { count: 5, withinMinutes: 10 },
    explain: 'A key without IAM rights trying to list users, roles and policies is mapping its way up.',
    remediation: 'Check which IAM calls the key may make, and what the caller tried next.',
  },
  {
    id: 'iam-authorization-details',
    title: 'Whole IAM configuration downloaded',
    category: 'recon',
    technique: 'T1087.004',
    tactic: 'discovery',
    severity: 'medium',
    where: api('iam', 'GetAccountAuthorizationDetails'),
    explain: 'One call returns every user, group, role and policy: the map for privilege escalation.',
    remediation: 'Confirm the caller is an audit tool the team runs; else expect escalation attempts next.',
  },
  {
    id: 'iam-role-enumeration',
    title: 'Many roles and their policies read',
    category: 'recon',
    technique: 'T1069.003',
    tactic: 'discovery',
    severity: 'medium',
    where: ROLE_READ,
    threshold: { count: 10, withinMinutes: 10, distinct: `coalesce(${req('roleName')}, '')` },
    explain: 'Reading ten or more roles in minutes is looking for one to assume or abuse.',
    remediation:
      'Check the roles read for trust policies the caller could satisfy, and watch for AssumeRole.',
  },
  {
    id: 'iam-group-enumeration',
    title: 'IAM groups and their policies enumerated',
    category: 'recon',
    technique: 'T1069.003',
    tactic: 'discovery',
    severity: 'medium',
    where: GROUP_READ,
    threshold: { count: 3, withinMinutes: 10, distinct: 'eventname' },
    explain: 'Groups and their policies are read to find one worth joining.',
    remediation: 'Watch for AddUserToGroup by the same caller.',
  },
  {
    id: 'iam-user-enumeration',
    title: 'Many IAM users and their credentials read',
    category: 'recon',
    technique: 'T1087.004',
    tactic: 'discovery',
    severity: 'medium',
    where: USER_READ,
    threshold: { count: 10, withinMinutes: 10, distinct: `coalesce(${req('userName')}, '')` },
    explain: 'Reading the keys, policies and MFA of ten or more users is looking for a weaker one.',
    remediation: 'Watch for CreateAccessKey, CreateLoginProfile or UpdateLoginProfile on the users read.',
  },
  {
    id: 'ua-credential-scanner',
    title: 'Call from a leaked-credential scanner',
    category: 'initial-access',
    technique: 'T1078.004',
    tactic: 'initial-access',
    severity: 'high',
    where: CREDENTIAL_SCANNER,
    explain: 'A secret scanner (TruffleHog and the like) tested this key: it was found in public.',
    remediation: 'Treat the key as leaked: deactivate it, find where it was published and follow its use.',
  },
  {
    id: 'ua-offensive-tool',
    title: 'Call from an attack tool or penetration-testing system',
    category: 'initial-access',
    technique: 'T1078.004',
    tactic: 'initial-access',
    severity: 'high',
    where: OFFENSIVE_TOOL,
    explain:
      'The user agent names an AWS attack framework or a penetration-testing distribution (Kali, Parrot).',
    remediation: 'Unless a planned test, treat the credential as compromised and contain it.',
  },
  {
    id: 'ua-audit-tool',
    title: 'Call from a cloud audit or attack-simulation tool',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: AUDIT_TOOL,
    explain: 'ScoutSuite, Prowler, PMapper, Stratus Red Team and the like map or attack the account.',
    remediation:
      'Check a team member ran it from a known address; else treat it as an intruder’s reconnaissance.',
  },
  {
    id: 'sts-caller-identity-raw-client',
    title: 'Key checked with GetCallerIdentity from a plain HTTP client',
    category: 'recon',
    technique: 'T1087.004',
    tactic: 'discovery',
    severity: 'medium',
    where: and(api('sts', 'GetCallerIdentity'), RAW_CLIENT),
    explain: 'Key checkers call STS from scripts, not from an AWS SDK: the key was tried by someone.',
    remediation: 'Find where the key could have leaked and what the same address did next.',
  },
]);
