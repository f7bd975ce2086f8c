import {
  DeleteIdentityCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  GetSendStatisticsCommand,
  ListIdentitiesCommand,
  SESClient,
  SendEmailCommand,
  SendRawEmailCommand,
  UpdateAccountSendingEnabledCommand,
  VerifyDomainIdentityCommand,
  VerifyEmailIdentityCommand,
} from '@aws-sdk/client-ses';
import {
  CreateEmailIdentityCommand,
  DeleteEmailIdentityCommand,
  GetAccountCommand,
  ListEmailIdentitiesCommand,
  PutAccountDetailsCommand,
  PutAccountSendingAttributesCommand,
  SESv2Client,
  SendEmailCommand as SendEmailV2Command,
} from '@aws-sdk/client-sesv2';
import {
  GetSMSAttributesCommand,
  GetSMSSandboxAccountStatusCommand,
  PublishCommand,
  SNSClient,
  SetSMSAttributesCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../../index.js';
import { VICTIM_ACCOUNT } from '../../state.js';
import { runShell, sdkConfig, type Creds } from '../../test-support/aws.js';
import { createUserWithKey } from '../iam/entities.js';
import { approveSms, smsTexts } from '../sns/sms.js';
import { grantSesProductionAccess, sesState } from './model.js';

let sim: RunningSim;
let admin: Creds;

const v1 = (region = 'us-east-1') => new SESClient(sdkConfig(sim, admin, region));
const v2 = (region = 'us-east-1') => new SESv2Client(sdkConfig(sim, admin, region));
const sns = (region = 'us-east-1') => new SNSClient(sdkConfig(sim, admin, region));
const events = (name: string) =>
  sim.state
    .accountOrThrow(VICTIM_ACCOUNT)
    .cloudtrail.events.filter((e) => e.eventName === name && e.eventCategory === 'Management');
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => ({ name: 'none', message: '' }),
    (e: Error) => ({ name: e.name, message: e.message }),
  );
const mail = (from: string, to: string[]) => ({
  Source: from,
  Destination: { ToAddresses: to },
  Message: { Subject: { Data: 'Invoice' }, Body: { Text: { Data: 'Please pay.' } } },
});

beforeAll(async () => {
  sim = await startSim({ seed: 21, clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }) });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'mailer', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
});
afterAll(() => sim.stop());

