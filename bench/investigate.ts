/**
 * `npm run bench:investigate`: how long the investigation takes on a big store. Builds
 * bench/out/investigate.duckdb from the Invictus hour (2,900 real records) copied with shifted
 * times and fresh event ids up to BENCH_RECORDS (default 1,000,000), then times every rule one
 * by one, the whole `investigate()` without a subject, and with the Invictus user's key as
 * subject (lineage, baseline, timeline).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runRules } from '../src/detect/engine.js';
import { investigate } from '../src/detect/investigate.js';
import { BUILTIN_RULES } from '../src/detect/rules/index.js';
import { LOAD_MEMORY_LIMIT, openEventStore } from '../src/store/store.js';
import { ingestPaths } from '../src/trail/ingest.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const DATASET = join(ROOT, '..', 'shared', 'datasets', 'invictus-sigma-aws');
const SUBJECT = 'AKIATFQR7NSC8Q4X20BJ';
const target = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const COPIES_PER_INSERT = 25;

mkdirSync(OUT, { recursive: true });
const file = join(OUT, `investigate-${target}.duckdb`);
const fresh = !existsSync(file);
if (fresh) {
  // Built under a memory limit and in batches: one INSERT of every copy at once let DuckDB take its
  // default limit (80% of the machine's memory, 19 GB here) before spilling.
  const build = await openEventStore(file, { memoryLimit: LOAD_MEMORY_LIMIT });
  try {
    await ingestPaths(build, [DATASET]);
    const original = await build.count();
    const copies = Math.ceil(target / original);
    await build.run('CREATE TEMP TABLE originals AS SELECT * FROM cloudtrail_events');
    // Copies two hours apart so bursts stay bursts; DuckDB-only SQL is fine here (not a rule).
    for (let from = 1; from < copies; from += COPIES_PER_INSERT) {
      const to = Math.min(copies, from + COPIES_PER_INSERT);
      await build.run(`INSERT INTO cloudtrail_events
        SELECT * EXCLUDE (i) REPLACE (eventid || '-' || CAST(i AS VARCHAR) AS eventid,
          strftime(CAST(eventts AS TIMESTAMP) + to_hours(i * 2), '%Y-%m-%dT%H:%M:%SZ') AS eventtime,
          eventts + to_hours(i * 2) AS eventts)
        FROM originals, range(${from}, ${to}) r(i)`);
    }
  } finally {
    build.close();
  }
}
// Opened as `tourniquet investigate` opens a case store.
const store = await openEventStore(file);
try {
  const records = await store.count();
  console.log(`store ${file}: ${records} records`);
  const perRule: [string, number][] = [];
  for (const rule of BUILTIN_RULES) {
    const t = performance.now();
    await runRules(store, [rule]);
    perRule.push([rule.id, performance.now() - t]);
  }
  perRule.sort((a, b) => b[1] - a[1]);
  const total = perRule.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`rules: ${BUILTIN_RULES.length} in ${(total / 1000).toFixed(1)} s; slowest:`);
  for (const [id, ms] of perRule.slice(0, 8)) console.log(`  ${id.padEnd(36)} ${(ms / 1000).toFixed(2)} s`);
  for (const [label, keys] of [
    ['investigate (no subject)', []],
    [`investigate (subject ${SUBJECT})`, [SUBJECT]],
  ] as const) {
    const t = performance.now();
    const result = await investigate(store, { subjectKeys: [...keys] });
    const s = (performance.now() - t) / 1000;
    console.log(
      `${label}: ${s.toFixed(1)} s, ${result.findings.length} findings, ${result.timeline.length} bursts, ` +
        `${Math.round(records / s)} records/s`,
    );
  }
} finally {
  store.close();
}
