import {
  SUCCEEDED,
  and,
  api,
  apiOf,
  grantsForeignAccount,
  grantsPublic,
  matches,
  or,
  preceded,
  req,
} from '../sql.js';
import { rules } from './types.js';

const SES_SETUP = [
  'VerifyEmailIdentity',
  'VerifyEmailAddress',
  'VerifyDomainIdentity',
  'CreateEmailIdentity',
];
const PRODUCTION_ASKED = or(
  `${req('productionAccessEnabled')} = 'true'`,
  `${req('ProductionAccessEnabled')} = 'true'`,
);
const SPEND_LIMIT_SET = matches('requestparameters', '"MonthlySpendLimit"');

/** SES and SNS: sending spam and SMS (SMS pumping) on the account's reputation and bill. */
export const MESSAGING_RULES = rules([
  {
    id: 'ses-spam-campaign',
    title:
      'SES spam campaign: sending quota probed across regions, then a sender verified or the sandbox left',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'critical',
    where: and(
      or(
        api('ses', ...SES_SETUP),
        and(api('ses', 'PutAccountDetails'), PRODUCTION_ASKED),
        and(api('ses', 'UpdateAccountSendingEnabled'), `${req('enabled')} = 'true'`),
      ),
      SUCCEEDED,
      preceded(
        `eventsource = 'ses.amazonaws.com' AND eventname IN ('GetSendQuota', 'GetAccount') AND awsregion <> e.awsregion`,
        60,
        { when: apiOf('e', 'ses', ...SES_SETUP, 'PutAccountDetails', 'UpdateAccountSendingEnabled') },
      ),
    ),
    explain:
      'The sending quota read in other regions within the hour, then a sender identity verified or production access asked for: stolen keys turned into a spam or phishing relay on the account’s domain and reputation. The mail itself is not in CloudTrail.',
    remediation:
      'Pause SES sending in the regions used (UpdateAccountSendingEnabled false), delete the identities nobody owns, withdraw the production-access requests, and read the sending statistics (GetSendStatistics) for the volume sent.',
  },
  {
    id: 'sms-pumping-campaign',
    title: 'SMS pumping: SMS sandbox and settings probed across regions, then the spend limit changed',
    category: 'impact',
    technique: 'T1496.003',
    tactic: 'impact',
    severity: 'critical',
    where: and(
      api('sns', 'SetSMSAttributes'),
      SUCCEEDED,
      SPEND_LIMIT_SET,
      preceded(
        `eventsource = 'sns.amazonaws.com' AND eventname IN ('GetSMSSandboxAccountStatus', 'GetSMSAttributes') AND awsregion <> e.awsregion`,
        60,
        { when: apiOf('e', 'sns', 'SetSMSAttributes') },
      ),
    ),
    explain:
      'Which regions are out of the SMS sandbox was asked, then the monthly SMS spend limit set: the set-up of an SMS-pumping run, texts to premium numbers paid by the account. Publish is a data event, so the texts are not in Event history.',
    remediation:
      'Set MonthlySpendLimit back (or to 0) in every region, revoke the key, and read the SMS spend (CloudWatch SMSMonthToDateSpentUSD, the bill) for what was sent.',
  },
  {
    id: 'ses-enumeration',
    title: 'SES sending limits and identities enumerated',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: api(
      'ses',
      'GetAccountSendingEnabled',
      'GetSendQuota',
      'ListIdentities',
      'GetAccount',
      'ListEmailIdentities',
      'GetIdentityVerificationAttributes',
    ),
    explain: 'Spammers check whether stolen keys can send mail.',
    remediation: 'Watch SES sending statistics.',
  },
  {
    id: 'ses-production-access-requested',
    title: 'SES production access requested',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'high',
    where: and(
      api('ses', 'PutAccountDetails'),
      or(`${req('productionAccessEnabled')} = 'true'`, `${req('ProductionAccessEnabled')} = 'true'`),
    ),
    explain: 'Leaving the SES sandbox lets the account mail anyone: spammers ask for it with stolen keys.',
    remediation:
      'Withdraw the request in the SES console or with AWS Support, and check the identities added.',
  },
  {
    id: 'ses-sending-enabled',
    title: 'SES sending re-enabled',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'medium',
    where: or(
      and(api('ses', 'UpdateAccountSendingEnabled'), `${req('enabled')} = 'true'`),
      and(api('ses', 'PutAccountSendingAttributes'), `${req('sendingEnabled')} = 'true'`),
    ),
    explain: 'Sending was turned back on, perhaps after AWS paused the account for abuse.',
    remediation: 'Check why sending was off and the sending statistics since.',
  },
  {
    id: 'ses-identity-created',
    title: 'SES sender identity created or verified',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'medium',
    where: and(
      api(
        'ses',
        'VerifyEmailIdentity',
        'VerifyEmailAddress',
        'VerifyDomainIdentity',
        'VerifyDomainDkim',
        'CreateEmailIdentity',
      ),
      SUCCEEDED,
    ),
    explain: 'A new sender address or domain is the first step to mailing from the account.',
    remediation: 'Delete identities nobody in the organisation owns.',
  },
  {
    id: 'ses-identity-policy-opened',
    title: 'SES identity policy lets another account send',
    category: 'impact',
    technique: 'T1496.004',
    tactic: 'impact',
    severity: 'high',
    where: and(
      api('ses', 'PutIdentityPolicy', 'CreateEmailIdentityPolicy', 'UpdateEmailIdentityPolicy'),
      or(grantsForeignAccount('requestparameters'), grantsPublic('requestparameters')),
    ),
    explain: 'Another account can now send mail as this account’s verified identity.',
    remediation: 'Delete the identity policy and review the identity’s sending since.',
  },
  {
    id: 'sns-sms-enumeration',
    title: 'SNS SMS settings and sandbox enumerated',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: api(
      'sns',
      'GetSMSAttributes',
      'GetSMSSandboxAccountStatus',
      'ListOriginationNumbers',
      'ListSMSSandboxPhoneNumbers',
      'ListPhoneNumbersOptedOut',
    ),
    threshold: { count: 2, withinMinutes: 15, distinct: 'eventname' },
    explain: 'Checking the SMS spend limit and sandbox is what SMS-pumping crews do with a new key.',
    remediation: 'Check the SMS spend limit and delivery statistics; watch for SetSMSAttributes next.',
  },
  {
    id: 'sns-sms-spend-raised',
    title: 'SNS SMS spend limit or type changed',
    category: 'impact',
    technique: 'T1496.003',
    tactic: 'impact',
    severity: 'high',
    where: and(
      api('sns', 'SetSMSAttributes'),
      matches('requestparameters', '"(MonthlySpendLimit|DefaultSMSType)"'),
    ),
    explain: 'A higher spend limit lets the account send more paid SMS: SMS pumping.',
    remediation: 'Set the limit back and check SMS deliveries and their destinations.',
  },
  {
    id: 'sns-sms-sandbox-number',
    title: 'Phone number added to the SNS SMS sandbox',
    category: 'impact',
    technique: 'T1496.003',
    tactic: 'impact',
    severity: 'medium',
    where: and(api('sns', 'CreateSMSSandboxPhoneNumber'), SUCCEEDED),
    explain: 'Sandbox numbers are how a new SMS sender is tested before pumping.',
    remediation: 'Delete numbers nobody in the organisation owns.',
  },
  {
    id: 'sns-sms-publish-burst',
    title: 'Many SMS messages sent directly to phone numbers',
    category: 'impact',
    technique: 'T1496.003',
    tactic: 'impact',
    severity: 'high',
    where: and(api('sns', 'Publish'), SUCCEEDED, `${req('phoneNumber')} IS NOT NULL`),
    threshold: { count: 20, withinMinutes: 10 },
    explain: 'Twenty or more texts in minutes straight to numbers, not to a topic: SMS pumping.',
    remediation: 'Lower the SMS spend limit to stop it, and revoke the sender’s access.',
  },
]);
