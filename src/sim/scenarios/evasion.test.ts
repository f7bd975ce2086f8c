import { CloudTrailClient, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import {
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  IAMClient,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { HOSTILE } from './catalog/hostile-strings.js';
import { checkCleanState } from './clean.js';
import { loadScenario, type LoadedScenario } from './index.js';
import { lookupAll, verifyTruth } from './test-support/verify.js';
import type { Credentials } from './types.js';
import { W } from './world.js';

const END = '2026-11-20T12:00:00Z';

async function load(name: string, truthFile?: string): Promise<{ sim: RunningSim; loaded: LoadedScenario }> {
  const sim = await startSim({
    seed: 12,
    lookupEventsPerSecond: 10_000,
    clock: new SimClock({ start: END, frozen: true }),
  });
  return { sim, loaded: await loadScenario(sim, name, { seed: 12, ...(truthFile ? { truthFile } : {}) }) };
}

const cfg = (sim: RunningSim, creds: Credentials, region = 'us-east-1') => ({
  region,
  endpoint: sim.endpoint,
  credentials: creds,
  maxAttempts: 1,
});

describe('defense-evasion', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load('defense-evasion')));
  afterAll(() => sim.stop());

  it('stops logging, deletes the detector, then hides in a region without a trail', async () => {
    const t = loaded.truth;
    const { delivered } = await verifyTruth(sim, loaded);
    const stop = t.attackerEvents.find((e) => e.eventName === 'StopLogging')!;
    expect(delivered.some((r) => r.eventTime > stop.time)).toBe(false);
    expect(delivered.map((r) => r.eventName)).toContain('PutEventSelectors');
    const status = await new CloudTrailClient(cfg(sim, loaded.responderCredentials)).send(
      new GetTrailStatusCommand({ Name: W.trail }),
    );
    expect(status.IsLogging).toBe(false);
    const detectors = await new GuardDutyClient(cfg(sim, loaded.responderCredentials)).send(
      new ListDetectorsCommand({}),
    );
    expect(detectors.DetectorIds).toEqual([]);
    const hidden = await lookupAll(
      sim,
      loaded.responderCredentials,
      'ca-central-1',
      new Date(t.attackStart!),
      new Date(t.end),
    );
    expect(hidden.filter((r) => r.eventName === 'RunInstances')).toHaveLength(1);
    expect(t.cost.instances).toHaveLength(3);
    // GuardDuty saw the logging stop before its detector went away... and the finding went with it.
    expect(t.guardDutyFindings.filter((f) => f.region === 'us-east-1')).toEqual([]);
    expect(checkCleanState(sim.state, t).unmet.map((c) => c.check)).toEqual(
      expect.arrayContaining(['trailLogging', 'detectorPresent', 'instanceNotRunning', 'accessKeyNotActive']),
    );
  });
});

describe('console-takeover', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load('console-takeover')));
  afterAll(() => sim.stop());

  it('records failed then successful sign-in without MFA, then console changes and a new key in use', async () => {
    const t = loaded.truth;
    expect(t.leakedAccessKeyId).toBeNull();
    const { lookedUp } = await verifyTruth(sim, loaded);
    const logins = lookedUp
      .filter((r) => r.eventName === 'ConsoleLogin')
      .sort((a, b) => a.eventTime.localeCompare(b.eventTime));
    expect(logins.map((r) => (r.responseElements as { ConsoleLogin: string }).ConsoleLogin)).toEqual([
      'Failure',
      'Success',
    ]);
    expect(logins[0]).toMatchObject({
      eventSource: 'signin.amazonaws.com',
      awsRegion: 'us-east-1',
      errorMessage: 'Failed authentication',
      eventType: 'AwsConsoleSignIn',
    });
    expect(logins[1]!.additionalEventData).toMatchObject({ MFAUsed: 'No' });
    expect(logins[1]!.userAgent).toContain('Mozilla/5.0');
    const consoleCalls = lookedUp
      .filter((r) => r.sessionCredentialFromConsole === 'true')
      .map((r) => r.eventName)
      .reverse();
    expect(consoleCalls).toEqual([
      'UpdateLoginProfile',
      'CreateVirtualMFADevice',
      'EnableMFADevice',
      'CreateAccessKey',
    ]);
    // The admin had signed in before only from the office.
    const earlier = sim.state
      .accountOrThrow(t.accountId)
      .cloudtrail.events.filter((r) => r.eventName === 'ConsoleLogin' && r.eventTime < t.attackStart!);
    expect(earlier.length).toBeGreaterThan(0);
    expect(earlier.every((r) => r.sourceIPAddress === '198.51.100.40')).toBe(true);
    const key = t.resourcesCreated.find((r) => r.type === 'AWS::IAM::AccessKey')!;
    expect(
      lookedUp.some(
        (r) =>
          (r.userIdentity as { accessKeyId?: string }).accessKeyId === key.id && r.eventName === 'ListUsers',
      ),
    ).toBe(true);
    expect(
      checkCleanState(sim.state, t)
        .unmet.map((c) => c.check)
        .sort(),
    ).toEqual(['accessKeyNotActive', 'mfaDeviceAbsent']);
  });
});