describe('SES v1 and v2', () => {
  it('keeps a new account in the sandbox: unverified sender or recipient rejected, 200 a day', async () => {
    expect(await v1().send(new GetSendQuotaCommand({}))).toMatchObject({
      Max24HourSend: 200,
      MaxSendRate: 1,
      SentLast24Hours: 0,
    });
    const unverified = await rejection(
      v1().send(new SendEmailCommand(mail('a@acme.example', ['b@x.example']))),
    );
    expect(unverified).toEqual({
      name: 'MessageRejected',
      message:
        'Email address is not verified. The following identities failed the check in region US-EAST-1: a@acme.example, b@x.example',
    });
    await v1().send(new VerifyDomainIdentityCommand({ Domain: 'acme.example' }));
    await v1().send(new VerifyEmailIdentityCommand({ EmailAddress: 'b@x.example' }));
    const sent = await v1().send(new SendEmailCommand(mail('billing@acme.example', ['b@x.example'])));
    expect(sent.MessageId).toMatch(/^[0-9a-f]{16}-/);
    expect((await v1().send(new ListIdentitiesCommand({ IdentityType: 'Domain' }))).Identities).toEqual([
      'acme.example',
    ]);
    const attrs = await v1().send(
      new GetIdentityVerificationAttributesCommand({ Identities: ['acme.example', 'b@x.example'] }),
    );
    expect(attrs.VerificationAttributes?.['acme.example']?.VerificationStatus).toBe('Success');
    expect(attrs.VerificationAttributes?.['acme.example']?.VerificationToken).toHaveLength(44);
  });

  it('holds production accounts to their quota, pauses and resumes sending, and never logs a send', async () => {
    grantSesProductionAccess(sim.state, VICTIM_ACCOUNT, 'us-east-1', { max24HourSend: 3, maxSendRate: 14 });
    const raw = Buffer.from(
      'From: Billing <billing@acme.example>\r\nTo: c@y.example,\r\n d@z.example\r\nSubject: hi\r\n\r\nbody',
    );
    const out = await v1().send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
    expect(out.MessageId).toBeTruthy();
    expect((await v1().send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(3);
    expect(
      await rejection(v1().send(new SendEmailCommand(mail('billing@acme.example', ['e@q.example'])))),
    ).toEqual({
      name: 'Throttling',
      message: 'Daily message quota exceeded.',
    });
    const stats = await v1().send(new GetSendStatisticsCommand({}));
    expect(stats.SendDataPoints?.reduce((n, p) => n + (p.DeliveryAttempts ?? 0), 0)).toBe(3);

    grantSesProductionAccess(sim.state, VICTIM_ACCOUNT, 'us-east-1', {
      max24HourSend: 50_000,
      maxSendRate: 14,
    });
    await v1().send(new UpdateAccountSendingEnabledCommand({ Enabled: false }));
    expect(
      (await rejection(v1().send(new SendEmailCommand(mail('billing@acme.example', ['e@q.example']))))).name,
    ).toBe('AccountSendingPausedException');
    expect(
      (
        await rejection(
          v2().send(
            new SendEmailV2Command({
              FromEmailAddress: 'billing@acme.example',
              Destination: { ToAddresses: ['e@q.example'] },
              Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
            }),
          ),
        )
      ).name,
    ).toBe('SendingPausedException');
    await v2().send(new PutAccountSendingAttributesCommand({ SendingEnabled: true }));
    const v2sent = await v2().send(
      new SendEmailV2Command({
        FromEmailAddress: 'billing@acme.example',
        Destination: { ToAddresses: ['e@q.example', 'f@q.example'] },
        Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
      }),
    );
    expect(v2sent.MessageId).toBeTruthy();
    expect(sesState(sim.state, VICTIM_ACCOUNT).sent.map((m) => [m.operation, m.api, m.recipients])).toEqual([
      ['SendEmail', 'v1', 1],
      ['SendRawEmail', 'v1', 2],
      ['SendEmail', 'v2', 2],
    ]);
    // SES sends are not CloudTrail events (SES DG, "Logging Amazon SES API calls with AWS CloudTrail").
    expect(events('SendEmail')).toEqual([]);
    expect(events('SendRawEmail')).toEqual([]);
    expect(events('UpdateAccountSendingEnabled')[0]?.requestParameters).toEqual({ enabled: false });
  });

  it('v2: account, production-access request pending review, identities created and deleted', async () => {
    const west = v2('us-west-2');
    await west.send(
      new PutAccountDetailsCommand({
        MailType: 'MARKETING',
        WebsiteURL: 'https://promo.example',
        UseCaseDescription: 'Newsletters to opted-in customers',
        ProductionAccessEnabled: true,
      }),
    );
    const account = await west.send(new GetAccountCommand({}));
    expect(account).toMatchObject({
      ProductionAccessEnabled: false,
      SendingEnabled: true,
      SendQuota: { Max24HourSend: 200, SentLast24Hours: 0 },
      Details: { MailType: 'MARKETING', ReviewDetails: { Status: 'PENDING' } },
    });
    expect(account.Details?.ReviewDetails?.CaseId).toMatch(/^\d{11}$/);
    expect(events('PutAccountDetails')[0]?.requestParameters).toMatchObject({
      productionAccessEnabled: true,
      mailType: 'MARKETING',
    });

    const created = await west.send(new CreateEmailIdentityCommand({ EmailIdentity: 'promo.example' }));
    expect(created).toMatchObject({ IdentityType: 'DOMAIN', VerifiedForSendingStatus: true });
    expect(
      (await rejection(west.send(new CreateEmailIdentityCommand({ EmailIdentity: 'promo.example' })))).name,
    ).toBe('AlreadyExistsException');
    await west.send(new CreateEmailIdentityCommand({ EmailIdentity: 'x@promo.example' }));
    const listed = await west.send(new ListEmailIdentitiesCommand({}));
    expect(listed.EmailIdentities?.map((i) => [i.IdentityName, i.IdentityType])).toEqual([
      ['promo.example', 'DOMAIN'],
      ['x@promo.example', 'EMAIL_ADDRESS'],
    ]);
    await west.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'promo.example' }));
    expect(
      await rejection(west.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'promo.example' }))),
    ).toEqual({ name: 'NotFoundException', message: 'Email identity promo.example does not exist.' });
    await v1('us-west-2').send(new DeleteIdentityCommand({ Identity: 'x@promo.example' }));
    expect((await west.send(new ListEmailIdentitiesCommand({}))).EmailIdentities).toEqual([]);
    expect(events('DeleteEmailIdentity')).toHaveLength(2);
  });
});

