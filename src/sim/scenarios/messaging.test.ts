import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetSMSAttributesCommand, SNSClient, SetSMSAttributesCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { sesState } from '../services/ses/model.js';
import { smsTexts } from '../services/sns/sms.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { PRODUCTION_REQUESTS, QUOTA_REGIONS, SPAM } from './catalog/ses-spam.js';
import { PUMPED, RAISED_LIMIT, SANDBOX_PROBES, SMS_REGIONS } from './catalog/sms-pumping.js';
import { checkCleanState } from './clean.js';
import { loadScenario, type LoadedScenario } from './index.js';
import { verifyTruth } from './test-support/verify.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientPool } from '../../aws/pool.js';
import { CaseFolder } from '../../case/case.js';
import { systemClock } from '../../clock.js';
import { silentLogger, silentProgress } from '../../context.js';
import { recordSesStatistics } from '../../playbook/ses-statistics.js';
import { readSesStatistics } from '../../report/case-inputs.js';
import { loadMessagingPrices, messagingCost, messagingPhrase } from '../../report/messaging-cost.js';
import { attackerEvent } from '../../report/test-support/incident.js';
import type { Credentials } from './types.js';

const cfg = (sim: RunningSim, creds: Credentials, region = 'us-east-1') => ({
  region,
  endpoint: sim.endpoint,
  credentials: creds,
  maxAttempts: 1,
});

async function load(name: string, seed: number): Promise<{ sim: RunningSim; loaded: LoadedScenario }> {
  const sim = await startSim({
    seed,
    lookupEventsPerSecond: 10_000,
    clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }),
  });
  return { sim, loaded: await loadScenario(sim, name, { seed }) };
}

describe('ses-spam', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load('ses-spam', 15)), 120_000);
  afterAll(() => sim.stop());

  it('matches LookupEvents, the trail files and the APIs; the sends themselves are in neither', async () => {
    const { lookedUp, delivered } = await verifyTruth(sim, loaded);
    const quota = lookedUp.filter((r) => r.eventName === 'GetSendQuota');
    expect(new Set(quota.map((r) => r.awsRegion))).toEqual(new Set(QUOTA_REGIONS));
    expect(
      lookedUp
        .filter((r) => r.eventName === 'PutAccountDetails')
        .map((r) => r.awsRegion)
        .sort(),
    ).toEqual([...PRODUCTION_REQUESTS].sort());
    for (const records of [lookedUp, delivered, sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events])
      expect(records.filter((r) => r.eventName === 'SendEmail' || r.eventName === 'SendRawEmail')).toEqual(
        [],
      );
    expect(loaded.truth.attackerEvents.some((e) => e.eventName === 'SendEmail')).toBe(false);
  });

  it('prices the mail from SES GetSendStatistics (read through the SDK, kept in the case) within 5% of the truth', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tq-ses-stats-')), 'case');
    const folder = CaseFolder.create(dir, { clock: systemClock });
    const aws = await ClientPool.create(
      { endpointUrl: sim.endpoint, region: 'us-east-1', credentials: loaded.responderCredentials },
      systemClock,
    );
    try {
      const ctx = { clock: systemClock, log: silentLogger, progress: silentProgress, case: folder, aws };
      const regions = [...new Set(loaded.truth.attackerEvents.map((e) => e.region))];
      await recordSesStatistics(ctx, regions);
    } finally {
      aws.destroy();
      folder.close();
    }
    const stats = readSesStatistics(dir);
    const events = loaded.truth.attackerEvents.map((e) =>
      attackerEvent({
        eventId: e.eventId,
        time: e.time,
        region: e.region,
        eventName: e.eventName,
        eventSource: e.eventSource,
      }),
    );
    const cost = messagingCost(events, loadMessagingPrices(), stats)!;
    const truth = loaded.truth.cost.email;
    expect(cost.sesSent.filter((s) => s.messages > 0).map((s) => s.region)).toEqual(
      truth.map((e) => e.region),
    );
    const counted = cost.sesSent.reduce((n, s) => n + s.usd, 0);
    const billed = truth.reduce((n, e) => n + e.usd, 0);
    expect(Math.abs(counted - billed)).toBeLessThanOrEqual(billed * 0.05);
    // The company's own mail of two days before is outside the attacker's slots.
    expect(cost.sesSent.find((s) => s.region === 'us-east-1')!.messages).toBe(truth[0]!.messages);
    expect(messagingPhrase(cost)).toContain(`$${billed.toFixed(2)} for ${truth[0]!.messages} messages (`);
  });

  it('counts and prices every phishing mail in the truth, and leaves the production requests pending', async () => {
    const t = loaded.truth;
    const messages = (SPAM.v1Sends + SPAM.v2Sends) * SPAM.recipientsPerSend;
    expect(t.cost.email).toEqual([
      { region: 'us-east-1', sends: SPAM.v1Sends + SPAM.v2Sends, messages, usd: messages * 0.0001 },
    ]);
    expect(t.cost.usd).toBeCloseTo(messages * 0.0001, 2);
    // The company's own receipts are not the attacker's.
    expect(sesState(sim.state, VICTIM_ACCOUNT).sent).toHaveLength(SPAM.v1Sends + SPAM.v2Sends + 3);
    const west = await new SESv2Client(cfg(sim, loaded.responderCredentials, 'eu-west-1')).send(
      new GetAccountCommand({}),
    );
    expect(west).toMatchObject({
      ProductionAccessEnabled: false,
      Details: { ReviewDetails: { Status: 'PENDING' } },
    });
  });

  it('reads clean once the attacker identities are gone (and the key is off)', () => {
    const unmet = checkCleanState(sim.state, loaded.truth).unmet.map((c) => c.check);
    expect(unmet.filter((c) => c === 'sesIdentityAbsent')).toHaveLength(2);
    for (const identity of Object.keys(sesState(sim.state, VICTIM_ACCOUNT).regions['us-east-1']!.identities))
      if (identity !== 'acme.example')
        delete sesState(sim.state, VICTIM_ACCOUNT).regions['us-east-1']!.identities[identity];
    expect(checkCleanState(sim.state, loaded.truth).unmet.map((c) => c.check)).toEqual([
      'accessKeyNotActive',
    ]);
  });
});

