/**
 * `npm run bench:investigate`: how long the investigation takes on a big store, over two corpora
 * of BENCH_RECORDS records (default 1,000,000), each built once into bench/out/:
 * - `invictus`: the Invictus hour (2,900 real records of an attack) copied with shifted times and
 *   fresh event ids: nearly every record matches some rule, the worst case for the rules;
 * - `realistic`: the trail of bench/generate-realistic.ts (an account's routine work, a few
 *   thousand request shapes, one key's calls among them) loaded as `tourniquet collect` would.
 * For each: `investigate()` without a subject and with the corpus's key as subject (lineage,
 * baseline, timeline), medians of BENCH_RUNS runs (default 3), and with BENCH_PER_RULE=1 every
 * rule alone. BENCH_CORPUS=invictus|realistic runs one.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runRules } from '../src/detect/engine.js';
import { investigate } from '../src/detect/investigate.js';
import { BUILTIN_RULES } from '../src/detect/rules/index.js';
import { LOAD_MEMORY_LIMIT, openEventStore, type EventStore } from '../src/store/store.js';
import { ingestPaths } from '../src/trail/ingest.js';
import { generateRealisticTrail } from './generate-realistic.js';
import { loadAverage } from './machine.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const DATASET = join(ROOT, '..', 'shared', 'datasets', 'invictus-sigma-aws');
const target = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COPIES_PER_INSERT = 25;

mkdirSync(OUT, { recursive: true });

/** A corpus: its store file, built on first use, and the key investigated as the subject. */
interface Corpus {
  name: string;
  build: (file: string) => Promise<string>;
}

const CORPORA: Corpus[] = [
  {
    name: 'invictus',
    build: async (file) => {
      if (!existsSync(file)) await buildInvictus(file);
      return 'AKIATFQR7NSC8Q4X20BJ';
    },
  },
  {
    name: 'realistic',
    build: async (file) => {
      const trail = await generateRealisticTrail({ dir: join(OUT, `realistic-${target}`), records: target });
      if (!existsSync(file)) {
        const build = await openEventStore(file, { memoryLimit: LOAD_MEMORY_LIMIT });
        try {
          await ingestPaths(build, [trail.dir]);
        } finally {
          build.close();
        }
      }
      return trail.targetKey;
    },
  },
];

/**
 * The Invictus hour copied two hours apart (so bursts stay bursts), under a memory limit and in
 * batches: one INSERT of every copy at once let DuckDB take its default limit (80% of the
 * machine's memory, 19 GB here) before spilling. DuckDB-only SQL is fine here (not a rule).
 */
async function buildInvictus(file: string): Promise<void> {
  const build = await openEventStore(file, { memoryLimit: LOAD_MEMORY_LIMIT });
  try {
    await ingestPaths(build, [DATASET]);
    const original = await build.count();
    const copies = Math.ceil(target / original);
    await build.run('CREATE TEMP TABLE originals AS SELECT * FROM cloudtrail_events');
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

async function perRule(store: EventStore): Promise<void> {
  const times: [string, number][] = [];
  for (const rule of BUILTIN_RULES) {
    const t = performance.now();
    await runRules(store, [rule]);
    times.push([rule.id, performance.now() - t]);
  }
  times.sort((a, b) => b[1] - a[1]);
  const total = times.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`  rules one by one: ${BUILTIN_RULES.length} in ${(total / 1000).toFixed(1)} s; slowest:`);
  for (const [id, ms] of times.slice(0, 8)) console.log(`    ${id.padEnd(36)} ${(ms / 1000).toFixed(2)} s`);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * How fast the machine is right now: a fixed DuckDB workload on both cores (hashing 40 million
 * integers), median of three, with the load average. This machine's speed moves by 20-40% from
 * one moment to the next, so a run's seconds are read against it: compare runs by their ratio to it.
 */
async function machineNow(store: EventStore): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await store.query('SELECT count(*) AS n FROM range(40000000) r(i) WHERE hash(i) % 7 = 0');
    times.push((performance.now() - t) / 1000);
  }
  return `machine now: reference workload ${median(times).toFixed(2)} s, load average ${loadAverage()}`;
}

let met = true;
for (const corpus of CORPORA.filter(
  (c) => !process.env.BENCH_CORPUS || c.name === process.env.BENCH_CORPUS,
)) {
  const file = join(OUT, `investigate-${corpus.name}-${target}.duckdb`);
  const subject = await corpus.build(file);
  // Opened as `tourniquet investigate` opens a case store.
  const store = await openEventStore(file);
  try {
    const records = await store.count();
    console.log(`${corpus.name}: ${file}, ${records.toLocaleString('en-US')} records`);
    console.log(`  ${await machineNow(store)}`);
    if (process.env.BENCH_PER_RULE) await perRule(store);
    for (const [label, keys] of [
      ['investigate (no subject)', []],
      [`investigate (subject ${subject})`, [subject]],
    ] as const) {
      const seconds: number[] = [];
      let summary = '';
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const result = await investigate(store, { subjectKeys: [...keys] });
        seconds.push((performance.now() - t) / 1000);
        summary = `${result.findings.length} findings, ${result.timeline.length} bursts`;
      }
      const s = median(seconds);
      const ok = s < 5;
      met &&= ok;
      console.log(
        `  ${label.padEnd(42)} ${s.toFixed(1)} s (median of ${RUNS}: ${seconds.map((x) => x.toFixed(1)).join(', ')}), ` +
          `${summary}, ${Math.round(records / s).toLocaleString('en-US')} records/s  [${ok ? 'ok' : 'MISS'}] under 5 s`,
      );
    }
    console.log(`  ${await machineNow(store)}`);
  } finally {
    store.close();
  }
}
console.log(met ? 'bar met: investigate under 5 s' : 'bar missed: investigate 5 s or more somewhere');
