import {
  BedrockClient,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { bedrockState } from '../services/bedrock/index.js';
import { modelUsage } from '../services/bedrock/models.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { ABUSED, PROBED_REGIONS } from './catalog/llmjacking.js';
import { checkCleanState } from './clean.js';
import { loadScenario, type LoadedScenario } from './index.js';
import { verifyTruth } from './test-support/verify.js';
import type { Credentials } from './types.js';

const cfg = (sim: RunningSim, creds: Credentials, region = 'us-east-1') => ({
  region,
  endpoint: sim.endpoint,
  credentials: creds,
  maxAttempts: 1,
});

describe('llmjacking', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  beforeAll(async () => {
    sim = await startSim({
      seed: 15,
      lookupEventsPerSecond: 10_000,
      clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }),
    });
    loaded = await loadScenario(sim, 'llmjacking', { seed: 15 });
  }, 120_000);
  afterAll(() => sim.stop());

  it('matches LookupEvents, the delivered trail files and the APIs', async () => {
    const t = loaded.truth;
    const { lookedUp, delivered } = await verifyTruth(sim, loaded);
    const probes = lookedUp.filter((r) => r.eventName === 'GetFoundationModelAvailability');
    expect(new Set(probes.map((r) => r.awsRegion))).toEqual(new Set(PROBED_REGIONS));
    // Model calls are management events: in Event history of their region, and in the trail
    // (us-east-1 only in this account) for the calls made there.
    const calls = lookedUp.filter((r) => r.eventSource === 'bedrock.amazonaws.com' && !r.errorCode);
    for (const a of ABUSED) {
      expect(
        calls.filter(
          (r) =>
            r.awsRegion === a.region &&
            r.eventName === a.op &&
            (r.requestParameters as { modelId?: string } | null)?.modelId === a.modelId,
        ),
        `${a.op} ${a.modelId} in ${a.region}`,
      ).toHaveLength(a.calls);
    }
    expect(delivered.filter((r) => r.eventName === 'InvokeModel' && !r.errorCode)).toHaveLength(70);
    expect(t.resourcesModified.map((r) => r.type)).toEqual([
      'AWS::Bedrock::ModelInvocationLoggingConfiguration',
    ]);
  });

  it('leaves invocation logging deleted where the account had it, and the proxied calls unlogged', async () => {
    const responder = loaded.responderCredentials;
    const read = await new BedrockClient(cfg(sim, responder)).send(
      new GetModelInvocationLoggingConfigurationCommand({}),
    );
    expect(read.loggingConfig).toBeUndefined();
    const logs = await new S3Client({ ...cfg(sim, responder), forcePathStyle: true }).send(
      new ListObjectsV2Command({ Bucket: 'acme-bedrock-logs' }),
    );
    // The attacker's one malformed probe before the deletion was refused: nothing was logged.
    expect(logs.KeyCount ?? 0).toBe(0);
  });

  it('puts the tokens and their price in the truth: every proxied call, priced from the table', () => {
    const t = loaded.truth;
    const calls = bedrockState(sim.state, VICTIM_ACCOUNT).invocations;
    expect(calls).toHaveLength(ABUSED.reduce((n, a) => n + a.calls, 0));
    expect(new Set(calls.map((c) => c.sourceIp))).toEqual(new Set(['91.92.243.17']));
    expect(t.cost.models).toEqual(modelUsage(calls));
    const opus = t.cost.models.find((m) => m.modelId.includes('opus'))!;
    expect(opus.invocations).toBe(40);
    expect(opus.usd).toBeCloseTo((opus.inputTokens / 1000) * 0.015 + (opus.outputTokens / 1000) * 0.075, 2);
    expect(t.cost.usd).toBeCloseTo(
      t.cost.models.reduce((s, m) => s + m.usd, 0),
      2,
    );
    expect(t.cost.usd).toBeGreaterThan(10);
  });

  it('reads clean once invocation logging is back (and the key is off)', async () => {
    const t = loaded.truth;
    expect(t.expectedCleanState).toContainEqual({ check: 'bedrockLoggingOn', region: 'us-east-1' });
    const before = checkCleanState(sim.state, t).unmet.map((c) => c.check);
    expect(before).toContain('bedrockLoggingOn');
    await new BedrockClient(cfg(sim, loaded.responderCredentials)).send(
      new PutModelInvocationLoggingConfigurationCommand({
        loggingConfig: { s3Config: { bucketName: 'acme-bedrock-logs', keyPrefix: 'invocations' } },
      }),
    );
    const after = checkCleanState(sim.state, t).unmet.map((c) => c.check);
    expect(after).not.toContain('bedrockLoggingOn');
  });
});
