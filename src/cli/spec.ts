import type { Clock } from '../clock.js';
import type { ClientPool } from '../aws/pool.js';
import type { Logger, Progress } from '../context.js';
import type { Stream } from './output.js';

/** One option, described once: parsing, help text and the typed values all come from this. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. `DIR`. */
  value?: string;
}

export type OptionTable = Record<string, OptionSpec>;

/** The values parsed for an option table. */
export type OptionValues<T extends OptionTable> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean'
    ? boolean
    : T[K]['multiple'] extends true
      ? string[]
      : string;
};

/** Options every command takes (DESIGN.md §4). */
export const GLOBAL_OPTIONS = {
  case: {
    type: 'string',
    value: 'DIR',
    description: 'case folder to use (default: the newest under ./cases)',
  },
  profile: { type: 'string', value: 'NAME', description: 'AWS profile for the responder credentials' },
  region: {
    type: 'string',
    value: 'REGION',
    description: 'default AWS region (else from the environment or profile)',
  },
  'endpoint-url': {
    type: 'string',
    value: 'URL',
    description: 'send AWS calls to this endpoint (e.g. the simulated account)',
  },
  json: { type: 'boolean', description: 'print one JSON document on stdout; logs go to stderr' },
  'no-color': { type: 'boolean', description: 'no colours in terminal output (also: NO_COLOR=1)' },
  quiet: { type: 'boolean', short: 'q', description: 'no progress or informational logs' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  version: { type: 'boolean', short: 'V', description: 'print the version' },
} as const satisfies OptionTable;

export type GlobalValues = OptionValues<typeof GLOBAL_OPTIONS>;

export interface ArgSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

/** A piece of human output; every string in it is escaped for the terminal when printed. */
export type Block =
  | { kind: 'text'; lines: string[] }
  | { kind: 'table'; title?: string; columns: string[]; rows: (string | number | null | undefined)[][] }
  | { kind: 'fields'; title?: string; fields: [string, string | number | null | undefined][] };

/** What a command returns: the data for --json and the blocks for a person. */
export interface Outcome {
  /** 4: `watch` raised alerts (DESIGN.md §4 lists the others). */
  exitCode?: 0 | 1 | 3 | 4;
  json: unknown;
  blocks: Block[];
}

/** What a command may use: everything is passed in, nothing is global. */
export interface RunEnv {
  globals: GlobalValues;
  env: NodeJS.ProcessEnv;
  cwd: string;
  clock: Clock;
  log: Logger;
  progress: Progress;
  /** The AWS client pool, built on first use from the global options. */
  aws(): Promise<ClientPool>;
  /** Ask the person a yes/no question (false when there is no terminal). */
  confirm(question: string): Promise<boolean>;
  /**
   * The standard streams, raw, for the commands that need them: a document read from `-`
   * (`respond --from -`) and a protocol spoken on stdio (`mcp`). Others return an Outcome.
   */
  stdio: { stdin?: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined; stdout: Stream };
}

/** What a command's implementation receives: its parsed options and positional arguments. */
export interface RunInput<T extends OptionTable = OptionTable> {
  options: OptionValues<T>;
  args: string[];
}

/** A command's implementation. (Method syntax keeps it bivariant, so any command fits `CommandSpec`.) */
export type Run<T extends OptionTable = OptionTable> = {
  run(input: RunInput<T>, env: RunEnv): Promise<Outcome>;
}['run'];

/**
 * A command, in two parts so that `tourniquet --help`, `tourniquet X --help` and a parse error load
 * no implementation, and running a command loads only its own (the start-up time is part of every
 * command's time, e.g. `hunt` against plain `zcat`):
 *
 * - `commands/x.ts` is the spec: words, texts, the argument and option tables, examples. It imports
 *   only `../spec.js` and types (`import type`). Text the help shows that comes from an
 *   implementation (scenario names, step names, report kinds) is written here, and a test checks it
 *   against the implementation's table (`commands/help-tables.test.ts`).
 * - `commands/x-run.ts` is the implementation: `export async function runX(input: XInput, env)`,
 *   where `XInput = RunInput<typeof options>` is exported (as a type) by the spec. The spec reaches
 *   it only through `load: async () => (await import('./x-run.js')).runX`, which `main` calls once
 *   the command has been chosen and its arguments parsed.
 *
 * `main` itself imports the AWS client pool only when a command calls `env.aws()`.
 * `lazy-load.test.ts` fails when help or `hunt` pulls in the AWS SDK, DuckDB, or the simulator.
 */
export interface CommandSpec<T extends OptionTable = OptionTable> {
  /** Words that select it, e.g. `case verify`. */
  name: string;
  summary: string;
  description?: string;
  args: ArgSpec[];
  options: T;
  examples: string[];
  /** Import the implementation (`await import('./x-run.js')`); called only to run the command. */
  load(): Promise<Run<T>>;
}

/** Declare a command with its option types checked against its table. */
export function defineCommand<T extends OptionTable>(spec: CommandSpec<T>): CommandSpec {
  return spec;
}