describe('sms-pumping', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load('sms-pumping', 16)), 120_000);
  afterAll(() => sim.stop());

  it('matches LookupEvents, the trail files and the APIs; Publish is a data event only', async () => {
    const { lookedUp, delivered } = await verifyTruth(sim, loaded);
    expect(
      new Set(lookedUp.filter((r) => r.eventName === 'GetSMSSandboxAccountStatus').map((r) => r.awsRegion)),
    ).toEqual(new Set(SANDBOX_PROBES));
    expect(lookedUp.filter((r) => r.eventName === 'SetSMSAttributes')).toHaveLength(SMS_REGIONS.length);
    expect(lookedUp.filter((r) => r.eventName === 'Publish')).toEqual([]);
    expect(delivered.filter((r) => r.eventName === 'Publish')).toEqual([]);
    const publishes = loaded.truth.attackerEvents.filter((e) => e.eventName === 'Publish');
    expect(publishes).toHaveLength(PUMPED.reduce((n, p) => n + p.texts, 0) + 1);
  });

  it('prices every text by country in the truth; the raised limit let them all out', async () => {
    const t = loaded.truth;
    const attacker = smsTexts(sim.state, VICTIM_ACCOUNT).filter((x) => x.sourceIp === '185.220.101.47');
    expect(attacker.every((x) => x.delivered)).toBe(true);
    expect(new Set(t.cost.sms.map((s) => s.iso))).toEqual(new Set(['UZ', 'KG', 'TJ', 'AZ', 'NG']));
    const uz = t.cost.sms.find((s) => s.iso === 'UZ')!;
    expect(uz).toMatchObject({ region: 'us-east-1', texts: 120, delivered: 120 });
    expect(uz.usd).toBeCloseTo(120 * 0.248, 2);
    expect(t.cost.usd).toBeCloseTo(
      t.cost.sms.reduce((s, x) => s + x.usd, 0),
      2,
    );
    expect(t.cost.usd).toBeGreaterThan(90);
    const attrs = await new SNSClient(cfg(sim, loaded.responderCredentials, 'eu-west-1')).send(
      new GetSMSAttributesCommand({}),
    );
    expect(attrs.attributes?.MonthlySpendLimit).toBe(String(RAISED_LIMIT));
  });

  it('reads clean once the spend limits are back at the owner’s values', async () => {
    const before = checkCleanState(sim.state, loaded.truth).unmet.map((c) => c.check);
    expect(before.filter((c) => c === 'smsSpendLimitAtMost')).toHaveLength(2);
    for (const r of SMS_REGIONS) {
      await new SNSClient(cfg(sim, loaded.responderCredentials, r.region)).send(
        new SetSMSAttributesCommand({ attributes: { MonthlySpendLimit: String(r.limit) } }),
      );
    }
    expect(checkCleanState(sim.state, loaded.truth).unmet.map((c) => c.check)).toEqual([
      'accessKeyNotActive',
    ]);
  });
});
