import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIND } from '../actions/journal-view.js';
import { CaseFolder } from '../case/case.js';
import { FakeClock } from '../test-support/fake-clock.js';
import { lineageOf, type Lineage } from '../detect/lineage.js';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from '../trail/ingest.js';
import { liveSessions } from './sessions.js';

const ACCOUNT = '111122223333';
const USER = `arn:aws:iam::${ACCOUNT}:user/dev-alex`;
const KEY = 'AKIADEVALEX00000001';
const TOKEN = 'ASIAUNUSEDTOKEN00001';
const NOW = new Date('2026-12-04T12:00:00Z');

const identity = { type: 'IAMUser', arn: USER, accountId: ACCOUNT, userName: 'dev-alex', accessKeyId: KEY };
const record = (id: string, time: string, source: string, name: string, extra: object = {}) => ({
  eventVersion: '1.08',
  eventID: id,
  eventTime: time,
  eventSource: `${source}.amazonaws.com`,
  eventName: name,
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.9.19',
  userIdentity: identity,
  recipientAccountId: ACCOUNT,
  eventType: 'AwsApiCall',
  ...extra,
});

// The key's owner is known from its own calls; the session token it asked for was never used, so
// no record names the principal it acts as.
describe('live sessions: a GetSessionToken session nobody used yet', () => {
  let dir: string;
  let store: EventStore;
  let lineage: Lineage;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tq-sessions-'));
    const records = [
      record('ev-1', '2026-12-04T11:18:10Z', 'sts', 'GetCallerIdentity'),
      record('ev-2', '2026-12-04T11:18:25Z', 'sts', 'GetSessionToken', {
        requestParameters: { durationSeconds: 129600 },
        responseElements: {
          credentials: { accessKeyId: TOKEN, sessionToken: 'x', expiration: 'Dec 5, 2026, 11:18:25 PM' },
        },
      }),
    ];
    writeFileSync(join(dir, 'trail.json'), JSON.stringify({ Records: records }));
    store = await openEventStore(join(dir, 'case.duckdb'));
    await ingestPaths(store, [join(dir, 'trail.json')]);
    lineage = await lineageOf(store, [KEY]);
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acts as the user whose key asked for it, and stays a live way in until containment revokes that user', async () => {
    const folder = CaseFolder.create(join(dir, 'open'), { clock: new FakeClock(NOW.getTime()) });
    const [token] = await liveSessions(store, folder, lineage, NOW);
    folder.close();
    expect(token).toMatchObject({ kind: 'session-token', name: TOKEN, owner: USER, risk: 'critical' });
    expect(token!.why).toContain(`acting as ${USER} stay valid until 2026-12-05T23:18:25.000Z`);
  });

  it('is cut off once containment denied the user’s older sessions', async () => {
    const folder = CaseFolder.create(join(dir, 'contained'), { clock: new FakeClock(NOW.getTime()) });
    const step = {
      id: `user-revoke-sessions:${ACCOUNT}:${USER}`,
      action: 'user-revoke-sessions',
      account: ACCOUNT,
      target: USER,
    };
    folder.recordMany([
      {
        kind: KIND.planCreated,
        data: { planId: 'p1', purpose: 'contain', file: 'plan.json', steps: [step] },
      },
      { kind: KIND.stepApplying, data: { planId: 'p1', stepId: step.id, at: '2026-12-04T11:20:00.000Z' } },
      { kind: KIND.stepApplied, data: { planId: 'p1', stepId: step.id, detail: {} } },
    ]);
    const [token] = await liveSessions(store, folder, lineage, NOW);
    folder.close();
    expect(token).toMatchObject({ owner: USER, risk: 'low' });
    expect(token!.cutOffBy).toBe('user-revoke-sessions applied 2026-12-04T11:20:00.000Z');
  });
});
