import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClientPool } from '../../aws/pool.js';
import { defaultCasesRoot } from '../../case/list.js';
import { UsageError } from '../../errors.js';
import { respond, type RespondResult } from '../../playbook/respond.js';
import { startSim } from '../../sim/index.js';
import { listScenarios, loadScenario, SCENARIOS, type Truth } from '../../sim/scenarios/index.js';
import { defineCommand } from '../spec.js';
import { demoBlocks } from './demo-output.js';

/** The file the scenario's ground truth is written to, in the case folder. */
export const TRUTH_FILE = 'sim-truth.json';

/** The scenario with the most attacker steps: the fullest tour of what the playbook does. */
export function richestScenario(): string {
  const ranked = Object.values(SCENARIOS).sort((a, b) => b.steps.length - a.steps.length);
  return ranked[0]!.name;
}

export interface DemoRun {
  scenario: string;
  endpoint: string;
  seconds: number;
  truth: Truth;
  respond: RespondResult;
}

export const demo = defineCommand({
  name: 'demo',
  summary: 'a simulated account, an attack scenario and the whole playbook against it, in one go',
  description:
    'Starts the simulated AWS account in this process on a free 127.0.0.1 port, lays a scenario into it\n' +
    '(three weeks of normal work, then the attack), and runs `tourniquet respond <leaked key> --yes`\n' +
    "against it through the AWS SDK with the security team's own credentials, exactly as on a real\n" +
    'account. Writes the case folder (with report.html) to --out, and prints what the attacker did,\n' +
    "what was contained, the cost, and the scenario's ground truth beside it. Nothing leaves this machine.",
  args: [],
  options: {
    scenario: {
      type: 'string',
      value: 'NAME',
      description: `one of ${Object.keys(SCENARIOS).join(', ')} (default: the richest, ${richestScenario()})`,
    },
    out: {
      type: 'string',
      value: 'DIR',
      description: 'case folder to write (default: ./cases/demo-NAME-TIME)',
    },
    seed: {
      type: 'string',
      value: 'N',
      description: 'seed for the scenario (default 1): same seed, same ids',
    },
  },
  examples: ['tourniquet demo', 'tourniquet demo --scenario role-chain --out /tmp/role-chain-case'],
  async run({ options }, env) {
    const scenario = options.scenario ?? richestScenario();
    if (!Object.hasOwn(SCENARIOS, scenario))
      throw new UsageError(
        `--scenario ${scenario}: no such scenario.`,
        `Choose one of: ${listScenarios()
          .map((s) => s.name)
          .join(', ')}.`,
      );
    const seed = options.seed ?? '1';
    const started = Date.now();
    const stamp = env.clock.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const dir = options.out
      ? resolve(env.cwd, options.out)
      : join(defaultCasesRoot(env.env, env.cwd), `demo-${scenario}-${stamp}`);
    const sim = await startSim({ port: 0, seed });
    let pool: ClientPool | undefined;
    try {
      env.log.info(`Simulated account serving on ${sim.endpoint}; laying the ${scenario} scenario into it…`);
      mkdirSync(dir, { recursive: true });
      const loaded = await loadScenario(sim, scenario, { seed, truthFile: join(dir, TRUTH_FILE) });
      const subject = loaded.truth.leakedAccessKeyId ?? loaded.truth.compromisedUser;
      env.log.info(
        `History laid (${((Date.now() - started) / 1000).toFixed(1)} s). The leaked credential is ${subject}; responding as ${loaded.responderCredentials.userName}.`,
      );
      pool = await ClientPool.create(
        {
          endpointUrl: sim.endpoint,
          region: 'us-east-1',
          credentials: {
            accessKeyId: loaded.responderCredentials.accessKeyId,
            secretAccessKey: loaded.responderCredentials.secretAccessKey,
          },
        },
        env.clock,
      );
      const result = await respond(
        { clock: env.clock, log: env.log, progress: env.progress, aws: pool },
        {
          subject,
          yes: true,
          where: { dir, root: defaultCasesRoot(env.env, env.cwd) },
          onPhaseStart: (p) => env.log.info(`[${p.index}/${p.total}] ${p.title}…`),
          onPhaseEnd: (p) => env.log.info(`  ${p.state.toUpperCase()}: ${p.summary}`),
        },
      );
      const run: DemoRun = {
        scenario,
        endpoint: sim.endpoint,
        seconds: (Date.now() - started) / 1000,
        truth: loaded.truth,
        respond: result,
      };
      // The demo succeeded when the playbook ran; partial coverage is shown, not an error here.
      return { exitCode: result.failed ? 1 : 0, json: run, blocks: demoBlocks(run) };
    } finally {
      pool?.destroy();
      await sim.stop();
    }
  },
});
