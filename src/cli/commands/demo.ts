import { join, resolve } from 'node:path';
import { defaultCasesRoot } from '../../case/list.js';
import { UsageError } from '../../errors.js';
import { listScenarios, SCENARIOS } from '../../sim/scenarios/index.js';
import { defineCommand } from '../spec.js';
import { demoBlocks } from './demo-output.js';
import { richestScenario, runDemo } from './demo-run.js';

export const demo = defineCommand({
  name: 'demo',
  summary: 'a simulated account, an attack scenario and the whole playbook against it, in one go',
  description:
    'Starts the simulated AWS account in this process on a free 127.0.0.1 port, lays a scenario into it\n' +
    '(three weeks of normal work, then the attack), and runs `tourniquet respond <leaked key> --yes`\n' +
    "against it through the AWS SDK with the security team's own credentials, exactly as on a real\n" +
    'account. Writes the case folder (report.html, report.md, timeline.csv) to --out, with the\n' +
    "scenario's ground truth (sim-truth.json) and the account's final state (sim-state.json, for\n" +
    '`tourniquet sim --state`). Prints what the attacker did, what was contained, the cost, and the\n' +
    'ground truth beside it. Nothing leaves this machine. Exit 0 when the playbook ran.',
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
    const root = defaultCasesRoot(env.env, env.cwd);
    const stamp = env.clock.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const dir = options.out ? resolve(env.cwd, options.out) : join(root, `demo-${scenario}-${stamp}`);
    const run = await runDemo(
      { clock: env.clock, log: env.log, progress: env.progress },
      { scenario, dir, seed: options.seed ?? '1', casesRoot: root },
    );
    // The demo succeeded when the playbook ran; partial coverage is shown in the summary.
    return { exitCode: run.respond.failed ? 1 : 0, json: run, blocks: demoBlocks(run) };
  },
});
