import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const serveOptions = {
  cases: {
    type: 'string',
    value: 'DIR',
    description:
      'serve every case folder under DIR (default: ./cases or $TOURNIQUET_CASES; --case serves one)',
  },
  port: { type: 'string', value: 'N', description: 'port to listen on (default: a free one)' },
  host: {
    type: 'string',
    value: 'ADDRESS',
    description:
      'address to bind instead of 127.0.0.1 (warned: anyone who can reach it and has the URL sees the case)',
  },
} satisfies OptionTable;

/** What `runServe` receives. */
export type ServeInput = RunInput<typeof serveOptions>;

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'a local, read-only web dashboard of the cases, updated live while a phase runs',
  description:
    'Serves the cases on 127.0.0.1 with a random token in the printed URL (requests without it get 401).\n' +
    'Pages: cases; per case the overview (severity, phases, containment, coverage, cost, deadlines\n' +
    'counting down), timeline (filter by credential, category, region, outcome; the raw event of any\n' +
    'call), credential lineage, findings by tactic with their evidence events, backdoors and reach\n' +
    '(scope.json), decisions, communications with copy buttons, and the journal with its verification.\n' +
    'Pages update by server-sent events when the case changes. Nothing is written and nothing is\n' +
    'fetched from elsewhere (strict Content-Security-Policy). Stop with Ctrl+C.',
  args: [],
  options: serveOptions,
  examples: ['tourniquet serve', 'tourniquet serve --case cases/tq-20261204-070857-e682 --port 8765'],
  load: async () => (await import('./serve-run.js')).runServe,
});
