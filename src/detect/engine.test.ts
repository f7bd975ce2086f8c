import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from '../trail/ingest.js';
import { runRules, type RuleRun } from './engine.js';
import type { EventQuery, QueryParam } from './events.js';
import { BUILTIN_RULES } from './rules/index.js';
import type { DetectionRule } from './rules/types.js';
import { scenarioRecords } from './test-support/scenario.js';
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
function counted(): EventQuery & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: <T>(sql: string, params?: QueryParam[]) => {
      statements.push(sql);
      return store.query<T>(sql, params);
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