describe('hostile-strings', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => ({ sim, loaded } = await load('hostile-strings')));
  afterAll(() => sim.stop());

  it('carries HTML, ANSI escapes and formulas unaltered into the records and the state', async () => {
    const { lookedUp, delivered } = await verifyTruth(sim, loaded);
    for (const records of [lookedUp, delivered]) {
      const text = JSON.stringify(records);
      expect(records.some((r) => r.userAgent === `${HOSTILE.script}${HOSTILE.img}`)).toBe(true);
      expect(records.some((r) => r.userAgent === HOSTILE.formula)).toBe(true);
      expect(text).toContain(JSON.stringify(HOSTILE.ansi).slice(1, -1));
      expect(text).toContain(JSON.stringify(HOSTILE.cmd).slice(1, -1));
    }
    const iam = new IAMClient(cfg(sim, loaded.responderCredentials));
    const tags = await iam.send(new ListUserTagsCommand({ UserName: 'svc-monitor' }));
    expect(tags.Tags?.map((x) => x.Value)).toEqual([HOSTILE.img, HOSTILE.ansi, HOSTILE.formula]);
    expect((await iam.send(new GetUserCommand({ UserName: 'svc-monitor' }))).User?.UserName).toBe(
      'svc-monitor',
    );
  });
});

describe('quiet', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  const truthFile = join(mkdtempSync(join(tmpdir(), 'tq-truth-')), 'truth.json');
  beforeAll(async () => ({ sim, loaded } = await load('quiet', truthFile)));
  afterAll(() => sim.stop());

  it('is three weeks of normal work with the key and no attacker', async () => {
    const t = loaded.truth;
    expect(JSON.parse(readFileSync(truthFile, 'utf8'))).toEqual(JSON.parse(JSON.stringify(t)));
    expect(t.attackerEventIds).toEqual([]);
    expect(t.attackStart).toBeNull();
    expect(t.expectedCleanState).toEqual([]);
    expect(t.guardDutyFindings).toEqual([]);
    const events = sim.state
      .accountOrThrow(t.accountId)
      .cloudtrail.events.filter(
        (r) => (r.userIdentity as { accessKeyId?: string }).accessKeyId === t.leakedAccessKeyId,
      );
    expect(events.length).toBeGreaterThan(150);
    expect(new Set(events.map((r) => r.sourceIPAddress))).toEqual(new Set(['198.51.100.23', '3.91.44.107']));
    const span = Date.parse(events.at(-1)!.eventTime) - Date.parse(events[0]!.eventTime);
    expect(span).toBeGreaterThan(19 * 86_400_000);
    // No GuardDuty finding anywhere for normal work.
    for (const a of sim.state.accounts()) {
      const gd = a.services.guardduty as { detectors: Record<string, { findings: unknown[] }> } | undefined;
      for (const d of Object.values(gd?.detectors ?? {})) expect(d.findings).toEqual([]);
    }
    // Key last-used follows the simulated clock: the last CI or developer call, not the wall clock.
    const lastUsed = await new IAMClient(cfg(sim, loaded.responderCredentials)).send(
      new GetAccessKeyLastUsedCommand({ AccessKeyId: t.leakedAccessKeyId! }),
    );
    expect(lastUsed.AccessKeyLastUsed?.LastUsedDate?.toISOString().replace('.000Z', 'Z')).toBe(
      events.at(-1)!.eventTime,
    );
    const id = await new STSClient(cfg(sim, loaded.leakedCredentials!)).send(
      new GetCallerIdentityCommand({}),
    );
    expect(id.Arn).toBe(t.compromisedUser);
  });
});
