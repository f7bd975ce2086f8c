import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

/**
 * The scenario catalog's names and its richest scenario (the default), written here so that the
 * help does not load the simulator; help-tables.test.ts checks them against `SCENARIOS`.
 */
export const DEMO_SCENARIOS = [
  'cryptomining',
  'persistence',
  'exfiltration',
  'defense-evasion',
  'role-chain',
  'console-takeover',
  'hostile-strings',
  'backdoors',
  'llmjacking',
  'ses-spam',
  'sms-pumping',
  's3-ransomware',
  'rds-exfil',
  'quiet',
];
/** The demo's default: a realistic intrusion end to end (mining, persistence, cost), as the README shows. */
export const DEMO_DEFAULT_SCENARIO = 'cryptomining';

const demoOptions = {
  scenario: {
    type: 'string',
    value: 'NAME',
    description: `one of ${DEMO_SCENARIOS.join(', ')} (default: ${DEMO_DEFAULT_SCENARIO})`,
  },
  out: {
    type: 'string',
    value: 'DIR',
    description: 'case folder to write (default: ./cases/demo-NAME-TIME)',
  },
  seed: {
    type: 'string',
    value: 'N',
    description: 'seed for the scenario (default 1): same seed and minute, same ids',
  },
  'lookup-rate': {
    type: 'string',
    value: 'N',
    description:
      "LookupEvents calls per second per region the simulated account allows and the playbook keeps to (default 2, AWS's own; a drill in a hurry may raise it)",
  },
  'list-scenarios': {
    type: 'boolean',
    description: 'list the scenarios with what happens in each, and exit',
  },
} satisfies OptionTable;

/** What `runDemo` receives. */
export type DemoInput = RunInput<typeof demoOptions>;

export const demo = defineCommand({
  name: 'demo',
  summary: 'a simulated account, an attack scenario and the whole playbook against it, in one go',
  description:
    'Starts the simulated AWS account in this process on a free 127.0.0.1 port, lays a scenario into it\n' +
    '(three weeks of normal work, then the attack), and runs `tourniquet respond <leaked key> --yes`\n' +
    "against it through the AWS SDK with the security team's own credentials, exactly as on a real\n" +
    'account. Writes the case folder (report.html, report.md, timeline.csv) to --out, with the\n' +
    "scenario's ground truth (sim-truth.json), the account as the attacker left it\n" +
    '(sim-state-attacked.json) and its final state (sim-state.json), both for `tourniquet sim --state`.\n' +
    'Prints what the attacker did, what was contained, the cost, and the\n' +
    'ground truth beside it. Nothing leaves this machine. Exit 0 when the playbook ran.',
  args: [],
  options: demoOptions,
  examples: [
    'tourniquet demo',
    'tourniquet demo --list-scenarios',
    'tourniquet demo --scenario role-chain --out /tmp/role-chain-case',
  ],
  load: async () => (await import('./demo-run.js')).runDemo,
});
