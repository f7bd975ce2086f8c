/**
 * `npm run bench:eradicate`: `tourniquet eradicate` (the plan, then `--apply`) on the persistence
 * scenario, through a loopback proxy that adds 100 ms to every call (a responder far from the AWS
 * regions). Target: plan + apply under 30 s (issue 13).
 *
 * For each run: a fresh simulated account with the scenario laid in; the case is brought to the
 * point eradication starts from (triage, contain --apply, collect, investigate, scope) straight
 * against the simulator; then the plan and the apply run in-process through the proxy, and the
 * time from the plan's start to the verified apply is printed with the steps and the calls made.
 * BENCH_RUNS=N (default 3), BENCH_LATENCY_MS (default 100).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLatencyProxy } from '../src/actions/test-support/latency-proxy.js';
import { main } from '../src/cli/main.js';
import { startSim } from '../src/sim/index.js';
import { loadScenario } from '../src/sim/scenarios/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);

interface Result {
  seconds: number;
  planSeconds: number;
  steps: number;
  calls: number;
  state: string;
}

async function run(index: number): Promise<Result> {
  const sim = await startSim({ port: 0, seed: 7, lookupEventsPerSecond: 200 });
  const { truth, responderCredentials: creds } = await loadScenario(sim, 'persistence', { seed: 7 });
  const root = mkdtempSync(join(tmpdir(), 'tq-bench-eradicate-'));
  const caseDir = join(root, 'case');
  // The SDK's default chain reads the process environment, as in a responder's shell.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_CONFIG_FILE: join(root, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(root, 'none'),
  });
  let log = '';
  let out = '';
  const io = {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((log += s), true) },
    env: { ...process.env, TOURNIQUET_CASES: join(root, 'cases') },
    cwd: root,
  };
  const at = (endpoint: string) => ['--case', caseDir, '--endpoint-url', endpoint, '--region', 'us-east-1'];
  for (const args of [
    ['triage', truth.leakedAccessKeyId!],
    ['contain', '--apply'],
    ['collect'],
    ['investigate'],
    ['scope'],
  ]) {
    const code = await main([...args, ...at(sim.endpoint)], io);
    if (code > 0 && code !== 3) throw new Error(`${args[0]} exited ${code}: ${log}`);
  }

  const url = new URL(sim.endpoint);
  const proxy = await startLatencyProxy({ host: url.hostname, port: Number(url.port) }, LATENCY);
  const before = proxy.requests();
  const t0 = process.hrtime.bigint();
  out = '';
  const planned = await main(['eradicate', '--plan', '--json', ...at(proxy.endpoint)], io);
  const planSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const plan = JSON.parse(out) as { plan?: { steps: unknown[] } };
  out = '';
  const applied = await main(['eradicate', '--apply', '--json', ...at(proxy.endpoint)], io);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const result = JSON.parse(out) as { state: string };
  const calls = proxy.requests() - before;
  await proxy.close();
  await sim.stop();
  if (planned > 3 || applied > 3) throw new Error(`eradicate exited ${planned}/${applied}: ${log}`);
  const steps = plan.plan?.steps.length ?? 0;
  console.log(
    `  run ${index + 1}: plan ${planSeconds.toFixed(2)} s, plan + apply ${seconds.toFixed(2)} s, ${steps} steps, ${calls} calls, ${result.state}`,
  );
  return { seconds, planSeconds, steps, calls, state: result.state };
}

console.log(`bench:eradicate — the persistence scenario, ${LATENCY} ms per call`);
const runs: Result[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await run(i));
const sorted = runs.map((r) => r.seconds).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
const ok = median < 30 && runs.every((r) => r.state === 'eradicated');
console.log(
  `median ${median.toFixed(2)} s, worst ${sorted.at(-1)!.toFixed(2)} s over ${RUNS} runs (plan + apply, ${runs[0]!.steps} steps, ${runs[0]!.calls} calls) — ${ok ? '[ok] under 30 s' : '[FAIL] target 30 s, every run eradicated'}`,
);