describe('SNS SMS', () => {
  it('keeps the spend limit under the quota, prices texts by country and stops delivery at the limit', async () => {
    expect((await sns().send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox).toBe(true);
    expect(
      (await rejection(sns().send(new PublishCommand({ PhoneNumber: '+998901234567', Message: 'code 1' }))))
        .name,
    ).toBe('InvalidParameterException');
    approveSms(sim.state, VICTIM_ACCOUNT, 'us-east-1', { spendQuotaUsd: 100, monthlySpendLimit: 1 });
    expect((await sns().send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox).toBe(false);
    const tooHigh = await rejection(
      sns().send(new SetSMSAttributesCommand({ attributes: { MonthlySpendLimit: '500' } })),
    );
    expect(tooHigh.name).toBe('InvalidParameterException');
    await sns().send(
      new SetSMSAttributesCommand({
        attributes: { MonthlySpendLimit: '100', DefaultSMSType: 'Transactional' },
      }),
    );
    expect(
      (await sns().send(new GetSMSAttributesCommand({ attributes: ['MonthlySpendLimit'] }))).attributes,
    ).toEqual({
      MonthlySpendLimit: '100',
    });
    for (let i = 0; i < 3; i++) {
      await sns().send(new PublishCommand({ PhoneNumber: `+99890123456${i}`, Message: `Your code is ${i}` }));
    }
    await sns().send(new SetSMSAttributesCommand({ attributes: { MonthlySpendLimit: '0' } }));
    await sns().send(new PublishCommand({ PhoneNumber: '+4479001234567', Message: 'x'.repeat(200) }));
    const texts = smsTexts(sim.state, VICTIM_ACCOUNT);
    expect(texts.map((t) => [t.iso, t.parts, t.delivered, t.usd])).toEqual([
      ['UZ', 1, true, 0.248],
      ['UZ', 1, true, 0.248],
      ['UZ', 1, true, 0.248],
      ['GB', 2, false, 0],
    ]);
    // Publish is a data event: not in Event history; SetSMSAttributes is a management event.
    expect(events('Publish')).toEqual([]);
    expect(events('SetSMSAttributes').at(-1)?.requestParameters).toEqual({
      attributes: { MonthlySpendLimit: '0' },
    });
  });

  it('serves /usr/bin/aws unchanged: ses, sesv2 and sns sms commands', async () => {
    const r = await runShell(
      sim,
      admin,
      [
        '$AWS ses get-send-quota --query Max24HourSend --output text',
        '$AWS ses verify-email-identity --email-address ops@acme.example',
        '$AWS ses list-identities --identity-type EmailAddress --query "Identities" --output text',
        '$AWS sesv2 get-account --query "[ProductionAccessEnabled,SendingEnabled]" --output text',
        '$AWS sns get-sms-attributes --query attributes.MonthlySpendLimit --output text',
        '$AWS sns get-sms-sandbox-account-status --query IsInSandbox --output text',
      ].join(' && '),
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual([
      '50000.0',
      'b@x.example\tops@acme.example',
      'True\tTrue',
      '0',
      'False',
    ]);
  });
});
