/**
 * How long each scenario takes to load into a fresh simulated account (weeks of baseline plus
 * the attack, all through the AWS SDK over loopback). Acceptance: under 20 s each.
 *
 *   npx tsx bench/scenarios.ts [name…]
 */
import { SimClock, startSim } from '../src/sim/index.js';
import { listScenarios, loadScenario } from '../src/sim/scenarios/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const LIMIT_MS = 20_000;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = listScenarios()
    .map((s) => s.name)
    .filter((n) => wanted.length === 0 || wanted.includes(n));
  let worst = 0;
  for (const name of names) {
    const sim = await startSim({
      seed: 1,
      clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }),
    });
    const started = performance.now();
    const { truth } = await loadScenario(sim, name, { seed: 1 });
    const ms = performance.now() - started;
    worst = Math.max(worst, ms);
    const events = sim.state.accounts().reduce((n, a) => n + a.cloudtrail.events.length, 0);
    console.log(
      `${name.padEnd(18)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${String(events).padStart(5)} events  ` +
        `${String(truth.attackerEventIds.length).padStart(3)} attacker events  $${truth.cost.usd.toFixed(2)}`,
    );
    await sim.stop();
  }
  console.log(
    `slowest ${(worst / 1000).toFixed(2)} s (limit ${LIMIT_MS / 1000} s): ${worst < LIMIT_MS ? 'ok' : 'TOO SLOW'}`,
  );
  if (worst >= LIMIT_MS) process.exitCode = 1;
}

await main();
