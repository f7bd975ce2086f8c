import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from '../trail/ingest.js';
import type { EventQuery, QueryParam } from './events.js';
import { investigate, type Investigation } from './investigate.js';
import { lineageOf, longTermKeysOf, renderLineage } from './lineage.js';
import { ALICE_KEY, KEYS, scenarioRecords } from './test-support/scenario.js';

describe('investigate() on a synthetic compromise', () => {
  let dir: string;
  let store: EventStore;
  let result: Investigation;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tq-investigate-'));
    writeFileSync(join(dir, 'trail.json'), JSON.stringify({ Records: scenarioRecords() }));
    store = await openEventStore(join(dir, 'case.duckdb'));
    await ingestPaths(store, [join(dir, 'trail.json')]);
    result = await investigate(store, { subjectKeys: [ALICE_KEY] });
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows every derived credential to any depth, with the keys from responseElements', async () => {
    const lineage = await lineageOf(store, [ALICE_KEY]);
    const root = lineage.roots[0]!;
    expect(root.children.map((c) => [c.via, c.key])).toEqual([
      ['GetSessionToken', KEYS.session],
      ['GetFederationToken', KEYS.federation],
    ]);
    const role = root.children[0]!.children[0]!;
    expect([role.via, role.key, role.target]).toEqual([
      'AssumeRole',
      KEYS.role,
      'arn:aws:iam::111122223333:role/Admin',
    ]);
    expect(role.children.map((c) => [c.via, c.key, c.crossAccount])).toEqual([
      ['AssumeRole', KEYS.cross, true],
      ['CreateAccessKey', KEYS.bob, false],
    ]);
    expect(root.children[1]!.children.map((c) => [c.via, c.key])).toEqual([['ConsoleLogin', KEYS.console]]);
    expect(new Set(lineage.keys)).toEqual(new Set([ALICE_KEY, ...Object.values(KEYS)]));
    expect(lineage.consoleLoginEventIds).toHaveLength(1);
  });

  it('finds the long-term keys of a subject given as a user', async () => {
    expect(await longTermKeysOf(store, { userName: 'alice' })).toEqual([ALICE_KEY]);
    expect(await longTermKeysOf(store, { arn: 'arn:aws:iam::111122223333:user/bob' })).toEqual([KEYS.bob]);
    expect(await longTermKeysOf(store, {})).toEqual([]);
  });

  it('prints the lineage as a tree', () => {
    const text = renderLineage(result.lineage!).join('\n');
    expect(text).toContain(`├─ GetSessionToken 2024-05-20T10:00:00Z → ${KEYS.session}`);
    expect(text).toMatch(/AssumeRole arn:aws:iam::444455556666:role\/Cross \[cross-account\].*ASIACROSS/);
    expect(text).toContain(`└─ ConsoleLogin 2024-05-20T10:07:00Z → ${KEYS.console}`);
  });

  it('attributes the activity of derived sessions to the compromise and leaves others out', () => {
    const byRule = new Map(result.findings.map((f) => [f.ruleId, f]));
    expect(byRule.get('ec2-crypto-mining-launch')?.attributed).toBe(true);
    expect(byRule.get('cloudtrail-stopped')?.attributed).toBe(true);
    expect(byRule.get('sts-assume-role-cross-account')?.attributed).toBe(true);
    expect(byRule.get('iam-create-user')?.attributed).toBe(false);
    // The responder's deny-all PutUserPolicy (tourniquet user agent) is in no finding and no burst.
    const responder = scenarioRecords().find((r) => String(r.userAgent).includes('tourniquet/'))!
      .eventID as string;
    expect(result.findings.flatMap((f) => f.eventIds)).not.toContain(responder);
    expect(result.timeline.at(-1)!.end).toBe('2024-05-20T11:30:00Z');
  });

  it('infers the incident window from the first derived session to the last attacker event', () => {
    expect(result.window).toEqual({ since: '2024-05-20T10:00:00Z', until: '2024-05-20T11:30:00Z' });
  });

  it("does not attribute the subject key's events from before the window (the owner's use)", () => {
    const history = result.findings.find(
      (f) => f.ruleId === 's3-list-buckets' && f.principal === 'arn:aws:iam::111122223333:user/alice',
    )!;
    expect(history.firstSeen).toBe('2024-05-01T09:00:00Z');
    expect(history.attributed).toBe(false);
  });

  it('takes a known start of the compromise instead of inferring it', async () => {
    const known = await investigate(store, {
      subjectKeys: [ALICE_KEY],
      incidentSince: '2024-05-20T10:04:00Z',
    });
    expect(known.window).toEqual({ since: '2024-05-20T10:04:00Z', until: '2024-05-20T11:30:00Z' });
    const byRule = new Map(known.findings.map((f) => [f.ruleId, f]));
    // GetSessionToken on the subject key came before the given start; its derived sessions still count.
    expect(byRule.get('sts-session-token')?.attributed).toBe(false);
    expect(byRule.get('sts-assume-role-cross-account')?.attributed).toBe(true);
    expect(known.anomalies!.baseline.until).toBe('2024-05-20T10:04:00Z');
  });

  it('leaves out a console sign-in of the lineage made before a known start (its record names no key)', async () => {
    // The federated user's ConsoleLogin (10:07:00) holds no access key, so no key the intruder
    // minted brings it in; before the given start it is not the compromise's.
    const later = await investigate(store, {
      subjectKeys: [ALICE_KEY],
      incidentSince: '2024-05-20T10:07:30Z',
    });
    const byRule = new Map(later.findings.map((f) => [f.ruleId, f]));
    expect(byRule.get('signin-without-mfa')?.attributed).toBe(false);
    expect(byRule.get('iam-access-key-for-other-user')?.attributed).toBe(true);
    expect(byRule.get('signin-console-token')?.attributed).toBe(true);
  });

  it('compares the incident with the 30-day baseline of the subject principal', () => {
    const a = result.anomalies!;
    expect(a.principals).toEqual(['arn:aws:iam::111122223333:user/alice']);
    expect(a.baseline).toMatchObject({
      since: '2024-04-20T10:00:00Z',
      until: '2024-05-20T10:00:00Z',
      events: 6,
    });
    expect(a.newSourceIps.map((v) => [v.value, v.network])).toEqual([['198.51.100.7', '198.51.100.0/24']]);
    expect(a.newUserAgents.map((v) => v.value)).toEqual(['python-requests/2.31', 'Mozilla/5.0']);
    expect(a.newRegions.map((v) => v.value)).toEqual(['ap-southeast-3']);
    expect(a.newServices.map((v) => v.value)).toEqual(
      expect.arrayContaining(['iam.amazonaws.com', 'ec2.amazonaws.com', 'cloudtrail.amazonaws.com']),
    );
    expect(a.newServices.map((v) => v.value)).not.toContain('s3.amazonaws.com');
    expect(a.newEventNames.map((v) => v.value)).toContain('GetSessionToken');
    expect(a.errorRate.baseline).toBe(0);
    expect(a.errorRate.spike).toBe(true);
    // The responder's own call (tourniquet user agent) is not an anomaly.
    expect(a.newUserAgents.map((v) => v.value).join(' ')).not.toContain('tourniquet');
  });

  it('groups the attacker activity into bursts', () => {
    expect(result.timeline.map((b) => [b.start, b.end, b.events])).toEqual([
      ['2024-05-20T10:00:00Z', '2024-05-20T10:22:00Z', 21],
      ['2024-05-20T11:30:00Z', '2024-05-20T11:30:00Z', 1],
    ]);
    expect(result.timeline[0]!.topCalls[0]).toBe('iam:ListUsers ×12');
    expect(result.timeline[0]!.failed).toBe(12);
    expect(result.timeline[1]!.findingIds).toEqual([
      result.findings.find((f) => f.ruleId === 'cloudtrail-stopped')!.id,
    ]);
  });

  it('without a subject key, every finding counts and the timeline follows them', async () => {
    const open = await investigate(store, {});
    expect(open.lineage).toBeNull();
    expect(open.anomalies).toBeNull();
    expect(open.findings.every((f) => f.attributed === undefined)).toBe(true);
    expect(open.window?.since).toBe('2024-05-20T10:00:00Z');
  });

  describe('with a second connection (the lineage beside the rules)', () => {
    /** The store as an engine with `fork`, each fork's statements and whether it was closed. */
    function forking(fail?: Error) {
      const forks: { statements: string[]; closed: boolean }[] = [];
      const engine: EventQuery = {
        query: <T>(sql: string, params?: QueryParam[]) => store.query<T>(sql, params),
        fork: async () => {
          const fork = await store.fork();
          const seen = { statements: [] as string[], closed: false };
          forks.push(seen);
          return {
            query: <T>(sql: string, params?: QueryParam[]): Promise<T[]> => {
              seen.statements.push(sql);
              return fail ? Promise.reject(fail) : fork.query<T>(sql, params);
            },
            close: () => {
              seen.closed = true;
              fork.close();
            },
          };
        },
      };
      return { engine, forks };
    }

    it('gives what one connection gives, the lineage read on the second, which is closed after', async () => {
      const { engine, forks } = forking();
      const beside = await investigate(engine, { subjectKeys: [ALICE_KEY] });
      const alone = await investigate(
        { query: <T>(sql: string, params?: QueryParam[]) => store.query<T>(sql, params) },
        { subjectKeys: [ALICE_KEY] },
      );
      expect(beside).toEqual(alone);
      expect(beside).toEqual(result);
      expect(forks).toHaveLength(1);
      expect(forks[0]!.closed).toBe(true);
      expect(forks[0]!.statements.length).toBeGreaterThan(2);
      // No subject, no lineage: no second connection.
      await investigate(engine, {});
      expect(forks).toHaveLength(1);
    });

    it('throws the lineage’s failure once the rules are done, and closes the connection', async () => {
      const { engine, forks } = forking(new Error('the second connection was lost'));
      await expect(investigate(engine, { subjectKeys: [ALICE_KEY] })).rejects.toThrow(
        'the second connection was lost',
      );
      expect(forks.map((f) => f.closed)).toEqual([true]);
    });
  });
});
