/**
 * `npm run bench:ingest`: how fast Tourniquet reads CloudTrail, side by side with the Unix
 * baseline on the same files (issue 4 §5). For each size (default 1M and 5M records; override
 * with BENCH_SIZES=200000,1000000):
 *   1. generate a synthetic trail folder under bench/out/ (kept for the next run);
 *   2. `zcat` of every file to /dev/null: the decompression floor;
 *   3. `zcat | jq` selecting the hunted key: what a responder would type;
 *   4. `tourniquet hunt DIR --key X --json`: the real CLI, in a child process;
 *   5. loading every record into a case store (`ingestPaths` into case.duckdb).
 * Each is timed by wall clock with peak memory from /usr/bin/time; then records/s and ratios
 * against the targets (hunt ≥ 5x faster than zcat|jq and no slower than zcat, full load within
 * 3x zcat, peak memory under 1.5 GB at 5M).
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateTrail, type GeneratedTrail } from './generate.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const ENV = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/**
 * The installed CLI (`bin/tourniquet.js` over `dist/`, rebuilt first with `npm run build`), so the
 * timings are those a user gets, lazy command loading included; the loader child is compiled to
 * plain JavaScript with esbuild (which tsx ships), not compiled on the fly.
 */
function buildEntries(): { cli: string; load: string } {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const dist = join(OUT, 'dist');
  mkdirSync(dist, { recursive: true });
  // src/version.ts reads ../package.json relative to the compiled module.
  copyFileSync(join(ROOT, 'package.json'), join(OUT, 'package.json'));
  const load = join(dist, 'load.mjs');
  execFileSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [
    join(ROOT, 'bench', 'load.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--packages=external',
    `--outfile=${load}`,
    '--log-level=warning',
  ]);
  return { cli: join(ROOT, 'bin', 'tourniquet.js'), load };
}

interface Measured {
  seconds: number;
  peakMb: number;
  stdout: string;
}

