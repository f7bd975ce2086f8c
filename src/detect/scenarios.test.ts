import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock, startSim, VICTIM_ACCOUNT } from '../sim/index.js';
import { loadScenario, SCENARIOS } from '../sim/scenarios/index.js';
import type { Truth } from '../sim/scenarios/truth.js';
import { PROD_ACCOUNT } from '../sim/scenarios/world.js';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from '../trail/ingest.js';
import { severityRank } from './engine.js';
import { FROM_EVENTS } from './events.js';
import { investigate, type Investigation } from './investigate.js';
import { longTermKeysOf } from './lineage.js';

interface Outcome {
  truth: Truth;
  result: Investigation;
  /** Event ids the investigation attributes (what `src/report/` selects: lineage keys in the window). */
  attributed: Set<string>;
  /** Access key id of each attributed or truth event. */
  keyOf: Map<string, string>;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tq-detect-scn-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Lay a scenario into a fresh simulated account and give its CloudTrail to the investigation the
 * way a responder holding the organisation's logs would: every record of the victim account (all
 * regions, management and data events) and of the prod account the attacker's role chain reached.
 */
async function run(name: string): Promise<Outcome> {
  const sim = await startSim({
    port: 0,
    seed: 7,
    clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }),
  });
  try {
    const { truth } = await loadScenario(sim, name, { seed: 7 });
    const files = [VICTIM_ACCOUNT, PROD_ACCOUNT].map((account) => {
      const file = join(root, `${name}-${account}.json`);
      writeFileSync(file, JSON.stringify({ Records: sim.state.account(account)?.cloudtrail.events ?? [] }));
      return file;
    });
    const store = await openEventStore(join(root, `${name}.duckdb`));
    try {
      await ingestPaths(store, files, {});
      const keys = truth.leakedAccessKeyId
        ? [truth.leakedAccessKeyId]
        : await userKeys(store, truth.compromisedUser);
      const result = await investigate(store, { subjectKeys: keys });
      const attributed = new Set<string>();
      const keyOf = new Map<string, string>();
      if (result.lineage && result.window) {
        const { keys: lineageKeys, consoleLoginEventIds } = result.lineage;
        const rows = await store.query<{ id: string; key: string | null }>(
          `SELECT e.eventid AS id, e.useridentity.accesskeyid AS key FROM ${FROM_EVENTS}
           WHERE (e.useridentity.accesskeyid IN (${marks(lineageKeys)}) OR e.eventid IN (${marks(consoleLoginEventIds)}))
             AND e.eventtime >= ? AND e.eventtime <= ?`,
          [...lineageKeys, ...consoleLoginEventIds, result.window.since, result.window.until],
        );
        for (const r of rows) {
          attributed.add(r.id);
          keyOf.set(r.id, r.key ?? '');
        }
      }
      for (const f of result.findings) if (f.attributed) f.eventIds.forEach((id) => attributed.add(id));
      return { truth, result, attributed, keyOf };
    } finally {
      store.close();
    }
  } finally {
    await sim.stop();
  }
}

const marks = (values: string[]): string => (values.length ? values.map(() => '?').join(', ') : 'NULL');

/** A subject given as a user (console-takeover): its access keys and console/session keys. */
async function userKeys(store: EventStore, userName: string): Promise<string[]> {
  const arn = `arn:aws:iam::${VICTIM_ACCOUNT}:user/${userName}`;
  const rows = await store.query<{ k: string }>(
    `SELECT DISTINCT e.useridentity.accesskeyid AS k FROM ${FROM_EVENTS}
     WHERE e.useridentity.type = 'IAMUser' AND e.useridentity.arn = ? AND e.useridentity.accesskeyid LIKE 'ASIA%'`,
    [arn],
  );
  return [...(await longTermKeysOf(store, { arn })), ...rows.map((r) => r.k)];
}

const outcomes = new Map<string, Outcome>();
const numbers: Record<
  string,
  { truth: number; attributed: number; missed: number; extra: number; findingsAboveLow: number }
> = {};

describe('investigate() on every simulated scenario, checked against its truth file', () => {
  afterAll(() => {
    // The per-scenario figures for the issue's note.
    process.stdout.write(`scenario numbers ${JSON.stringify(numbers)}\n`);
  });

  for (const name of Object.keys(SCENARIOS)) {
    it(
      `${name}: every attacker event is attributed and nothing of the baseline is`,
      { timeout: 60_000 },
      async () => {
        const o = await run(name);
        outcomes.set(name, o);
        const truthIds = new Set(o.truth.attackerEventIds);
        const missed = [...truthIds].filter((id) => !o.attributed.has(id));
        const extra = [...o.attributed].filter((id) => !truthIds.has(id));
        numbers[name] = {
          truth: truthIds.size,
          attributed: [...o.attributed].filter((id) => truthIds.has(id)).length,
          missed: missed.length,
          extra: extra.length,
          findingsAboveLow: o.result.findings.filter((f) => severityRank(f.severity) > severityRank('low'))
            .length,
        };
        const describeIds = (ids: string[]): string[] =>
          ids.map((id) => {
            const t = o.truth.attackerEvents.find((e) => e.eventId === id);
            return t
              ? `${t.time} ${t.accountId} ${t.region} ${t.eventName}`
              : `${id} ${o.keyOf.get(id) ?? ''}`;
          });
        process.stdout.write(
          `${name}: ${JSON.stringify(numbers[name])} window=${JSON.stringify(o.result.window)} roots=${o.result.lineage?.roots.map((r) => r.key).join(',')} keys=${o.result.lineage?.keys.length}\n missed ${describeIds(missed).slice(0, 15).join('\n ')}\n extra ${describeIds(extra).slice(0, 15).join('\n ')}\n findings>low ${o.result.findings
            .filter((f) => severityRank(f.severity) > severityRank('low'))
            .map((f) => `${f.ruleId}:${f.severity}:${f.attributed}`)
            .join(' ')}\n`,
        );
        expect(missed).toEqual([]);
        expect(extra).toEqual([]);
      },
    );
  }
});
