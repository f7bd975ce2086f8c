import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const simOptions = {
  port: { type: 'string', value: 'N', description: 'TCP port on 127.0.0.1 (default 0: any free port)' },
  state: {
    type: 'string',
    value: 'FILE',
    description: 'load the account from FILE and save it there on exit',
  },
  seed: {
    type: 'string',
    value: 'N',
    description: 'seed for deterministic ids, given the same end of history (default: tourniquet)',
  },
  'lookup-rate': {
    type: 'string',
    value: 'N',
    description:
      "LookupEvents calls per second per region the account allows (default 2, AWS's own); the tool keeps to TOURNIQUET_LOOKUP_RATE",
  },
  scenario: {
    type: 'string',
    value: 'NAME',
    description: 'lay this attack scenario into the account first',
  },
  truth: {
    type: 'string',
    value: 'FILE',
    description: "write the scenario's ground truth (truth.json) to FILE",
  },
  alerts: {
    type: 'string',
    value: 'DIR',
    description: "write the scenario's alerts (GuardDuty, Health, quarantine, cost) to DIR",
  },
  'event-data-store': {
    type: 'string',
    value: 'NAME',
    description:
      "lay a CloudTrail Lake event data store NAME (us-east-1) holding the account's management events, past ones included",
  },
  'list-scenarios': { type: 'boolean', description: 'list the scenarios and exit' },
} satisfies OptionTable;

/** What `runSim` receives. */
export type SimInput = RunInput<typeof simOptions>;

export const sim = defineCommand({
  name: 'sim',
  summary: 'serve a simulated AWS account on 127.0.0.1 until interrupted',
  description:
    'Starts a stateful AWS endpoint (IAM, STS, CloudTrail and the other simulated services) with a\n' +
    'responder IAM user holding AdministratorAccess, prints shell export lines for it, and serves\n' +
    'until SIGINT/SIGTERM. With --state the account is loaded from FILE (when it exists) and saved\n' +
    'back on exit, so a drill can stop and resume. With --scenario NAME the account is first filled\n' +
    "with that scenario's weeks of history (baseline and attack) and the leaked key is printed;\n" +
    '--truth FILE writes its ground truth; --alerts DIR writes the alerts AWS would have sent (GuardDuty\n' +
    'findings, the cost anomaly, and for a leaked key the quarantine and Health event), one JSON file\n' +
    'each, to start from with `respond --from`. --list-scenarios lists them. With --json the start-up\n' +
    'details are printed as one JSON line and the exit summary as a JSON document.',
  args: [],
  options: simOptions,
  examples: [
    'tourniquet sim --port 4566 --state drill.json',
    'tourniquet sim --scenario cryptomining --seed 7 --truth truth.json',
    'tourniquet sim --scenario cryptomining --alerts alerts/',
    'tourniquet sim --list-scenarios',
    'eval "$(tourniquet sim --port 4566 | head -n 6)"   # in another shell, after starting it',
  ],
  load: async () => (await import('./sim-run.js')).runSim,
});