/** Run a command (argument array, no shell) under /usr/bin/time; optionally pipe a first command into it. */
function measure(
  argv: string[],
  options: { pipeFrom?: string[]; cwd?: string; discard?: boolean } = {},
): Promise<Measured> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const timed = ['/usr/bin/time', '-f', 'TQ_TIME %e %M', ...argv];
    let source: ReturnType<typeof spawn> | undefined;
    if (options.pipeFrom) {
      source = spawn(options.pipeFrom[0]!, options.pipeFrom.slice(1), {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: ENV,
      });
    }
    const child = spawn(timed[0]!, timed.slice(1), {
      cwd: options.cwd ?? ROOT,
      env: ENV,
      stdio: [source ? source.stdout! : 'ignore', options.discard ? 'ignore' : 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /TQ_TIME ([\d.]+) (\d+)/.exec(stderr);
      if (!m) return reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr.slice(-500)}`));
      resolvePromise({ seconds, peakMb: Number(m[2]) / 1024, stdout });
    });
  });
}

function gzFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.json.gz')) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

function dirBytes(files: string[]): number {
  return files.reduce((sum, f) => sum + statSync(f).size, 0);
}

const fmt = (n: number, digits = 2): string => n.toFixed(digits);
const rate = (records: number, seconds: number): string =>
  `${Math.round(records / seconds).toLocaleString('en-US')} rec/s`;

async function benchSize(
  records: number,
  entries: { cli: string; load: string },
): Promise<{ ok: boolean; lines: string[] }> {
  const dir = join(OUT, `trail-${records}`);
  console.log(
    `\n== ${records.toLocaleString('en-US')} records: generating ${dir} (cached after the first run)`,
  );
  const trail: GeneratedTrail = await generateTrail({ dir, records });
  const files = gzFiles(dir);
  console.log(
    `   ${files.length} files, ${fmt(dirBytes(files) / 1e6, 0)} MB gzip, ${trail.targetRecords} records by ${trail.targetKey}`,
  );

  // The decompression floor: every byte decompressed, nothing kept.
  const zcat = await measure(['zcat', ...files], { discard: true });
  const jq = await measure(
    ['jq', '-c', `.Records[] | select(.userIdentity.accessKeyId == "${trail.targetKey}") | .eventID`],
    {
      pipeFrom: ['zcat', ...files],
    },
  );
  const jqCount = jq.stdout.split('\n').filter((l) => l.trim() !== '').length;
  const hunt = await measure([
    process.execPath,
    entries.cli,
    'hunt',
    dir,
    '--key',
    trail.targetKey,
    '--json',
    '--quiet',
  ]);
  const huntDoc = JSON.parse(hunt.stdout) as { records: number; badRecords: number; badFiles: unknown[] };
  const startup = await measure([process.execPath, entries.cli, '--version']);
  const store = join(OUT, `load-${records}.duckdb`);
  rmSync(store, { force: true });
  rmSync(`${store}.wal`, { force: true });
  const load = await measure([process.execPath, entries.load, store, dir]);
  const loaded = JSON.parse(load.stdout) as { records: number; inserted: number; badRecords: number };
  rmSync(store, { force: true });

  const checks = [
    {
      what: `hunt found ${huntDoc.records}, jq ${jqCount}, generator ${trail.targetRecords}`,
      ok: huntDoc.records === jqCount && jqCount === trail.targetRecords,
    },
    {
      what: `load stored ${loaded.inserted} of ${trail.records}`,
      ok: loaded.inserted === trail.records && loaded.badRecords === 0,
    },
    {
      what: `hunt ≥ 5x faster than zcat|jq (${fmt(jq.seconds / hunt.seconds, 1)}x)`,
      ok: jq.seconds / hunt.seconds >= 5,
    },
    {
      what: `hunt no slower than zcat (${fmt(hunt.seconds / zcat.seconds)}x zcat)`,
      ok: hunt.seconds <= zcat.seconds,
    },
    {
      what: `load within 3x zcat (${fmt(load.seconds / zcat.seconds)}x)`,
      ok: load.seconds <= 3 * zcat.seconds,
    },
    {
      what: `peak memory under 1.5 GB (hunt ${fmt(hunt.peakMb, 0)} MB, load ${fmt(load.peakMb, 0)} MB)`,
      ok: Math.max(hunt.peakMb, load.peakMb) < 1536,
    },
  ];
  const lines = [
    `${records.toLocaleString('en-US')} records, ${files.length} files, ${fmt(dirBytes(files) / 1e6, 0)} MB gzip`,
    `  zcat > /dev/null        ${fmt(zcat.seconds).padStart(7)} s  ${fmt(zcat.peakMb, 0).padStart(5)} MB  ${rate(records, zcat.seconds)}`,
    `  zcat | jq select key    ${fmt(jq.seconds).padStart(7)} s  ${fmt(jq.peakMb, 0).padStart(5)} MB  ${rate(records, jq.seconds)}  (${fmt(jq.seconds / zcat.seconds)}x zcat)`,
    `  tourniquet hunt --key   ${fmt(hunt.seconds).padStart(7)} s  ${fmt(hunt.peakMb, 0).padStart(5)} MB  ${rate(records, hunt.seconds)}  (${fmt(hunt.seconds / zcat.seconds)}x zcat, ${fmt(jq.seconds / hunt.seconds, 1)}x faster than jq; CLI start-up ${fmt(startup.seconds)} s included)`,
    `  load all into case.duckdb ${fmt(load.seconds).padStart(5)} s  ${fmt(load.peakMb, 0).padStart(5)} MB  ${rate(records, load.seconds)}  (${fmt(load.seconds / zcat.seconds)}x zcat)`,
    ...checks.map((c) => `  [${c.ok ? 'ok' : 'MISS'}] ${c.what}`),
  ];
  return { ok: checks.every((c) => c.ok), lines };
}

const sizes = (process.env.BENCH_SIZES ?? '1000000,5000000').split(',').map(Number);
const results: string[] = [];
let allOk = true;
const entries = buildEntries();
for (const size of sizes) {
  const { ok, lines } = await benchSize(size, entries);
  allOk &&= ok;
  results.push(...lines);
  console.log(lines.join('\n'));
}
console.log(
  `\n== Summary (${new Date().toISOString()}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? '?'} cores)`,
);
console.log(results.join('\n'));
process.exitCode = allOk ? 0 : 1;
