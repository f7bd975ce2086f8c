import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../sim/scenarios/baseline.js';
import { storeOf } from '../test-support/store.js';
import { BUILTIN_RULES } from './index.js';

/**
 * The rule as first written: a launch is in a new region when no other key's first call in the
 * account's region came before it (every launch joined to every key of its region). The rule now
 * compares with two aggregates per region; it must say the same of every event.
 */
const FIRST_WRITTEN = `(e.eventsource = 'ec2.amazonaws.com' AND e.eventname IN ('RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet', 'RunScheduledInstances'))
  AND NOT EXISTS (SELECT 1 FROM (SELECT p.recipientaccountid AS account, p.awsregion AS region,
      coalesce(p.useridentity.accesskeyid, '') AS accesskey, min(p.eventtime) AS first FROM cloudtrail_events p GROUP BY 1, 2, 3) f
    WHERE f.account = e.recipientaccountid AND f.region = e.awsregion
      AND f.accesskey <> coalesce(e.useridentity.accesskeyid, '') AND f.first < e.eventtime)`;

describe('ec2-launch-new-region', () => {
  it('says of every event what the rule as first written says (keys tied, missing, alone)', async () => {
    const next = seededRandom('ec2-launch-new-region');
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const records = Array.from({ length: 600 }, (_, i) => {
      const key = pick(['AKIAONE', 'AKIATWO', 'AKIATHREE', 'AKIAFOUR', null]);
      return {
        eventVersion: '1.08',
        eventID: `e-${i}`,
        // Some hours hold many calls (first calls tie between keys), others one.
        eventTime: `2026-11-0${1 + Math.floor(next() * 3)}T${String(Math.floor(next() * 24)).padStart(2, '0')}:${next() < 0.5 ? '00' : String(Math.floor(next() * 60)).padStart(2, '0')}:00Z`,
        eventSource: 'ec2.amazonaws.com',
        eventName: pick(['RunInstances', 'RunInstances', 'DescribeInstances', 'CreateFleet']),
        awsRegion: pick(['us-east-1', 'eu-west-1', 'ap-south-1', 'sa-east-1']),
        sourceIPAddress: '203.0.113.7',
        userIdentity: {
          type: 'IAMUser',
          accountId: '111122223333',
          ...(key ? { accessKeyId: key } : {}),
        },
        recipientAccountId: pick(['111122223333', '444455556666']),
      };
    });
    // A region a single key ever used, and a launch without an account.
    records.push(
      { ...records[0]!, eventID: 'alone', awsRegion: 'me-south-1', eventName: 'RunInstances' },
      { ...records[1]!, eventID: 'no-account', eventName: 'RunInstances', recipientAccountId: undefined! },
    );
    const { store, remove } = await storeOf(records, 'compute');
    try {
      const rule = BUILTIN_RULES.find((r) => r.id === 'ec2-launch-new-region')!;
      const rows = await store.query<{ id: string; now: boolean; before: boolean }>(
        `SELECT e.eventid AS id, coalesce(${rule.where}, false) AS now, coalesce(${FIRST_WRITTEN}, false) AS before
         FROM cloudtrail_events e`,
      );
      expect(rows).toHaveLength(602);
      for (const row of rows) expect(row.now, row.id).toBe(row.before);
      expect(rows.filter((r) => r.now).length).toBeGreaterThan(5);
      expect(rows.find((r) => r.id === 'alone')?.now).toBe(true);
      expect(rows.find((r) => r.id === 'no-account')?.now).toBe(true);
    } finally {
      remove();
    }
  });
});
