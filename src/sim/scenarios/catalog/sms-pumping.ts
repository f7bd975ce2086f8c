import { approveSms } from '../../services/sns/sms.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import type { ScenarioDef, Step } from '../types.js';
import { HOUR, MIN, attackerStep, stepBy } from './steps.js';

const DAY = 24 * HOUR;
const admin = stepBy('admin');

/** Where the account texts its customers' one-time codes, with the limit its owner set. */
export const SMS_REGIONS = [
  { region: 'us-east-1', limit: 100, quota: 2_000 },
  { region: 'eu-west-1', limit: 20, quota: 2_000 },
];
/** Regions whose SMS sandbox status the attacker reads (ap-southeast-1 is still in the sandbox). */
export const SANDBOX_PROBES = ['us-east-1', 'eu-west-1', 'ap-southeast-1', 'us-west-2'];
/** The attacker's limit: the quota AWS Support granted the account. */
export const RAISED_LIMIT = 2_000;

/** Premium-rate ranges the pumping crew is paid for, and how many texts each region sends there. */
export const PUMPED = [
  { region: 'us-east-1', prefix: '+99890', texts: 120 },
  { region: 'us-east-1', prefix: '+99655', texts: 80 },
  { region: 'us-east-1', prefix: '+99293', texts: 60 },
  { region: 'eu-west-1', prefix: '+99450', texts: 90 },
  { region: 'eu-west-1', prefix: '+23480', texts: 70 },
];

const number = (prefix: string, i: number): string =>
  `${prefix}${String(1_000_000 + ((i * 7_919) % 9_000_000)).padStart(7, '0')}`.slice(0, 13);

/** The owner's spend limits (once AWS Support had raised the quota), then its own one-time codes. */
const SET_UP: Step[] = [
  ...SMS_REGIONS.map((r, i) =>
    admin(
      -4 * DAY + i * MIN,
      'sns',
      'SetSMSAttributes',
      { attributes: { MonthlySpendLimit: String(r.limit) } },
      {
        region: r.region,
      },
    ),
  ),
  ...[0, 1, 2].map((i) =>
    admin(-3 * DAY + i * HOUR, 'sns', 'Publish', {
      PhoneNumber: `+1202555010${i}`,
      Message: `Your Acme sign-in code is 20${i}117`,
    }),
  ),
];

const RECON: Step[] = [
  attackerStep(0, 'sts', 'GetCallerIdentity', {}),
  ...SANDBOX_PROBES.map((region, i) =>
    attackerStep(MIN + i * 10_000, 'sns', 'GetSMSSandboxAccountStatus', {}, { region }),
  ),
  ...SMS_REGIONS.map((r, i) =>
    attackerStep(2 * MIN + i * 10_000, 'sns', 'GetSMSAttributes', {}, { region: r.region }),
  ),
];

const RAISE: Step[] = [
  ...SMS_REGIONS.map((r, i) =>
    attackerStep(
      4 * MIN + i * 20_000,
      'sns',
      'SetSMSAttributes',
      { attributes: { MonthlySpendLimit: String(RAISED_LIMIT), DefaultSMSType: 'Transactional' } },
      {
        region: r.region,
        truth: {
          modified: [
            {
              type: 'AWS::SNS::SMSAttributes',
              id: r.region,
              region: r.region,
              detail: `MonthlySpendLimit ${r.limit} → ${RAISED_LIMIT} USD, DefaultSMSType Transactional`,
            },
          ],
          clean: [{ check: 'smsSpendLimitAtMost', region: r.region, usd: r.limit }],
        },
      },
    ),
  ),
  // A region still in the sandbox refuses an unverified number.
  attackerStep(
    6 * MIN,
    'sns',
    'Publish',
    { PhoneNumber: number('+99890', 0), Message: 'Your verification code is 000000' },
    { region: 'ap-southeast-1', expectError: 'InvalidParameterException' },
  ),
];

/** Three hours of one-time-code texts to premium ranges, the streams interleaved. */
function pumping(): Step[] {
  const start = 10 * MIN;
  const span = 3 * HOUR;
  return PUMPED.flatMap((p, k) =>
    Array.from({ length: p.texts }, (_, i) =>
      attackerStep(
        start + k * 3_000 + Math.floor((i * span) / p.texts),
        'sns',
        'Publish',
        {
          PhoneNumber: number(p.prefix, i + k * 1_000),
          Message: `Your verification code is ${100_000 + ((i * 7_331) % 900_000)}`,
        },
        { region: p.region },
      ),
    ),
  );
}

/**
 * SMS pumping: the leaked key reads the SMS sandbox status in four regions and the spend limits,
 * raises the monthly limit to the account's whole quota in the two regions that text, and sends
 * 420 one-time-code texts to premium-rate numbers in five countries in three hours. Publish is a
 * data event: none of the texts is in Event history; the truth counts and prices them.
 */
export const smsPumping: ScenarioDef = {
  name: 'sms-pumping',
  summary:
    'leaked key → SMS sandbox status read in 4 regions → spend limit raised to 2,000 USD in 2 regions → 420 texts to premium numbers in 5 countries in 3 h (Publish is a data event), priced in the truth',
  attackStartsBeforeEnd: 4 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '185.220.101.47',
      userAgent:
        'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#sns.publish',
    },
  ],
  prepare: (sim) => {
    for (const r of SMS_REGIONS) {
      approveSms(sim, VICTIM_ACCOUNT, r.region, { spendQuotaUsd: r.quota, monthlySpendLimit: 1 });
    }
  },
  steps: [...SET_UP, ...RECON, ...RAISE, ...pumping()],
};
