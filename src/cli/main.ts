import { createInterface } from 'node:readline/promises';
import type { ClientPool } from '../aws/pool.js';
import { systemClock, type Clock } from '../clock.js';
import { InternalError, UserError, messageOf } from '../errors.js';
import { forTerminal } from '../untrusted.js';
import { VERSION } from '../version.js';
import { parseArgv } from './args.js';
import { COMMANDS } from './commands/index.js';
import { helpText } from './help.js';
import { renderBlocks, stylerFor, type Stream } from './output.js';
import { stderrLogger, terminalProgress } from './progress.js';
import type { CommandSpec, RunEnv } from './spec.js';
import { journalHeadLine } from './journal-head.js';
import { checkGlobals, checkOptions } from './validate.js';

/** Process exit codes (DESIGN.md §4). */
export const EXIT = { ok: 0, failure: 1, usage: 2, partial: 3, alerts: 4 } as const;

export interface Io {
  stdout: Stream;
  stderr: Stream;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  clock?: Clock;
}

/**
 * What the tool creates (case folders, evidence, the event store, reports) is readable by its
 * owner only: a case holds account details and the attacker's trail. DuckDB's files included, which
 * no mode option reaches.
 */
function ownerOnly(): void {
  try {
    const previous = process.umask(0o077);
    process.umask(previous | 0o077);
  } catch {
    // Worker threads cannot change the umask; case folders are still made 0700.
  }
}

/** Run the CLI: parse, run one command, print. Returns the exit code; never exits the process. */
export async function main(argv: string[], io: Io, commands: CommandSpec[] = COMMANDS): Promise<number> {
  const parsed = parseArgv(argv, commands);
  const noColor = Boolean(parsed.globals['no-color']) || (io.env.NO_COLOR ?? '') !== '';
  const errStyle = stylerFor(io.stderr, noColor);

  switch (parsed.kind) {
    case 'version':
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    case 'help':
      io.stdout.write(helpText(parsed.topic, commands));
      return EXIT.ok;
    case 'usage-error':
      io.stderr.write(`${errStyle.red('error:')} ${forTerminal(parsed.message)}\n`);
      io.stderr.write(
        `Run \`tourniquet ${parsed.topic.length ? `${parsed.topic.join(' ')} ` : ''}--help\` for usage.\n`,
      );
      return EXIT.usage;
    case 'run':
      break;
  }

  const { command, globals } = parsed;
  ownerOnly();
  const json = Boolean(globals.json);
  const quiet = Boolean(globals.quiet);
  const clock = io.clock ?? systemClock;
  const log = stderrLogger(io.stderr, errStyle, { quiet, debug: Boolean(io.env.TOURNIQUET_DEBUG) });
  let pool: ClientPool | undefined;
  const env: RunEnv = {
    globals,
    env: io.env,
    cwd: io.cwd,
    clock,
    log,
    progress: terminalProgress(io.stderr, !json && !quiet),
    stdio: { stdin: io.stdin, stdout: io.stdout },
    async aws() {
      if (!pool) {
        // Imported on first use: the AWS SDK takes longer to load than `hunt` takes to run.
        const { ClientPool } = await import('../aws/pool.js');
        const { ratesFromEnv } = await import('../aws/ratelimit.js');
        pool = await ClientPool.create(
          {
            profile: globals.profile,
            region: globals.region,
            endpointUrl: globals['endpoint-url'],
            ...ratesFromEnv(io.env),
          },
          clock,
        );
      }
      return pool;
    },
    async confirm(question) {
      if (!io.stdin?.isTTY || !io.stderr.isTTY) return false;
      const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };

  // Only cases this command writes to get their journal head printed.
  const { takeWrittenCases } = await import('../case/written.js');
  takeWrittenCases();
  try {
    checkGlobals(globals, io.cwd);
    checkOptions(parsed.options);
    const run = await command.load();
    const outcome = await run({ options: parsed.options as never, args: parsed.args }, env);
    if (json) io.stdout.write(JSON.stringify(outcome.json, null, 2) + '\n');
    // A command with nothing to show prints nothing (`mcp` has spoken on stdout itself).
    else if (outcome.blocks.length)
      io.stdout.write(renderBlocks(outcome.blocks, stylerFor(io.stdout, noColor)));
    if (!quiet) for (const dir of takeWrittenCases()) io.stderr.write(`${journalHeadLine(dir)}\n`);
    return outcome.exitCode ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr.write(`${errStyle.red('error:')} ${forTerminal(error.message)}\n`);
      if (error.hint) io.stderr.write(`  ${forTerminal(error.hint)}\n`);
      return error.exitCode;
    }
    const kind = error instanceof InternalError ? 'internal error' : 'unexpected error';
    io.stderr.write(`${errStyle.red(`${kind}:`)} ${forTerminal(messageOf(error))}\n`);
    io.stderr.write('  This is a bug in Tourniquet; please report it with the command you ran.\n');
    if (io.env.TOURNIQUET_DEBUG && error instanceof Error && error.stack)
      io.stderr.write(forTerminal(error.stack) + '\n');
    return EXIT.failure;
  } finally {
    pool?.destroy();
  }
}
