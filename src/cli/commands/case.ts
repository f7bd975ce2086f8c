import { readCaseFile } from '../../case/case.js';
import { defaultCasesRoot, listCases } from '../../case/list.js';
import { readJournal } from '../../case/journal.js';
import { PHASES } from '../../case/schema.js';
import { verifyCase } from '../../case/verify.js';
import { JOURNAL_FILE } from '../../case/case.js';
import { resolveCaseDir } from '../case-dir.js';
import { defineCommand } from '../spec.js';
import { join, resolve } from 'node:path';

export const caseList = defineCommand({
  name: 'case list',
  summary: 'list case folders, newest first',
  args: [],
  options: {
    root: {
      type: 'string',
      value: 'DIR',
      description: 'folder holding the cases (default: $TOURNIQUET_CASES or ./cases)',
    },
  },
  examples: ['tourniquet case list', 'tourniquet case list --root /srv/incidents --json'],
  run({ options }, env) {
    const root = options.root ? resolve(env.cwd, options.root) : defaultCasesRoot(env.env, env.cwd);
    const cases = listCases(root);
    return Promise.resolve({
      json: { root, cases: cases.map((c) => ({ dir: c.dir, ...(c.case ?? {}), problem: c.problem })) },
      blocks: [
        {
          kind: 'table',
          title: `Cases in ${root}`,
          columns: ['ID', 'CREATED', 'SUBJECT', 'ACCOUNT', 'STATUS', 'FOLDER'],
          rows: cases.map((c) =>
            c.case
              ? [c.case.id, c.case.created, c.case.subject?.input, c.case.account, c.case.status, c.dir]
              : ['?', null, null, null, `unreadable: ${c.problem ?? ''}`, c.dir],
          ),
        },
      ],
    });
  },
});

export const caseShow = defineCommand({
  name: 'case show',
  summary: 'show a case: subject, status, phase times, journal and evidence',
  args: [],
  options: {},
  examples: ['tourniquet case show --case cases/tq-20261128-150312-4f2a'],
  run(_input, env) {
    const dir = resolveCaseDir(env);
    const info = readCaseFile(dir);
    const lines = readJournal(join(dir, JOURNAL_FILE));
    const last = lines.at(-1);
    const lastEntry = last ? (JSON.parse(last) as { seq: number; at: string; kind: string }) : undefined;
    return Promise.resolve({
      json: { dir, case: info, journalLines: lines.length, lastEntry },
      blocks: [
        {
          kind: 'fields',
          title: `Case ${info.id}`,
          fields: [
            ['Folder', dir],
            ['Created', info.created],
            ['Subject', info.subject ? `${info.subject.input} (${info.subject.kind})` : null],
            ['Account', info.account],
            ['Status', info.status],
            ['Awareness', info.awareness],
            ['Responder', info.responder?.arn],
            [
              'Journal',
              `${lines.length} lines${lastEntry ? `, last: ${lastEntry.kind} at ${lastEntry.at}` : ''}`,
            ],
          ],
        },
        {
          kind: 'table',
          title: 'Phases',
          columns: ['PHASE', 'STARTED', 'COMPLETED'],
          rows: PHASES.filter((p) => info.phases[p]).map((p) => [
            p,
            info.phases[p]?.started,
            info.phases[p]?.completed,
          ]),
        },
      ],
    });
  },
});

export const caseVerify = defineCommand({
  name: 'case verify',
  summary: 'check the journal hash chain and every evidence file; exit 1 naming the first bad spot',
  description:
    'Recomputes the sha256 chain of journal.jsonl line by line, compares the journal head with case.json,\n' +
    'and checks each evidence file against evidence/manifest.jsonl and the journal.',
  args: [],
  options: {},
  examples: ['tourniquet case verify --case cases/tq-20261128-150312-4f2a'],
  async run(_input, env) {
    const dir = resolveCaseDir(env);
    const result = await verifyCase(dir);
    const first = result.problems[0];
    return {
      exitCode: result.ok ? 0 : 1,
      json: { dir, ...result },
      blocks: result.ok
        ? [
            {
              kind: 'text',
              lines: [
                `OK: ${result.journalLines} journal lines chained, ${result.evidenceFiles} evidence files intact (${dir}).`,
              ],
            },
          ]
        : [
            { kind: 'text', lines: [`FAILED: ${first!.where}: ${first!.what}`] },
            {
              kind: 'table',
              title: 'All problems',
              columns: ['WHERE', 'PROBLEM'],
              rows: result.problems.map((p) => [p.where, p.what]),
            },
          ],
    };
  },
});
