import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaseFolder } from '../../case/case.js';
import { investigate } from '../../detect/investigate.js';
import { saveInvestigation } from '../../detect/save.js';
import { SimClock, startSim, VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import { loadScenario } from '../../sim/scenarios/index.js';
import type { Truth } from '../../sim/scenarios/truth.js';
import { openEventStore, STORE_FILE } from '../../store/store.js';
import { ingestPaths } from '../../trail/ingest.js';

/**
 * A scenario laid into a simulated account, its CloudTrail loaded into a case's event store at
 * `dir`, the real investigation run and saved (about 2 s; no respond run: no containment, scope
 * or eradication). `scratch` holds the exported CloudTrail file.
 */
export async function scenarioCase(name: string, dir: string, scratch: string): Promise<{ truth: Truth }> {
  const sim: RunningSim = await startSim({
    port: 0,
    seed: 7,
    clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }),
  });
  try {
    const { truth } = await loadScenario(sim, name, { seed: 7 });
    const logs = join(scratch, `${name}.json`);
    writeFileSync(
      logs,
      JSON.stringify({ Records: sim.state.accountOrThrow(VICTIM_ACCOUNT).cloudtrail.events }),
    );
    const clock = { now: () => sim.clock.now(), sleep: () => Promise.resolve() };
    const key = truth.leakedAccessKeyId ?? undefined;
    const folder = CaseFolder.create(dir, {
      clock,
      subject: key
        ? { input: key, kind: 'access-key', accessKeyId: key }
        : { input: 'ops-admin', kind: 'user' },
      awareness: new Date(truth.end),
    });
    const store = await openEventStore(join(dir, STORE_FILE));
    try {
      await ingestPaths(store, [logs], {});
      saveInvestigation(folder, await investigate(store, { subjectKeys: key ? [key] : [] }));
    } finally {
      store.close();
      folder.close();
    }
    return { truth };
  } finally {
    await sim.stop();
  }
}
