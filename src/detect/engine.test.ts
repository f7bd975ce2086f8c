import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from '../trail/ingest.js';
import { runRules, type RuleRun } from './engine.js';
import { eventIdAmong, eventIdIn, valueIn, type EventQuery, type QueryParam } from './events.js';
import { BUILTIN_RULES } from './rules/index.js';
import type { DetectionRule } from './rules/types.js';
import { api, gateSql, hasSubquery, or } from './sql.js';
import { scenarioRecords } from './test-support/scenario.js';
import { storeOf } from './test-support/store.js';
import { togetherSql } from './together.js';

let dir: string;
let store: EventStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tq-engine-'));
  writeFileSync(join(dir, 'trail.json'), JSON.stringify({ Records: scenarioRecords() }));
  store = await openEventStore(join(dir, 'events.duckdb'));
  await ingestPaths(store, [join(dir, 'trail.json')]);
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, counting the statements it is sent (as an engine billed per statement would). */
function counted(on: EventQuery = store): EventQuery & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: <T>(sql: string, params?: QueryParam[]) => {
      statements.push(sql);
      return on.query<T>(sql, params);
    },
  };
}

/** A rule whose SQL the engine refuses, on an API the scenario has (so the gate lets it through). */
function broken(id: string): DetectionRule {
  return {
    ...BUILTIN_RULES[0]!,
    id,
    where: `eventsource = 'sts.amazonaws.com' AND no_such_function(eventname)`,
  };
}

const essence = (run: RuleRun) => run.findings.map((f) => `${f.ruleId} ${f.eventIds.join(',')}`).sort();

