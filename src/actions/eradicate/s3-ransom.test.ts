import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EradicationItem } from '../../eradicate/items.js';
import { KINDS } from '../../eradicate/kinds.js';
import type { StepRequest } from '../engine.js';
import { priorLifecycle } from '../../eradicate/kinds-s3.js';
import { A, caseVerifies, outcome, planAndApply, startBed, type Bed } from './test-support/bed.js';

/** The attacker's SSE-C key (32 bytes, base64). */
const KEY = Buffer.from('attacker-key-for-the-ransom-test').toString('base64');
const NOTE = 'README-HOW-TO-RECOVER.txt';
const OWN_RULE = {
  ID: 'archive-after-a-year',
  Status: 'Enabled' as const,
  Filter: { Prefix: 'ledger/' },
  Transitions: [{ Days: 365, StorageClass: 'GLACIER' as const }],
};
const EXPIRY = {
  ID: 'cleanup',
  Status: 'Enabled' as const,
  Filter: { Prefix: '' },
  Expiration: { Days: 7 },
  NoncurrentVersionExpiration: { NoncurrentDays: 1 },
};
const VERSIONED = { bucket: 'ransom-versioned', keys: ['a/one.csv', 'b/two files.pdf'] };
const PLAIN = { bucket: 'ransom-plain', keys: ['ledger/2025.csv', 'tax/return.pdf'] };
const body = (key: string) => `the owner's bytes of ${key}\n${'0123456789'.repeat(40)}`;

