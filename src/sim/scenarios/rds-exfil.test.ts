import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  DescribeExportTasksCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, type RunningSim } from '../index.js';
import { OWN_SNAPSHOT, PROD_DB, PROD_GB, THEFT } from './catalog/rds-exfil.js';
import { rdsCost, rdsPhrase } from '../../report/rds-cost.js';
import { checkCleanState } from './clean.js';
import { loadScenario, type LoadedScenario } from './index.js';
import { verifyTruth } from './test-support/verify.js';
import { bedOn, planAndApply } from '../../actions/eradicate/test-support/bed.js';
import { planFromCalls } from '../../actions/eradicate/test-support/from-calls.js';

describe('rds-exfil', () => {
  let sim: RunningSim;
  let loaded: LoadedScenario;
  /** The attacker's key in the copy's region (the truth names it by ARN). */
  const copyKeyId = () =>
    loaded.truth.resourcesCreated
      .find((r) => r.type === 'AWS::KMS::Key')!
      .id.split('/')
      .at(-1)!;
  const rds = (region: string) =>
    new RDSClient({
      region,
      endpoint: sim.endpoint,
      credentials: loaded.responderCredentials,
      maxAttempts: 1,
    });
  beforeAll(async () => {
    sim = await startSim({
      seed: 16,
      lookupEventsPerSecond: 10_000,
      clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }),
    });
    loaded = await loadScenario(sim, 'rds-exfil', { seed: 16 });
  }, 120_000);
  afterAll(() => sim.stop());

  it('matches LookupEvents, the trail files and the APIs: every RDS and KMS call a management event', async () => {
    const { lookedUp, delivered } = await verifyTruth(sim, loaded);
    const names = (rs: { eventName: string }[]) => [...new Set(rs.map((r) => r.eventName))].sort();
    expect(names(lookedUp)).toEqual([
      'CopyDBSnapshot',
      'CreateDBSnapshot',
      'CreateKey',
      'DescribeDBInstances',
      'DescribeDBSnapshotAttributes',
      'DescribeDBSnapshots',
      'DescribeExportTasks',
      'GetCallerIdentity',
      'ListKeys',
      'ModifyDBSnapshotAttribute',
      'PutKeyPolicy',
      'StartExportTask',
    ]);
    // The trail covers us-east-1 only: the snapshot is there, the copy, share and export are not.
    expect(names(delivered)).toEqual([
      'CreateDBSnapshot',
      'DescribeDBInstances',
      'DescribeDBSnapshots',
      'GetCallerIdentity',
    ]);
    const share = lookedUp.find((r) => r.eventName === 'ModifyDBSnapshotAttribute')!;
    expect(share).toMatchObject({
      awsRegion: THEFT.copyRegion,
      requestParameters: {
        dBSnapshotIdentifier: THEFT.copy,
        attributeName: 'restore',
        valuesToAdd: [THEFT.account],
      },
    });
    // The production password of the set-up never reached CloudTrail.
    expect(JSON.stringify(sim.state.accountOrThrow(loaded.truth.accountId).cloudtrail.events)).not.toContain(
      'Orders-Prod-2026-Initial',
    );
    expect(loaded.truth.persistence).toEqual([
      expect.objectContaining({
        kind: 'rds-snapshot-share',
        region: THEFT.copyRegion,
        eventIds: [share.eventID],
      }),
    ]);
    expect(loaded.truth.dataTouched.map((d) => d.kind)).toEqual([
      'rds-snapshot',
      'rds-snapshot-shared',
      'rds-export',
    ]);
  });

  it('leaves the copy shared with the foreign account under a key that admits it, and the export complete in its bucket', async () => {
    const attrs = await rds(THEFT.copyRegion).send(
      new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: THEFT.copy }),
    );
    expect(attrs.DBSnapshotAttributesResult?.DBSnapshotAttributes).toEqual([
      { AttributeName: 'restore', AttributeValues: [THEFT.account] },
    ]);
    const [copy] =
      (await rds(THEFT.copyRegion).send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: THEFT.copy })))
        .DBSnapshots ?? [];
    const kms = new KMSClient({
      region: THEFT.copyRegion,
      endpoint: sim.endpoint,
      credentials: loaded.responderCredentials,
      maxAttempts: 1,
    });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: copy!.KmsKeyId! }))).KeyMetadata?.KeyManager).toBe(
      'CUSTOMER',
    );
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId: copy!.KmsKeyId! }))).Policy).toContain(
      `arn:aws:iam::${THEFT.account}:root`,
    );
    const [task] = (await rds(THEFT.copyRegion).send(new DescribeExportTasksCommand({}))).ExportTasks ?? [];
    expect(task).toMatchObject({
      ExportTaskIdentifier: THEFT.exportTask,
      S3Bucket: THEFT.bucket,
      Status: 'COMPLETE',
    });
    // The company's own snapshot is there beside the attacker's, never shared.
    const own =
      (await rds('us-east-1').send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: PROD_DB })))
        .DBSnapshots ?? [];
    expect(own.map((s) => s.DBSnapshotIdentifier).sort()).toEqual([OWN_SNAPSHOT, THEFT.snapshot].sort());
  });

  it('expects the share removed and both of the attacker’s snapshots gone, the company’s own kept', async () => {
    const unmet = checkCleanState(sim.state, loaded.truth).unmet;
    expect(unmet).toEqual(
      expect.arrayContaining([
        { check: 'rdsSnapshotAbsent', region: 'us-east-1', snapshotId: THEFT.snapshot },
        { check: 'rdsSnapshotAbsent', region: THEFT.copyRegion, snapshotId: THEFT.copy },
        {
          check: 'rdsSnapshotNotShared',
          region: THEFT.copyRegion,
          snapshotId: THEFT.copy,
          account: THEFT.account,
        },
        { check: 'kmsKeyPendingDeletion', region: THEFT.copyRegion, keyId: copyKeyId() },
      ]),
    );
    expect(JSON.stringify(loaded.truth.expectedCleanState)).not.toContain(OWN_SNAPSHOT);

    // Eradication planned from the attacker's recorded calls meets every RDS condition of the truth.
    const bed = await bedOn(sim, loaded.responderCredentials);
    try {
      const start = loaded.truth.attackStart!;
      const records = sim.state
        .accountOrThrow(loaded.truth.accountId)
        .cloudtrail.events.filter((e) => loaded.truth.attackerEventIds.includes(e.eventID));
      const { requests, manual } = await planFromCalls(bed, loaded.truth.accountId, records, start);
      const run = await planAndApply(bed, requests);
      expect(run.plan.steps.map((s) => s.action)).toEqual([
        'unshare-rds-snapshot',
        'delete-rds-snapshot',
        'delete-rds-snapshot',
        'schedule-kms-key-deletion',
      ]);
      expect(run.apply.verified).toBe(true);
      expect(manual).toEqual([expect.stringContaining(`s3://${THEFT.bucket}/orders`)]);
      // …and the key the copy was made under, pending deletion (unusable at once).
      const after = checkCleanState(sim.state, loaded.truth).unmet.filter((c) => /^(rds|kms)/.test(c.check));
      expect(after).toEqual([]);
      expect(
        (await rds('us-east-1').send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: OWN_SNAPSHOT })))
          .DBSnapshots,
      ).toHaveLength(1);
    } finally {
      bed.pool.destroy();
    }
  });

  it('prices the theft from the events: export per GB of snapshot, the cross-region copy, snapshot storage so far', () => {
    const events = sim.state
      .accountOrThrow(loaded.truth.accountId)
      .cloudtrail.events.filter((e) => loaded.truth.attackerEventIds.includes(e.eventID))
      .map((e) => ({
        eventId: e.eventID,
        time: e.eventTime,
        region: e.awsRegion,
        eventSource: e.eventSource,
        eventName: e.eventName,
        sourceIp: e.sourceIPAddress,
        userAgent: e.userAgent ?? null,
        errorCode: e.errorCode ?? null,
        accessKeyId: null,
        principalArn: null,
        requestParameters: JSON.stringify(e.requestParameters ?? null),
        responseElements: JSON.stringify(e.responseElements ?? null),
      }));
    const end = new Date(loaded.truth.end);
    const cost = rdsCost(events, end)!;
    expect(cost.snapshots.map((s) => [s.id, s.region, s.gb, s.copiedFrom])).toEqual([
      [THEFT.snapshot, 'us-east-1', PROD_GB, null],
      [THEFT.copy, THEFT.copyRegion, PROD_GB, 'us-east-1'],
    ]);
    expect(cost.exports).toEqual([
      expect.objectContaining({ id: THEFT.exportTask, bucket: THEFT.bucket, gb: PROD_GB }),
    ]);
    // The same figures from the scenario's own numbers: 200 GB exported once, copied once,
    // two snapshots stored from their creation (4 and 13 minutes into the attack) to the end.
    const hours = [4, 13].map(
      (m) => (end.getTime() - Date.parse(loaded.truth.attackStart!)) / 3_600_000 - m / 60,
    );
    const expected = PROD_GB * (0.01 + 0.02) + hours.reduce((sum, h) => sum + (PROD_GB * 0.095 * h) / 730, 0);
    expect(Math.abs(cost.usd - expected) / expected).toBeLessThan(0.01);
    expect(cost.unsized).toBe(0);
    expect(rdsPhrase(cost)).toContain('2 RDS snapshot(s) of 400 GB and 1 export(s)');
  });
});
