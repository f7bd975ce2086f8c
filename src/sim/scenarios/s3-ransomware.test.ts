import {
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { ARCHIVE, ARCHIVE_RULE, ATTACKER_KEY, RANSOMED, RANSOM_NOTE } from './catalog/s3-ransomware.js';
import { checkCleanState } from './clean.js';
import { loadScenario, type LoadedScenario } from './index.js';
import { verifyTruth } from './test-support/verify.js';
import { W } from './world.js';

describe('s3-ransomware', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  let s3: S3Client;
  beforeAll(async () => {
    sim = await startSim({
      seed: 15,
      lookupEventsPerSecond: 10_000,
      clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }),
    });
    loaded = await loadScenario(sim, 's3-ransomware', { seed: 15 });
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: sim.endpoint,
      credentials: loaded.responderCredentials,
      forcePathStyle: true,
      maxAttempts: 1,
    });
  }, 120_000);
  afterAll(() => sim.stop());

  it('matches LookupEvents, the trail files and the APIs: object writes seen only where data events are on', async () => {
    const { lookedUp, delivered } = await verifyTruth(sim, loaded);
    // Event history has the management calls only: the lifecycle rules, never an object write.
    expect(lookedUp.filter((r) => r.eventName === 'PutBucketLifecycle')).toHaveLength(2);
    expect(lookedUp.some((r) => r.eventName === 'CopyObject')).toBe(false);
    // The trail selects the customer data's objects: their re-encryption is there, the archive's is not.
    const copies = delivered.filter((r) => r.eventName === 'CopyObject');
    expect(copies.map((r) => (r.requestParameters as { bucketName: string }).bucketName)).toEqual(
      W.customerObjects.map(() => W.customerData),
    );
    expect(copies[0]!.additionalEventData).toMatchObject({ SSEApplied: 'SSE_C' });
    expect(copies[0]!.requestParameters).toMatchObject({
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    });
    expect(JSON.stringify(sim.state.accountOrThrow(W.account))).not.toContain(ATTACKER_KEY);
    expect(loaded.truth.dataTouched).toHaveLength(9);
    expect(loaded.truth.dataTouched.filter((d) => d.detail?.includes('versioning off'))).toHaveLength(5);
  });

  it('leaves every object readable only with the attacker’s key, the versioned ones kept underneath', async () => {
    for (const { bucket, keys, versioned } of RANSOMED) {
      for (const key of keys) {
        await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
          name: 'InvalidRequest',
        });
        const versions = (await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key })))
          .Versions;
        // An unversioned bucket lists its one object as the null version: nothing is kept under it.
        expect(versions?.length, `${bucket}/${key}`).toBe(versioned ? 2 : 1);
      }
      const note = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: RANSOM_NOTE }));
      expect(await note.Body!.transformToString()).toContain('2.5 BTC');
      const rules = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
      expect(rules.Rules?.map((r) => [r.ID, r.Expiration?.Days])).toEqual([['cleanup', 7]]);
    }
    // The version before the attacker's is the null version (objects older than versioning).
    const [key] = W.customerObjects;
    const before = await s3.send(
      new GetObjectCommand({ Bucket: W.customerData, Key: key, VersionId: 'null' }),
    );
    expect(await before.Body!.transformToString()).toMatch(/^id,name,email/);
  });

  it('expects the prior lifecycle, the versioned objects back and the notes gone', () => {
    const unmet = checkCleanState(sim.state, loaded.truth).unmet;
    expect(unmet.filter((c) => c.check === 'objectRestored')).toHaveLength(W.customerObjects.length);
    expect(unmet).toContainEqual({ check: 'bucketLifecycleRules', bucket: ARCHIVE, ruleIds: [ARCHIVE_RULE] });
    expect(unmet).toContainEqual({ check: 'bucketLifecycleRules', bucket: W.customerData, ruleIds: [] });
    expect(unmet.filter((c) => c.check === 'objectAbsent')).toHaveLength(2);
  });
});