async function bytes(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

/**
 * The S3 ransomware clean-up at the action level on a simulated account: the attacker's expiry rules
 * off (the owner's configuration back from Event history), the re-encrypted objects copied back from
 * their earlier version byte for byte, the keys that cannot be named, the ransom note kept and deleted.
 */
describe('S3 ransomware eradication', { timeout: 120_000 }, () => {
  let bed: Bed;
  let s3: S3Client;
  let attackStart = '';

  beforeAll(async () => {
    bed = await startBed('s3-ransom');
    s3 = bed.client(S3Client);
    for (const b of [VERSIONED, PLAIN]) {
      await s3.send(new CreateBucketCommand({ Bucket: b.bucket }));
      for (const key of b.keys)
        await s3.send(new PutObjectCommand({ Bucket: b.bucket, Key: key, Body: body(key) }));
    }
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: VERSIONED.bucket,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    // Written again once versioning is on: the version the restore must find is this one.
    for (const key of VERSIONED.keys)
      await s3.send(new PutObjectCommand({ Bucket: VERSIONED.bucket, Key: key, Body: body(key) }));
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: PLAIN.bucket,
        LifecycleConfiguration: { Rules: [OWN_RULE] },
      }),
    );
    attackStart = new Date().toISOString();
    for (const b of [VERSIONED, PLAIN]) {
      for (const key of b.keys)
        await s3.send(
          new CopyObjectCommand({
            Bucket: b.bucket,
            Key: key,
            CopySource: `${b.bucket}/${encodeURIComponent(key)}`,
            SSECustomerAlgorithm: 'AES256',
            SSECustomerKey: KEY,
          }),
        );
      await s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: b.bucket,
          LifecycleConfiguration: { Rules: [EXPIRY] },
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: b.bucket, Key: NOTE, Body: 'pay 2.5 BTC' }));
    }
  });
  afterAll(() => bed?.stop());

  it('plans from the items: lifecycle from Event history, the objects, the note in the bucket the trail saw none in', async () => {
    const item = (kind: string, name: string, details?: Record<string, string>): EradicationItem => ({
      kind,
      id: `${kind}/us-east-1/${name}`,
      name,
      region: 'us-east-1',
      account: A,
      attribution: 'attacker',
      eventIds: [],
      firstSeen: attackStart,
      ...(details ? { details } : {}),
    });
    const items = [
      item('bucket-lifecycle', PLAIN.bucket, { ruleIds: 'cleanup' }),
      item('encrypted-objects', PLAIN.bucket),
      item('encrypted-objects', VERSIONED.bucket),
      item('s3-object', `${VERSIONED.bucket}/${NOTE}`),
    ];
    const ctx = {
      pool: bed.pool,
      ourAccount: A,
      attackStart,
      items: new Map(items.map((i) => [i.id, i])),
      attackerEvents: new Set<string>(),
    };
    const steps: StepRequest[] = [];
    for (const i of items) steps.push(...(await KINDS[i.kind]!.steps!(i, ctx)));
    expect(steps.map((s) => `${s.action} ${s.params.bucket ?? ''} ${s.params.key ?? ''}`.trim())).toEqual([
      `restore-bucket-lifecycle ${PLAIN.bucket}`,
      `restore-encrypted-objects ${PLAIN.bucket}`,
      `delete-object ${PLAIN.bucket} ${NOTE}`,
      `restore-encrypted-objects ${VERSIONED.bucket}`,
      `delete-object ${VERSIONED.bucket} ${NOTE}`,
    ]);
    // The owner's configuration as the simulator's CloudTrail recorded it, in the SDK's shape.
    expect(JSON.parse(steps[0]!.params.prior!)).toEqual({ Rules: [OWN_RULE] });
    expect(steps[0]!.params.attackerRules).toBe('cleanup');
    expect(steps[1]!.params.createdAfter).toBe(attackStart);
  });

  it('lifecycle: the configuration kept, the owner’s put back (or none), nothing changed the second time; no undo', async () => {
    const prior = await priorLifecycle(bed.pool, 'us-east-1', PLAIN.bucket, attackStart, new Set());
    const requests: StepRequest[] = [
      {
        action: 'restore-bucket-lifecycle',
        account: A,
        params: { bucket: PLAIN.bucket, attackerRules: 'cleanup', prior: prior! },
      },
      {
        action: 'restore-bucket-lifecycle',
        account: A,
        params: { bucket: VERSIONED.bucket, attackerRules: 'cleanup' },
      },
    ];
    const run = await planAndApply(bed, requests);
    expect(run.plan.steps.map((s) => s.change)).toEqual([
      'keep the configuration (rule(s) cleanup), leave rule(s) archive-after-a-year: as it was before the attack (Event history)',
      "keep the configuration (rule(s) cleanup), leave no configuration: without the attacker's rules (no earlier configuration in the 90 days of Event history)",
    ]);
    expect(run.plan.steps.every((s) => !s.reversible)).toBe(true);
    expect(run.apply.verified).toBe(true);
    const kept = run.evidence.filter((p) => p.endsWith('bucket-lifecycle.json'));
    expect(kept).toHaveLength(2);
    expect(readFileSync(join(run.dir, 'evidence', kept[0]!), 'utf8')).toContain('"Days": 7');
    const own = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: PLAIN.bucket }));
    expect(own.Rules).toEqual([OWN_RULE]);
    expect(
      await outcome(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: VERSIONED.bucket }))),
    ).toBe('NoSuchLifecycleConfiguration');
    const again = await planAndApply(bed, requests);
    expect(again.plan.steps.map((s) => [s.noop, s.change])).toEqual([
      [true, 'already restored'],
      [true, 'already restored'],
    ]);
    expect(again.evidence.filter((p) => !p.startsWith('plans/'))).toEqual([]);
    expect(await caseVerifies(run.dir)).toBe(true);
  });

  it('objects: copied back byte for byte from the version before, the listing kept first; the unversioned keys named', async () => {
    const requests = [VERSIONED, PLAIN].map((b) => ({
      action: 'restore-encrypted-objects',
      account: A,
      params: { bucket: b.bucket, createdAfter: attackStart },
    }));
    const run = await planAndApply(bed, requests);
    const [versioned, plain] = run.plan.steps;
    expect(versioned!.noop).toBe(false);
    expect(versioned!.change).toBe(
      `keep the version listing, copy back 2 object(s) from their version before the attack (${VERSIONED.keys.join(', ')})`,
    );
    expect(plain!.noop).toBe(true);
    expect(plain!.change).toBe(
      `2 object(s) of ${PLAIN.bucket} encrypted with a customer key cannot be restored (versioning never enabled: no earlier copy): ${PLAIN.keys.join(', ')} — restore them from a backup`,
    );
    // A person's to-do (eradication lists it by hand): the data is lost unless a backup has it.
    expect(plain!.manual).toBe(`${plain!.change}.`);
    expect(versioned!.manual).toBeUndefined();
    expect((plain!.before as { unrecoverable: string[] }).unrecoverable).toEqual(PLAIN.keys);
    expect(run.apply.verified).toBe(true);
    for (const key of VERSIONED.keys) expect(await bytes(s3, VERSIONED.bucket, key)).toBe(body(key));
    // The encrypted versions stay underneath (evidence in the bucket; nothing deleted).
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: VERSIONED.bucket }));
    expect(versions.Versions?.filter((v) => v.Key === VERSIONED.keys[0])).toHaveLength(4);
    const listing = run.evidence.find((p) => p.endsWith('object-versions.json'));
    expect(listing).toBeDefined();
    const kept = JSON.parse(readFileSync(join(run.dir, 'evidence', listing!), 'utf8')) as {
      encrypted: { key: string }[];
    };
    expect(kept.encrypted.map((e) => e.key)).toEqual(VERSIONED.keys);
    // Still encrypted with the attacker's key in the unversioned bucket: S3 refuses a plain read.
    expect(await outcome(() => bytes(s3, PLAIN.bucket, PLAIN.keys[0]!))).not.toBe('ok');

    const again = await planAndApply(bed, requests);
    expect(again.plan.steps.map((s) => s.noop)).toEqual([true, true]);
    expect(again.plan.steps[0]!.change).toBe('no object is encrypted with a customer key: already restored');
    expect(again.plan.steps[1]!.change).toContain(PLAIN.keys.join(', '));
    expect(again.evidence.filter((p) => !p.startsWith('plans/'))).toEqual([]);
  });

  it('the note: its bytes kept, then deleted (the attacker’s version itself); a note from before the attack refused', async () => {
    const requests = [VERSIONED, PLAIN].map((b) => ({
      action: 'delete-object',
      account: A,
      params: { bucket: b.bucket, key: NOTE, createdAfter: attackStart },
    }));
    const run = await planAndApply(bed, requests);
    expect(run.plan.steps.map((s) => s.change)).toEqual([
      `keep its 11 bytes, delete ${VERSIONED.bucket}/${NOTE}`,
      `keep its 11 bytes, delete ${PLAIN.bucket}/${NOTE}`,
    ]);
    expect(run.apply.verified).toBe(true);
    const notes = run.evidence.filter((p) => p.endsWith(`object-${NOTE}`));
    expect(notes.map((p) => readFileSync(join(run.dir, 'evidence', p), 'utf8'))).toEqual([
      'pay 2.5 BTC',
      'pay 2.5 BTC',
    ]);
    for (const b of [VERSIONED, PLAIN])
      expect(await outcome(() => bytes(s3, b.bucket, NOTE))).toBe('NoSuchKey');
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: VERSIONED.bucket, Prefix: NOTE }));
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);
    const again = await planAndApply(bed, requests);
    expect(again.plan.steps.map((s) => s.change)).toEqual(['already gone', 'already gone']);

    // The same key, written before the cut-off: the guard keeps it.
    await s3.send(new PutObjectCommand({ Bucket: PLAIN.bucket, Key: NOTE, Body: 'the owner’s own readme' }));
    const later = new Date(Date.now() + 60_000).toISOString();
    const refused = await planAndApply(bed, [
      {
        action: 'delete-object',
        account: A,
        params: { bucket: PLAIN.bucket, key: NOTE, createdAfter: later },
      },
    ]);
    expect(refused.plan.steps[0]!.refused).toMatch(/before the attack/);
    expect(await bytes(s3, PLAIN.bucket, NOTE)).toBe('the owner’s own readme');
  });
});
