import { readCaseFile } from '../../case/case.js';
import { defaultCasesRoot, listCases } from '../../case/list.js';
import { readJournal } from '../../case/journal.js';
import { PHASES } from '../../case/schema.js';
import { verifyCase } from '../../case/verify.js';
import { JOURNAL_FILE } from '../../case/case.js';
import { UsageError } from '../../errors.js';
import { resolveCaseDir } from '../case-dir.js';
import { join, resolve } from 'node:path';
import type { Outcome, RunEnv } from '../spec.js';
import type { CaseListInput, CaseShowInput, CaseVerifyInput } from './case.js';

/** Run `tourniquet case list`. */
export function runCaseList({ options }: CaseListInput, env: RunEnv): Promise<Outcome> {
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
}

/** Run `tourniquet case show`. */
export function runCaseShow(_input: CaseShowInput, env: RunEnv): Promise<Outcome> {
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
}

/** Run `tourniquet case verify`. */
export async function runCaseVerify({ options }: CaseVerifyInput, env: RunEnv): Promise<Outcome> {
  const head = options.head?.trim().toLowerCase();
  if (head !== undefined && !/^[0-9a-f]{64}$/.test(head))
    throw new UsageError(
      `--head ${JSON.stringify(options.head)} is not a journal head hash (64 hexadecimal digits).`,
      'Copy the whole hash from the "Journal head" line a command printed.',
    );
  const dir = resolveCaseDir(env);
  const result = await verifyCase(dir, head === undefined ? {} : { head });
  const anchored = result.anchor
    ? ` The kept head is line ${result.anchor.line} (${result.anchor.after} lines appended since).`
    : '';
  const first = result.problems[0];
  return {
    exitCode: result.ok ? 0 : 1,
    json: { dir, ...result },
    blocks: result.ok
      ? [
          {
            kind: 'text',
            lines: [
              `OK: ${result.journalLines} journal lines chained, ${result.evidenceFiles} evidence files intact (${dir}).${anchored}`,
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
}
