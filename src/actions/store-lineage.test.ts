import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEventStore, STORE_FILE } from '../store/store.js';
import { ingestPaths } from '../trail/ingest.js';
import { CASE_STORE_FILE, lineageFromStore } from './store-lineage.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tq-store-lineage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const identity = (key: string, arn = 'arn:aws:iam::111122223333:user/ci') => ({
  type: key.startsWith('AKIA') ? 'IAMUser' : 'AssumedRole',
  arn,
  accountId: '111122223333',
  accessKeyId: key,
  userName: 'ci',
});

function record(n: number, key: string, eventName: string, extra: Record<string, unknown>) {
  return {
    eventVersion: '1.08',
    userIdentity: identity(key),
    eventTime: `2026-11-20T10:0${n}:00Z`,
    eventSource: eventName === 'CreateAccessKey' ? 'iam.amazonaws.com' : 'sts.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9',
    userAgent: 'aws-cli/2',
    requestID: `r${n}`,
    eventID: `00000000-0000-0000-0000-00000000000${n}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...extra,
  };
}

describe('lineage from collected events', () => {
  it('turns the investigation lineage into roles to revoke and keys to deactivate, to any depth and across accounts', async () => {
    const records = [
      record(1, 'AKIAVICTIM0000000001', 'AssumeRole', {
        requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/deploy', roleSessionName: 's' },
        responseElements: {
          credentials: { accessKeyId: 'ASIAFIRST00000000001' },
          assumedRoleUser: { arn: 'arn:aws:sts::111122223333:assumed-role/deploy/s' },
        },
      }),
      record(2, 'ASIAFIRST00000000001', 'AssumeRole', {
        requestParameters: { roleArn: 'arn:aws:iam::444455556666:role/partner', roleSessionName: 't' },
        responseElements: {
          credentials: { accessKeyId: 'ASIASECOND0000000001' },
          assumedRoleUser: { arn: 'arn:aws:sts::444455556666:assumed-role/partner/t' },
        },
      }),
      record(3, 'AKIAVICTIM0000000001', 'CreateAccessKey', {
        requestParameters: { userName: 'ops' },
        responseElements: {
          accessKey: { accessKeyId: 'AKIABACKDOOR00000001', userName: 'ops', status: 'Active' },
        },
      }),
    ];
    const trail = join(dir, 'trail.json');
    writeFileSync(trail, JSON.stringify({ Records: records }));
    const file = join(dir, 'case.duckdb');
    const store = await openEventStore(file);
    await ingestPaths(store, [trail]);
    store.close();

    const found = await lineageFromStore(file, ['AKIAVICTIM0000000001']);
    expect(found.notChecked).toEqual([]);
    const byKey = Object.fromEntries(found.sessions.map((s) => [s.accessKeyId, s]));
    expect(byKey.ASIAFIRST00000000001).toMatchObject({
      via: 'AssumeRole',
      roleArn: 'arn:aws:iam::111122223333:role/deploy',
      account: '111122223333',
      depth: 1,
    });
    expect(byKey.ASIASECOND0000000001).toMatchObject({
      via: 'AssumeRole',
      roleArn: 'arn:aws:iam::444455556666:role/partner',
      account: '444455556666',
      parentKey: 'ASIAFIRST00000000001',
      depth: 2,
    });
    expect(byKey.AKIABACKDOOR00000001).toMatchObject({
      via: 'CreateAccessKey',
      userName: 'ops',
      account: '111122223333',
    });
    expect(CASE_STORE_FILE).toBe(STORE_FILE);
    expect(await lineageFromStore(join(dir, 'nothing.duckdb'), ['AKIAVICTIM0000000001'])).toEqual({
      sessions: [],
      notChecked: [],
    });
  });
});
