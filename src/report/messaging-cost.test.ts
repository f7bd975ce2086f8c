import { describe, expect, it } from 'vitest';
import type { AttackerEvent } from './input.js';
import { loadMessagingPrices, messagingCost } from './messaging-cost.js';

let n = 0;
const event = (eventSource: string, eventName: string, request: unknown, more: Partial<AttackerEvent> = {}) =>
  ({
    eventId: `e${n++}`,
    time: '2026-11-20T10:00:00Z',
    region: 'us-east-1',
    eventSource,
    eventName,
    sourceIp: '185.220.101.47',
    userAgent: 'aws-cli/2',
    errorCode: null,
    accessKeyId: 'AKIAEXAMPLE',
    principalArn: 'arn:aws:iam::111122223333:user/dev',
    requestParameters: JSON.stringify(request),
    responseElements: null,
    ...more,
  }) satisfies AttackerEvent;

describe('messagingCost', () => {
  const table = loadMessagingPrices();

  it('prices the texts a trail logged by country, and caps a region at the limit the attacker set', () => {
    const events = [
      event('sns.amazonaws.com', 'SetSMSAttributes', { attributes: { MonthlySpendLimit: '500' } }),
      ...Array.from({ length: 10 }, () =>
        event('sns.amazonaws.com', 'Publish', { phoneNumber: '+998901234567' }),
      ),
      event('sns.amazonaws.com', 'Publish', { phoneNumber: '+23480123456' }, { region: 'eu-west-1' }),
      event('sns.amazonaws.com', 'Publish', { phoneNumber: '+8821612345' }, { region: 'eu-west-1' }),
      // A refused change is no limit.
      event(
        'sns.amazonaws.com',
        'SetSMSAttributes',
        { attributes: { MonthlySpendLimit: '9000' } },
        {
          region: 'eu-west-1',
          errorCode: 'InvalidParameter',
        },
      ),
    ];
    const m = messagingCost(events, table)!;
    expect(m.smsLines).toEqual([
      { region: 'us-east-1', country: 'Uzbekistan (UZ)', texts: 10, usd: 2.48 },
      { region: 'eu-west-1', country: 'Nigeria (NG)', texts: 1, usd: 0.28 },
      { region: 'eu-west-1', country: 'unknown', texts: 1, usd: null },
    ]);
    expect(m.smsLimits).toEqual([{ region: 'us-east-1', limitUsd: 500 }]);
    expect(m.smsCountedUsd).toBe(2.76);
    // us-east-1 at most its limit; eu-west-1 had no limit change, so what was seen there.
    expect(m.smsHighUsd).toBe(500.28);
    expect(m.sesRegions).toEqual([]);
  });

  it('names the SES regions and identities, and gives no figure for mail CloudTrail never saw', () => {
    const m = messagingCost(
      [
        event('ses.amazonaws.com', 'GetSendQuota', null, { region: 'eu-west-1' }),
        event('ses.amazonaws.com', 'CreateEmailIdentity', { emailIdentity: 'look-alike.example' }),
      ],
      table,
    )!;
    expect(m.sesRegions).toEqual(['eu-west-1', 'us-east-1']);
    expect(m.sesIdentities).toEqual([{ region: 'us-east-1', identity: 'look-alike.example' }]);
    expect(m.basis).toContain('SES never records a send');
    expect(messagingCost([event('s3.amazonaws.com', 'GetObject', {})], table)).toBeNull();
  });
});
