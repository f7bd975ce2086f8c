import { grantSesProductionAccess } from '../../services/ses/model.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import type { ScenarioDef, Step } from '../types.js';
import { HOUR, MIN, attackerStep, stepBy } from './steps.js';

const DAY = 24 * HOUR;
const admin = stepBy('admin');

/** The company's own sending domain, verified and out of the sandbox in us-east-1. */
export const COMPANY_DOMAIN = 'acme.example';
/** The attacker's look-alike domain and sender address. */
export const SPAM_DOMAIN = 'acme-invoice-portal.example';
export const SPAM_SENDER = `billing-desk@${SPAM_DOMAIN}`;

/** Regions whose sending quota the attacker reads (where the account might be out of the sandbox). */
export const QUOTA_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-2',
];
/** Where the attacker asks to leave the sandbox (the requests wait for AWS's review). */
export const PRODUCTION_REQUESTS = ['eu-west-1', 'us-west-2'];

/** The phishing run: sends of 50 recipients each (SES's per-message limit), from two senders. */
export const SPAM = { v1Sends: 300, v2Sends: 100, recipientsPerSend: 50 };

const recipients = (send: number): string[] =>
  Array.from(
    { length: SPAM.recipientsPerSend },
    (_, i) => `user${send * SPAM.recipientsPerSend + i}@mail${i % 7}.example`,
  );

const lure = (send: number) => ({
  Subject: { Data: `Invoice INV-${40_000 + send} overdue` },
  Body: {
    Html: {
      Data: '<p>Your invoice is overdue. <a href="https://acme-invoice-portal.example/pay">Pay now</a></p>',
    },
  },
});

/** The account's own mail before the attack: its domain verified, receipts to customers. */
const SET_UP: Step[] = [
  admin(-5 * DAY, 'ses', 'VerifyDomainIdentity', { Domain: COMPANY_DOMAIN }),
  ...[0, 1, 2].map((i) =>
    admin(-2 * DAY + i * HOUR, 'ses', 'SendEmail', {
      Source: `receipts@${COMPANY_DOMAIN}`,
      Destination: { ToAddresses: [`customer${i}@mail0.example`] },
      Message: { Subject: { Data: `Your receipt ${i}` }, Body: { Text: { Data: 'Thank you.' } } },
    }),
  ),
];

const RECON: Step[] = [
  attackerStep(0, 'sts', 'GetCallerIdentity', {}),
  ...QUOTA_REGIONS.map((region, i) =>
    attackerStep(30_000 + i * 15_000, 'ses', 'GetSendQuota', {}, { region }),
  ),
  attackerStep(3 * MIN, 'ses', 'ListIdentities', {}),
  attackerStep(3 * MIN + 20_000, 'sesv2', 'GetAccount', {}),
];

const IDENTITIES: Step[] = [
  attackerStep(
    5 * MIN,
    'sesv2',
    'CreateEmailIdentity',
    { EmailIdentity: SPAM_DOMAIN },
    {
      truth: {
        created: [
          {
            type: 'AWS::SES::EmailIdentity',
            id: SPAM_DOMAIN,
            region: 'us-east-1',
            detail: 'look-alike domain',
          },
        ],
        clean: [{ check: 'sesIdentityAbsent', region: 'us-east-1', identity: SPAM_DOMAIN }],
      },
    },
  ),
  attackerStep(
    5 * MIN + 30_000,
    'ses',
    'VerifyEmailIdentity',
    { EmailAddress: SPAM_SENDER },
    {
      truth: {
        created: [
          { type: 'AWS::SES::EmailIdentity', id: SPAM_SENDER, region: 'us-east-1', detail: 'spam sender' },
        ],
        clean: [{ check: 'sesIdentityAbsent', region: 'us-east-1', identity: SPAM_SENDER }],
      },
    },
  ),
];

const PRODUCTION_ACCESS: Step[] = PRODUCTION_REQUESTS.map((region, i) =>
  attackerStep(
    8 * MIN + i * MIN,
    'sesv2',
    'PutAccountDetails',
    {
      MailType: 'MARKETING',
      WebsiteURL: `https://${SPAM_DOMAIN}`,
      ContactLanguage: 'EN',
      UseCaseDescription: 'Monthly newsletter to subscribed customers who opted in on our website.',
      ProductionAccessEnabled: true,
    },
    {
      region,
      truth: {
        modified: [
          {
            type: 'AWS::SES::Account',
            id: region,
            region,
            detail: 'production access requested (pending review)',
          },
        ],
      },
    },
  ),
);

/** One test send in a sandboxed region (refused: the recipients are not verified), then the run. */
function sending(): Step[] {
  const start = 15 * MIN;
  const span = 5 * HOUR;
  const total = SPAM.v1Sends + SPAM.v2Sends;
  const sends = Array.from({ length: total }, (_, n): Step => {
    const at = start + Math.floor((n * span) / total);
    if (n % 4 === 3) {
      return attackerStep(at, 'sesv2', 'SendEmail', {
        FromEmailAddress: SPAM_SENDER,
        Destination: { BccAddresses: recipients(n) },
        Content: { Simple: lure(n) },
      });
    }
    return attackerStep(at, 'ses', 'SendEmail', {
      Source: `accounts@${COMPANY_DOMAIN}`,
      Destination: { BccAddresses: recipients(n) },
      Message: lure(n),
    });
  });
  return [
    attackerStep(
      12 * MIN,
      'ses',
      'SendEmail',
      {
        Source: `accounts@${COMPANY_DOMAIN}`,
        Destination: { ToAddresses: ['probe@mail0.example'] },
        Message: lure(0),
      },
      { region: 'eu-west-1', expectError: 'MessageRejected' },
    ),
    ...sends,
    // The quota watched while the run goes on: the only trace of the sending CloudTrail keeps.
    ...[1, 2, 3, 4, 5].map((h) => attackerStep(start + h * HOUR - MIN, 'ses', 'GetSendQuota', {})),
  ];
}

/**
 * SES spam: the leaked key reads the sending quota in six regions, verifies a look-alike domain
 * and sender, asks to leave the sandbox in two more regions, and mails 20,000 phishing messages
 * in five hours from us-east-1, where the account is already in production. The sends themselves
 * are not in CloudTrail; the truth counts them from the account's SES.
 */
export const sesSpam: ScenarioDef = {
  name: 'ses-spam',
  summary:
    'leaked key → SES quota read in 6 regions → look-alike domain and sender verified → production access requested in 2 regions → 20,000 phishing mails in 5 h (not in CloudTrail), counted and priced in the truth',
  attackStartsBeforeEnd: 6 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '45.134.26.91',
      userAgent:
        'Boto3/1.35.24 md/Botocore#1.35.24 ua/2.0 os/linux#5.15.0-122-generic md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.24',
    },
  ],
  prepare: (sim) =>
    grantSesProductionAccess(sim, VICTIM_ACCOUNT, 'us-east-1', { max24HourSend: 50_000, maxSendRate: 14 }),
  steps: [...SET_UP, ...RECON, ...IDENTITIES, ...PRODUCTION_ACCESS, ...sending()],
};
