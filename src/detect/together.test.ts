import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../sim/scenarios/baseline.js';
import type { EventStore } from '../store/store.js';
import { runRules, ruleSql, type RuleRun } from './engine.js';
import type { Finding } from './finding.js';
import { BUILTIN_RULES } from './rules/index.js';
import type { DetectionRule, Threshold } from './rules/types.js';
import { storeOf, type RecordStore } from './test-support/store.js';
import { togetherSql, type Group } from './together.js';

let held: RecordStore;
let store: EventStore;

/**
 * Calls of three principals from two addresses in two accounts, spaced by gaps on both sides of
 * every rule's gap below (ties in one second, a second either side of a minute, five, ten and sixty
 * minutes, fractions of a second), over two days.
 */
function calls(): Record<string, unknown>[] {
  const next = seededRandom('bursts cut between slots');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const gaps = [
    0, 0, 0, 0.5, 1, 29, 30, 31, 59, 60, 61, 299, 300, 301, 599, 600, 601, 3599, 3600, 3601, 7200,
  ];
  let ms = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: 1500 }, (_, i) => {
    ms += pick(gaps) * 1000;
    const user = pick(['alice', 'bob', 'carol']);
    const account = pick(['111122223333', '444455556666']);
    return {
      eventVersion: '1.08',
      eventID: `${pick([...'0123456789abcdef'])}${String(i).padStart(5, '0')}`,
      eventTime: new Date(ms).toISOString().replace('.000Z', 'Z'),
      eventSource: 'burst-probe.amazonaws.com',
      eventName: pick(['ProbeA', 'ProbeA', 'ProbeB', 'ProbeC']),
      awsRegion: pick(['us-east-1', 'eu-west-1']),
      sourceIPAddress: pick(['203.0.113.7', '198.51.100.2']),
      userAgent: 'aws-cli/2.9',
      userIdentity: {
        type: 'IAMUser',
        accountId: account,
        arn: `arn:aws:iam::${account}:user/${user}`,
        accessKeyId: `AKIA${user.toUpperCase().padEnd(16, 'X')}`,
      },
      recipientAccountId: account,
    };
  });
}

function rule(id: string, threshold: Threshold): DetectionRule {
  return { ...BUILTIN_RULES[0]!, id, where: `eventsource = 'burst-probe.amazonaws.com'`, threshold };
}

const RULES = [
  rule('minute', { count: 2, withinMinutes: 1 }),
  rule('five-by-address', { count: 3, withinMinutes: 5, by: 'sourceip' }),
  rule('half-minute', { count: 2, withinMinutes: 0.5 }),
  rule('under-a-second', { count: 2, withinMinutes: 0.01 }),
  rule('no-gap', { count: 2, withinMinutes: 0 }),
  rule('ten-distinct-by-account', { count: 2, withinMinutes: 10, by: 'account', distinct: 'eventname' }),
  rule('hour-any', { count: 1, withinMinutes: 60 }),
];

beforeAll(async () => {
  held = await storeOf(calls(), 'together');
  store = held.store;
});

afterAll(() => held.remove());

/**
 * A rule's groups run alone (`ruleSql`) and its findings from a run of rules together, each
 * written by the given function, sorted: the two lists to compare.
 */
async function aloneAndTogether(
  rule: DetectionRule,
  run: RuleRun,
  ofGroup: (g: Group) => string,
  ofFinding: (f: Finding) => string,
): Promise<{ alone: string[]; together: string[] }> {
  const { sql, params } = ruleSql(rule);
  const alone = (await store.query<Group>(sql, params)).map(ofGroup).sort();
  const together = run.findings
    .filter((f) => f.ruleId === rule.id)
    .map(ofFinding)
    .sort();
  return { alone, together };
}

describe('threshold rules run together', () => {
  it.each([
    ['between time slots (the local store)', true],
    ['between neighbouring events (portable)', false],
  ])('cut %s the bursts each rule alone cuts, for gaps of none to an hour', async (_form, localSql) => {
    const run = await runRules(store, RULES, { localSql });
    for (const r of RULES) {
      const { alone, together } = await aloneAndTogether(
        r,
        run,
        (g) => `${g.firstseen} ${g.lastseen} ${g.n} ${g.principal} ${g.eventids.join(',')}`,
        (f) => `${f.firstSeen} ${f.lastSeen} ${f.eventCount} ${f.principal} ${f.eventIds.join(',')}`,
      );
      expect(alone.length, r.id).toBeGreaterThan(3);
      expect(together, r.id).toEqual(alone);
    }
  });

  it.each([true, false])(
    'give a plain rule’s groups, per principal, key and region, their key, region and addresses as the rule alone (local SQL: %s)',
    async (localSql) => {
      const plain: DetectionRule[] = ['ProbeA', 'ProbeC'].map((name) => ({
        ...BUILTIN_RULES[0]!,
        id: `plain-${name}`,
        where: `eventname = '${name}'`,
        threshold: undefined,
      }));
      const run = await runRules(store, plain, { localSql });
      const present = (xs: (string | null)[]) => xs.filter((x) => x !== null).sort();
      for (const r of plain) {
        const { alone, together } = await aloneAndTogether(
          r,
          run,
          (g) => JSON.stringify([g.eventids[0], present(g.accesskeys), present(g.regions), present(g.ips)]),
          (f) => JSON.stringify([f.eventIds[0], f.accessKey ? [f.accessKey] : [], f.regions, f.sourceIps]),
        );
        expect(alone.length, r.id).toBeGreaterThan(5);
        expect(together, r.id).toEqual(alone);
      }
    },
  );

  it.each([true, false])(
    'name a burst’s principal only when all its events have the one (local SQL: %s)',
    async (localSql) => {
      const byAddress = RULES.filter((r) => r.id === 'five-by-address');
      const run = await runRules(store, byAddress, { localSql });
      const arnOf = new Map(
        (
          await store.query<{ id: string; arn: string }>(
            'SELECT eventid AS id, useridentity.arn AS arn FROM cloudtrail_events',
          )
        ).map((r) => [r.id, r.arn]),
      );
      let mixed = 0;
      for (const f of run.findings) {
        const arns = [...new Set(f.eventIds.map((id) => arnOf.get(id)))];
        if (arns.length > 1) mixed++;
        expect(f.principal, f.eventIds.join(',')).toBe(arns.length === 1 ? arns[0] : null);
      }
      expect(mixed).toBeGreaterThan(0);
      expect(run.findings.length - mixed).toBeGreaterThan(0);
    },
  );

  it('read the tagged rows once in the portable form (Trino runs a WITH query once per reference)', () => {
    const refs = (sql: string, name: string): number =>
      sql.match(new RegExp(`\\b(FROM|JOIN) ${name}\\b`, 'g'))?.length ?? 0;
    const portable = togetherSql(RULES, undefined).sql;
    expect(refs(portable, 't')).toBe(1);
    expect(portable).not.toMatch(/\bslot\b/);
    const local = togetherSql(RULES, undefined, undefined, { burstSlots: true }).sql;
    expect(refs(local, 's')).toBe(2);
  });
});