describe('runRules for an engine billed per statement', () => {
  it('halves a failed statement until the broken rule stands alone; every other rule still gives its findings', async () => {
    const plain = await runRules(store, BUILTIN_RULES);
    expect(plain.findings.length).toBeGreaterThan(5);
    const engine = counted();
    const list = [...BUILTIN_RULES.slice(0, 40), broken('broken-one'), ...BUILTIN_RULES.slice(40)];
    const run = await runRules(engine, list, { countMatches: false, isolate: 'halving' });
    expect(essence(run)).toEqual(essence(plain));
    expect(run.failures.map((f) => f.ruleId)).toEqual(['broken-one']);
    expect(run.failures[0]!.error).toMatch(/no_such_function/);
    // The API gate, the failed statement, and two statements per halving step: far fewer than one per rule.
    expect(engine.statements.length).toBeLessThan(2 + 2 * Math.ceil(Math.log2(list.length)) + 1);
    expect(engine.statements.length).toBeGreaterThan(3);
  });

  it('spreads the rules over statements no longer than the engine takes, with the same findings', async () => {
    const plain = await runRules(store, BUILTIN_RULES);
    const engine = counted();
    const run = await runRules(engine, BUILTIN_RULES, { countMatches: false, maxStatementChars: 20_000 });
    expect(essence(run)).toEqual(essence(plain));
    const grouping = engine.statements.slice(1);
    expect(grouping.length).toBeGreaterThan(1);
    for (const sql of grouping) expect(sql.length).toBeLessThanOrEqual(20_000);
  });

  it('stops after maxFailedStatements and names every rule not run', async () => {
    const list = [broken('a'), broken('b'), broken('c'), broken('d')];
    const engine = counted();
    const run = await runRules(engine, list, {
      countMatches: false,
      isolate: 'halving',
      maxFailedStatements: 2,
    });
    expect(run.failures.map((f) => f.ruleId).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(run.failures.filter((f) => /statements had failed already/.test(f.error)).length).toBeGreaterThan(
      0,
    );
    expect(engine.statements.length).toBeLessThanOrEqual(1 + 2);
  });

  it('counts a failed API gate as every rule failed, running none blind', async () => {
    const failing: EventQuery = {
      query: () => Promise.reject(new Error('Athena query q-1 FAILED: HIVE_CURSOR_ERROR')),
    };
    const run = await runRules(failing, BUILTIN_RULES.slice(0, 5), { isolate: 'halving' });
    expect(run.failures).toHaveLength(5);
    expect(new Set(run.failures.map((f) => f.error))).toEqual(
      new Set(['Athena query q-1 FAILED: HIVE_CURSOR_ERROR']),
    );
    await expect(runRules(failing, BUILTIN_RULES.slice(0, 5))).rejects.toThrow(/HIVE_CURSOR_ERROR/);
  });

  it('keeps the columns a threshold value reads, so such a rule runs in the shared statement', async () => {
    const ransom = BUILTIN_RULES.find((r) => r.id === 's3-ransomware-campaign')!;
    expect(ransom.threshold?.distinct).toMatch(/additionaleventdata/);
    const { sql, params } = togetherSql([ransom, BUILTIN_RULES[0]!], undefined);
    await expect(store.query(sql, params)).resolves.toBeInstanceOf(Array);
  });
});

describe('rules whose predicate holds a sub-query', () => {
  const withSubquery = BUILTIN_RULES.filter((r) => hasSubquery(r.where) && gateSql(r.where) !== null);
  // The same predicate under new text: no gate is recorded for it, so it scans every row.
  const ungated = withSubquery.map((r) => ({ ...r, where: `(${r.where})` }));

  it('run over their APIs’ rows only, with the findings of a scan of every row', async () => {
    expect(withSubquery.map((r) => r.id)).toContain('ec2-launch-new-region');
    expect(ungated.every((r) => gateSql(r.where) === null)).toBe(true);
    const engine = counted();
    const gated = await runRules(engine, withSubquery);
    const everyRow = await runRules(store, ungated);
    expect(gated.findings.map((f) => f.ruleId)).toContain('ec2-launch-new-region');
    expect(essence(gated)).toEqual(essence(everyRow));
    // The grouping statement names the rules' APIs in its scan's WHERE, before any tag is made.
    const grouping = engine.statements.find((s) => s.startsWith('WITH m AS'))!;
    const scan = grouping.slice(grouping.indexOf('FROM cloudtrail_events e'), grouping.indexOf('h AS'));
    expect(scan).toMatch(/^FROM cloudtrail_events e .* WHERE .*e\.eventsource = 'ec2\.amazonaws\.com'/s);
  });

  it('stay in the one scan for an engine billed by the bytes it reads, with the same findings', async () => {
    const billed = counted();
    const local = counted();
    const options = { countMatches: false, isolate: 'halving' as const };
    const one = await runRules(billed, BUILTIN_RULES, { ...options, subqueriesApart: false });
    const two = await runRules(local, BUILTIN_RULES, options);
    const grouping = (e: { statements: string[] }) => e.statements.filter((s) => s.startsWith('WITH m AS'));
    expect(grouping(billed)).toHaveLength(1);
    expect(grouping(local)).toHaveLength(2);
    expect(essence(one)).toEqual(essence(two));
  });

  it('run beside the other rules with the same findings as alone', async () => {
    const others = BUILTIN_RULES.filter((r) => !withSubquery.includes(r));
    const together = await runRules(store, [...others, ...withSubquery]);
    const apart = [
      ...(await runRules(store, others)).findings,
      ...(await runRules(store, withSubquery)).findings,
    ];
    expect(essence(together)).toEqual(essence({ findings: apart, failures: [], truncated: [] }));
  });
});

describe('the match count over a sample first', () => {
  it('keeps the rules one count over every row keeps: those matched among the first rows, and the rest counted again in full', async () => {
    const sampled = counted();
    const whole = counted();
    const first = await runRules(sampled, BUILTIN_RULES, { sampleRows: 5 });
    const once = await runRules(whole, BUILTIN_RULES, { sampleRows: 0 });
    expect(first.findings.length).toBeGreaterThan(5);
    expect(essence(first)).toEqual(essence(once));
    const counts = (e: { statements: string[] }) =>
      e.statements.filter((s) => /^SELECT (bool_or|count)\(/.test(s));
    const rules = (list: string[]) => list.reduce((n, sql) => n + (sql.match(/ AS r\d+/g)?.length ?? 0), 0);
    const sample = counts(sampled).filter((s) => /LIMIT 5\) e/.test(s));
    const full = counts(sampled).filter((s) => !/LIMIT/.test(s));
    expect(sample.length).toBeGreaterThan(0);
    expect(counts(whole).some((s) => /LIMIT/.test(s))).toBe(false);
    // Counted in full again: only what the sample left undecided (and the rules scanned over their
    // APIs' rows, which the sample does not cut): fewer than one count over every row.
    expect(rules(full)).toBeGreaterThan(0);
    expect(rules(full)).toBeLessThan(rules(counts(whole)));
    // The full round's rules with a gate read the rows of their APIs' names only (the rest all).
    expect(full.filter((s) => /WHERE .*e\.eventname IN \(SELECT u\.v FROM UNNEST/s.test(s))).toHaveLength(1);
    const grouping = (e: { statements: string[] }) => e.statements.filter((s) => s.startsWith('WITH m AS'));
    expect(grouping(sampled)).toEqual(grouping(whole));
  });
});

describe('event ids bound as one parameter', () => {
  it('select the same rows as a placeholder each, and step aside for an id holding a newline', async () => {
    const ids = (await store.query<{ eventid: string }>('SELECT eventid FROM cloudtrail_events LIMIT 7')).map(
      (r) => r.eventid,
    );
    const picked = async (c: { sql: string; params: QueryParam[] }): Promise<string[]> =>
      (
        await store.query<{ eventid: string }>(
          `SELECT e.eventid FROM cloudtrail_events e WHERE ${c.sql}`,
          c.params,
        )
      )
        .map((r) => r.eventid)
        .sort();
    const joined = eventIdIn([...ids, 'not-an-event'])!;
    expect(joined.params).toHaveLength(2);
    expect(await picked(joined)).toEqual([...ids].sort());
    expect(await picked(eventIdIn([])!)).toEqual([]);
    const forged = [ids[0]!, `${ids[1]}\n${ids[2]}`];
    expect(eventIdIn(forged)).toBeNull();
    // The fallback binds each id: the forged one matches nothing, not its two halves.
    expect(await picked(eventIdAmong(forged))).toEqual([ids[0]]);
  });

  it('so are access keys (any column): a semi-join on one text, a `?` for each value past a newline', async () => {
    const keyed = async (c: { sql: string; params: QueryParam[] }): Promise<string[]> =>
      (
        await store.query<{ key: string }>(
          `SELECT DISTINCT e.useridentity.accesskeyid AS key FROM cloudtrail_events e WHERE ${c.sql}`,
          c.params,
        )
      )
        .map((r) => r.key)
        .sort();
    const keys = await keyed({ sql: 'e.useridentity.accesskeyid IS NOT NULL', params: [] });
    expect(keys.length).toBeGreaterThan(2);
    const among = valueIn('e.useridentity.accesskeyid', [keys[0]!, keys[2]!, 'AKIANOTINTHESTORE']);
    expect(among.sql).toMatch(/IN \(SELECT/);
    expect(among.params).toHaveLength(2);
    expect(await keyed(among)).toEqual([keys[0], keys[2]]);
    expect(await keyed(valueIn('e.useridentity.accesskeyid', []))).toEqual([]);
    const forged = valueIn('e.useridentity.accesskeyid', [keys[0]!, `${keys[1]}\n${keys[2]}`]);
    expect(forged.params).toHaveLength(2);
    expect(forged.sql).not.toMatch(/SELECT/);
    expect(await keyed(forged)).toEqual([keys[0]]);
  });
});

describe('the local store’s own SQL', () => {
  it('gives the findings of the portable statements (tags unnested in the select list or by a lateral join)', async () => {
    const local = await runRules(store, BUILTIN_RULES);
    const portable = await runRules(store, BUILTIN_RULES, { localSql: false });
    expect(local.findings.length).toBeGreaterThan(5);
    expect(local.findings.some((f) => f.eventIds.length > 1)).toBe(true);
    expect(local).toEqual(portable);
    expect(togetherSql(BUILTIN_RULES, undefined, undefined, { unnestInSelect: true }).sql).not.toMatch(
      /CROSS JOIN UNNEST/,
    );
    expect(togetherSql(BUILTIN_RULES, undefined).sql).toMatch(/CROSS JOIN UNNEST/);
    // Tags NULL where a rule does not match (DuckDB's concat skips them); '' in Trino's form.
    const emptyTag = /THEN '\d+,' ELSE '' END/;
    expect(togetherSql(BUILTIN_RULES, undefined, undefined, { nullTags: true }).sql).not.toMatch(emptyTag);
    expect(togetherSql(BUILTIN_RULES, undefined).sql).toMatch(emptyTag);
    // …and runRules sends each its own: the local store the NULL tags, Trino's form the ''.
    const tagged = /THEN '\d+,'( ELSE '')? END/;
    const [localEngine, portableEngine] = [counted(), counted()];
    await runRules(localEngine, BUILTIN_RULES);
    await runRules(portableEngine, BUILTIN_RULES, { localSql: false });
    const tagForms = (e: { statements: string[] }) =>
      e.statements.filter((q) => tagged.test(q)).map((q) => (emptyTag.test(q) ? "''" : 'NULL'));
    expect(new Set(tagForms(localEngine))).toEqual(new Set(['NULL']));
    expect(new Set(tagForms(portableEngine))).toEqual(new Set(["''"]));
  });
});

describe('gated rules tagged behind a CASE on their APIs', () => {
  it('evaluate a rule on the rows of each of its APIs, an ungated rule on every row', async () => {
    const [template] = scenarioRecords();
    const call = (i: number, source: string, name: string): Record<string, unknown> => ({
      ...template!,
      eventID: `gate-${i}`,
      eventTime: `2026-01-01T00:00:0${i}Z`,
      eventSource: `${source}.amazonaws.com`,
      eventName: name,
      userAgent: 'probe',
    });
    const calls = [
      call(1, 'iam', 'CreateUser'),
      call(2, 'sts', 'GetCallerIdentity'),
      call(3, 'ec2', 'DescribeInstances'),
      call(4, 'iam', 'ListUsers'),
      call(5, 'iam', 'ListUsers'),
      call(6, 'iam', 'ListUsers'),
      // A name no SQL text can carry: the rules admitting it are evaluated on every row.
      call(7, 'iam', 'List\u0000Groups'),
    ];
    const probe = (id: string, where: string, threshold?: DetectionRule['threshold']): DetectionRule => ({
      ...BUILTIN_RULES[0]!,
      id,
      where,
      threshold,
    });
    const rules = [
      probe('two-sources', or(api('iam', 'CreateUser'), api('sts', 'GetCallerIdentity'))),
      probe('two-sources-burst', or(api('sts', 'GetCallerIdentity'), api('iam', 'CreateUser')), {
        count: 2,
        withinMinutes: 10,
      }),
      probe('one-source', api('iam')),
      probe('list-users', api('iam', 'ListUsers')),
      probe('no-gate', `useragent = 'probe'`),
    ];
    const { store: gated, remove } = await storeOf(calls, 'engine-gates');
    try {
      const engine = counted(gated);
      const local = await runRules(engine, rules);
      const eventsOf = (run: RuleRun) =>
        Object.fromEntries(
          [...run.findings]
            .sort((a, b) => a.ruleId.localeCompare(b.ruleId))
            .map((f) => [f.ruleId, [...f.eventIds].sort()]),
        );
      expect(eventsOf(local)).toEqual({
        'no-gate': ['gate-1', 'gate-2', 'gate-3', 'gate-4', 'gate-5', 'gate-6', 'gate-7'],
        'list-users': ['gate-4', 'gate-5', 'gate-6'],
        'one-source': ['gate-1', 'gate-4', 'gate-5', 'gate-6', 'gate-7'],
        'two-sources': ['gate-1', 'gate-2'],
        'two-sources-burst': ['gate-1', 'gate-2'],
      });
      expect(local).toEqual(await runRules(gated, rules, { localSql: false }));
      // The gated rules went behind the CASE, their APIs joined most events first (one set of rules,
      // one branch); the ungated one and the one admitting the NUL's API did not; no rule ran alone.
      const grouping = engine.statements.find((q) => q.includes('CASE g.k'))!;
      expect(grouping).toMatch(
        /VALUES \('iam\.amazonaws\.com', 'ListUsers', 0\), \('iam\.amazonaws\.com', 'CreateUser', 1\), \('sts\.amazonaws\.com', 'GetCallerIdentity', 1\)\)/,
      );
      const free = grouping.slice(0, grouping.indexOf('CASE g.k'));
      expect(free).toMatch(/useragent = 'probe'/);
      expect(free).toMatch(/THEN '2,'/);
      expect(engine.statements.filter((q) => q.includes('\0'))).toEqual([]);
      expect(engine.statements.filter((q) => q.includes('matched.*'))).toEqual([]);
    } finally {
      remove();
    }
  });

  it('tag a rule in more than eight of the branches on every row instead (its text written once)', async () => {
    const [template] = scenarioRecords();
    const names = Array.from({ length: 9 }, (_, i) => `Probe${i}`);
    const calls = names.map((name, i) => ({
      ...template!,
      eventID: `wide-${i}`,
      eventTime: `2026-01-01T00:00:0${i}Z`,
      eventSource: 'iam.amazonaws.com',
      eventName: name,
      userAgent: 'probe',
    }));
    const probe = (id: string, where: string): DetectionRule => ({ ...BUILTIN_RULES[0]!, id, where });
    // Every API's rules are the wide rule and one other: nine branches hold the wide rule.
    const rules = [probe('wide', api('iam')), ...names.map((name) => probe(name, api('iam', name)))];
    const { store: wide, remove } = await storeOf(calls, 'engine-wide');
    try {
      const engine = counted(wide);
      const local = await runRules(engine, rules);
      expect(local.findings.find((f) => f.ruleId === 'wide')?.eventIds).toHaveLength(9);
      expect(local.findings.filter((f) => f.ruleId.startsWith('Probe'))).toHaveLength(9);
      expect(local).toEqual(await runRules(wide, rules, { localSql: false }));
      const grouping = engine.statements.find((q) => q.includes('CASE g.k'))!;
      expect(grouping.slice(0, grouping.indexOf('CASE g.k'))).toMatch(/THEN '0,'/);
      expect(grouping.match(/THEN '0,'/g)).toHaveLength(1);
    } finally {
      remove();
    }
  });
});

describe('groups read as one JSON text each', () => {
  it('give the findings of rows with id arrays, cut at the cap the same way, a forged id whole', async () => {
    const asArrays = await runRules(store, BUILTIN_RULES, { groupsAsJson: false });
    const asJson = await runRules(store, BUILTIN_RULES);
    expect(asJson).toEqual(asArrays);
    expect(asJson.findings.some((f) => f.eventIds.length > 3)).toBe(true);
    const cutArrays = await runRules(store, BUILTIN_RULES, { groupsAsJson: false, maxEventIds: 3 });
    const cutJson = await runRules(store, BUILTIN_RULES, { maxEventIds: 3 });
    expect(cutJson).toEqual(cutArrays);
    expect(cutJson.truncated.length).toBeGreaterThan(0);

    // A copy of a matched record whose id holds a newline (which ids joined by newlines would split).
    const named = asArrays.findings[0]!;
    const [record] = scenarioRecords().filter((r) => r.eventID === named.eventIds[0]);
    const forgedDir = mkdtempSync(join(tmpdir(), 'tq-engine-forged-'));
    const forged = await openEventStore(join(forgedDir, 'events.duckdb'));
    try {
      writeFileSync(
        join(forgedDir, 'trail.json'),
        JSON.stringify({ Records: [...scenarioRecords(), { ...record, eventID: 'forged\nid' }] }),
      );
      await ingestPaths(forged, [join(forgedDir, 'trail.json')]);
      const text = await runRules(forged, BUILTIN_RULES);
      expect(text).toEqual(await runRules(forged, BUILTIN_RULES, { groupsAsJson: false }));
      expect(text.findings.flatMap((f) => f.eventIds)).toContain('forged\nid');
    } finally {
      forged.close();
      rmSync(forgedDir, { recursive: true, force: true });
    }
  });

  it('list each group first by time, then by id, before the cap (ties in one second, ids out of order)', async () => {
    const [template] = scenarioRecords();
    // Twelve calls over four seconds, three to a second, written newest first, ids in neither order.
    const calls = Array.from({ length: 12 }, (_, i) => ({
      ...template!,
      eventID: `id-${String((i * 5) % 12).padStart(2, '0')}`,
      eventTime: `2026-01-01T00:00:0${Math.floor((11 - i) / 3)}Z`,
      eventSource: 'tourniquet-order.amazonaws.com',
      eventName: 'OrderProbe',
      userAgent: 'probe',
    }));
    const expected = [...calls]
      .sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventID.localeCompare(b.eventID))
      .map((c) => c.eventID);
    const probe = (id: string, threshold?: DetectionRule['threshold']): DetectionRule => ({
      ...BUILTIN_RULES[0]!,
      id,
      where: `eventname = 'OrderProbe'`,
      threshold,
    });
    const rules = [probe('order-plain'), probe('order-burst', { count: 2, withinMinutes: 10 })];
    const { store: ordered, remove } = await storeOf(calls, 'engine-order');
    try {
      for (const maxEventIds of [4, 20]) {
        const text = await runRules(ordered, rules, { maxEventIds });
        const byRule = [...text.findings]
          .sort((a, b) => a.ruleId.localeCompare(b.ruleId))
          .map((f) => [f.ruleId, f.eventIds]);
        expect(byRule).toEqual([
          ['order-burst', expected.slice(0, maxEventIds)],
          ['order-plain', expected.slice(0, maxEventIds)],
        ]);
        expect(text).toEqual(await runRules(ordered, rules, { maxEventIds, groupsAsJson: false }));
      }
    } finally {
      remove();
    }
  });
});
