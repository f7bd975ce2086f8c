import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const caseListOptions = {
  root: {
    type: 'string',
    value: 'DIR',
    description: 'folder holding the cases (default: $TOURNIQUET_CASES or ./cases)',
  },
} satisfies OptionTable;

/** What `runCaseList` receives. */
export type CaseListInput = RunInput<typeof caseListOptions>;

export const caseList = defineCommand({
  name: 'case list',
  summary: 'list case folders, newest first',
  args: [],
  options: caseListOptions,
  examples: ['tourniquet case list', 'tourniquet case list --root /srv/incidents --json'],
  load: async () => (await import('./case-run.js')).runCaseList,
});

const caseShowOptions = {} satisfies OptionTable;

/** What `runCaseShow` receives. */
export type CaseShowInput = RunInput<typeof caseShowOptions>;

export const caseShow = defineCommand({
  name: 'case show',
  summary: 'show a case: subject, status, phase times, journal and evidence',
  args: [],
  options: caseShowOptions,
  examples: ['tourniquet case show --case cases/tq-20261128-150312-4f2a'],
  load: async () => (await import('./case-run.js')).runCaseShow,
});

const caseVerifyOptions = {
  head: {
    type: 'string',
    value: 'HASH',
    description:
      'a journal head hash kept outside the case (printed after each command): it must be in the journal',
  },
} satisfies OptionTable;

/** What `runCaseVerify` receives. */
export type CaseVerifyInput = RunInput<typeof caseVerifyOptions>;

export const caseVerify = defineCommand({
  name: 'case verify',
  summary: 'check the journal hash chain and every evidence file; exit 1 naming the first bad spot',
  description:
    'Recomputes the sha256 chain of journal.jsonl line by line, compares the journal head with case.json,\n' +
    'and checks each evidence file against evidence/manifest.jsonl and the journal. With --head HASH (the\n' +
    '"Journal head" line a command printed), the journal must still hold that line: a journal rewritten\n' +
    'together with case.json chains, but has lost it.',
  args: [],
  options: caseVerifyOptions,
  examples: [
    'tourniquet case verify --case cases/tq-20261128-150312-4f2a',
    'tourniquet case verify --head 9c1f…(64 hex digits, from the "Journal head" line)',
  ],
  load: async () => (await import('./case-run.js')).runCaseVerify,
});
