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
import { compromiseCondition, investigate, type Investigation } from './investigate.js';
import { longTermKeysOf } from './lineage.js';

interface Outcome {
  truth: Truth;
  result: Investigation;
  /** Event ids the investigation attributes (what `src/report/` selects: lineage keys in the window). */
  attributed: Set<string>;
  /** Signing key and source address of each attributed event. */
  callOf: Map<string, { key: string; ip: string }>;
  /** Addresses the lineage's keys used before the attack began (the owner's networks). */
  ownerIps: Set<string>;
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
      const callOf = new Map<string, { key: string; ip: string }>();
      const ownerIps = new Set<string>();
      if (result.lineage && result.window) {
        // The compromise as the investigation attributes it (the reports select with the same condition).
        const { keys: lineageKeys } = result.lineage;
        const compromise = compromiseCondition(result)!;
        const rows = await store.query<{ id: string; key: string | null; ip: string | null }>(
          `SELECT e.eventid AS id, e.useridentity.accesskeyid AS key, e.sourceipaddress AS ip FROM ${FROM_EVENTS}
           WHERE ${compromise.sql}`,
          compromise.params,
        );
        for (const r of rows) {
          attributed.add(r.id);
          callOf.set(r.id, { key: r.key ?? '', ip: r.ip ?? '' });
        }
        const before = await store.query<{ ip: string }>(
          `SELECT DISTINCT e.sourceipaddress AS ip FROM ${FROM_EVENTS}
           WHERE e.useridentity.accesskeyid IN (${marks(lineageKeys)}) AND e.eventtime < ?`,
          [...lineageKeys, truth.attackStart ?? truth.end],
        );
        before.forEach((r) => ownerIps.add(r.ip));
      }
      return { truth, result, attributed, callOf, ownerIps };
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
  const arn = userName.startsWith('arn:') ? userName : `arn:aws:iam::${VICTIM_ACCOUNT}:user/${userName}`;
  const rows = await store.query<{ k: string }>(
    `SELECT DISTINCT e.useridentity.accesskeyid AS k FROM ${FROM_EVENTS}
     WHERE e.useridentity.type = 'IAMUser' AND e.useridentity.arn = ? AND e.useridentity.accesskeyid LIKE 'ASIA%'`,
    [arn],
  );
  return [...(await longTermKeysOf(store, { arn })), ...rows.map((r) => r.k)];
}

const numbers: Record<
  string,
  { truth: number; attributed: number; missed: number; extra: number; ownerCalls: number }
> = {};

describe('investigate() on every simulated scenario, checked against its truth file', () => {
  afterAll(() => {
    // The per-scenario figures for the note (vitest shows stdout with --reporter=verbose).
    process.stdout.write(`investigate() on the scenarios: ${JSON.stringify(numbers)}\n`);
  });

  for (const name of Object.keys(SCENARIOS)) {
    it(
      `${name}: every attacker event is attributed, derived sessions through lineage, the owner's calls only inside the window`,
      { timeout: 60_000 },
      async () => {
        const { truth, result, attributed, callOf, ownerIps } = await run(name);
        const truthIds = new Set(truth.attackerEventIds);
        const missed = [...truthIds].filter((id) => !attributed.has(id));
        const extra = [...attributed].filter((id) => !truthIds.has(id));
        numbers[name] = {
          truth: truthIds.size,
          attributed: truthIds.size - missed.length,
          missed: missed.length,
          extra: extra.length,
          ownerCalls: result.attribution?.ownerCalls ?? 0,
        };
        expect(missed).toEqual([]);
        // Sessions the attacker derived are in the lineage under the leaked credential, not roots.
        const roots = new Set(result.lineage?.roots.map((r) => r.key));
        for (const s of truth.derivedSessions) {
          expect(result.lineage?.keys).toContain(s.accessKeyId);
          // (console-takeover: the subject is a user, its console session is one of the subject keys)
          if (truth.leakedAccessKeyId) expect(roots.has(s.accessKeyId)).toBe(false);
        }
        // Nothing else is attributed: the owner's calls with the same key inside the window come from
        // the addresses the key had used before it, and are counted apart.
        expect(extra.map((id) => callOf.get(id))).toEqual([]);
        if (result.attribution) {
          for (const ip of result.attribution.ownerAddresses) {
            expect(truth.attacker.ips).not.toContain(ip);
            expect(ownerIps.has(ip)).toBe(true);
          }
        }
        // The window begins with the attacker's first call, not with the owner's history.
        if (truth.attackStart)
          expect(result.window?.since).toBe(truth.attackerEvents.map((e) => e.time).sort()[0]);
        const attributedAboveLow = result.findings.filter(
          (f) => f.attributed && severityRank(f.severity) > severityRank('low'),
        );
        if (name === 'quiet') {
          // Baseline only: no incident window, nothing attributed, no timeline, no finding above low.
          // The admins' account set-up a month earlier does trip rules (broad inline policies, a
          // foreign trust), and so does the owner's CI deploying its function: those findings are
          // kept, unattributed, rated low with the rule's own rating in ruleSeverity.
          expect(result.window).toBeNull();
          expect(result.timeline).toEqual([]);
          expect(attributedAboveLow).toEqual([]);
          expect(result.findings.filter((f) => f.attributed)).toEqual([]);
          expect(result.findings.filter((f) => severityRank(f.severity) > severityRank('low'))).toEqual([]);
          const lowered = result.findings.filter((f) => f.ruleSeverity);
          expect(lowered.length).toBeGreaterThan(0);
          for (const f of lowered) {
            // The admins' set-up, and the owner's CI deploying its function with the same key.
            const owners =
              f.ruleId === 'lambda-code-updated' ? /:user\/dev-sam$/ : /:user\/(ops|prod)-admin$/;
            expect(f.principal).toMatch(owners);
            expect(severityRank(f.ruleSeverity!)).toBeGreaterThan(severityRank('low'));
          }
        } else {
          expect(attributedAboveLow.length).toBeGreaterThan(0);
          // The campaign rule names the theft from the snapshot, share, key and export together.
          if (name === 'rds-exfil')
            expect(attributedAboveLow.filter((f) => f.ruleId === 'rds-exfil-campaign')).toHaveLength(1);
          // Only findings outside the compromise are rated down.
          expect(result.findings.filter((f) => f.attributed && f.ruleSeverity)).toEqual([]);
        }
      },
    );
  }
});
