import { parseArgs } from 'node:util';
import { GLOBAL_OPTIONS, type CommandSpec, type GlobalValues, type OptionTable } from './spec.js';

/** The result of reading argv: what to do, decided without side effects. */
export type Parsed =
  | {
      kind: 'run';
      command: CommandSpec;
      globals: GlobalValues;
      options: Record<string, unknown>;
      args: string[];
    }
  | { kind: 'help'; topic: string[]; globals: GlobalValues }
  | { kind: 'version'; globals: GlobalValues }
  | { kind: 'usage-error'; message: string; topic: string[]; globals: GlobalValues };

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function toParseArgs(table: OptionTable): ParseArgsOptions {
  const out: ParseArgsOptions = {};
  for (const [name, spec] of Object.entries(table)) {
    out[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  return out;
}

/** Every option of every command plus the globals, to find the command words in a first pass. */
function unionOptions(commands: CommandSpec[]): OptionTable {
  const all: OptionTable = { ...GLOBAL_OPTIONS };
  for (const c of commands) Object.assign(all, c.options);
  return all;
}

/**
 * Parse argv (without `node` and the script) against the command table. Pure: no I/O, no exit.
 * Command words are the leading positionals that name a command (`case verify`).
 */
export function parseArgv(argv: string[], commands: CommandSpec[]): Parsed {
  let loose: { values: Record<string, unknown>; positionals: string[] };
  try {
    loose = parseArgs({
      args: argv,
      options: toParseArgs(unionOptions(commands)),
      strict: false,
      allowPositionals: true,
    });
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message, topic: [], globals: {} };
  }
  const looseGlobals = pickGlobals(loose.values);
  const words = loose.positionals;

  // Longest command name that the leading words spell.
  let command: CommandSpec | undefined;
  for (const c of commands) {
    const parts = c.name.split(' ');
    if (parts.every((p, i) => words[i] === p) && (!command || parts.length > command.name.split(' ').length))
      command = c;
  }

  if (!command) {
    if (looseGlobals.version && words.length === 0) return { kind: 'version', globals: looseGlobals };
    const group =
      words.length > 0 && commands.some((c) => c.name.startsWith(`${words[0]} `)) ? [words[0]!] : [];
    if (looseGlobals.help || words.length === 0 || (group.length === 1 && words.length === 1)) {
      return { kind: 'help', topic: group, globals: looseGlobals };
    }
    const suggestion = group.length ? `tourniquet ${group[0]} --help` : 'tourniquet --help';
    return {
      kind: 'usage-error',
      message: `unknown command: ${words.slice(0, 2).join(' ')}. See \`${suggestion}\`.`,
      topic: group,
      globals: looseGlobals,
    };
  }

  const topic = command.name.split(' ');
  let strict: { values: Record<string, unknown>; positionals: string[] };
  try {
    strict = parseArgs({
      args: argv,
      options: toParseArgs({ ...GLOBAL_OPTIONS, ...command.options }),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'invalid arguments';
    return { kind: 'usage-error', message, topic, globals: looseGlobals };
  }
  const globals = pickGlobals(strict.values);
  if (globals.help) return { kind: 'help', topic, globals };

  const args = strict.positionals.slice(topic.length);
  const required = command.args.filter((a) => a.required).length;
  const variadic = command.args.some((a) => a.variadic);
  if (args.length < required) {
    const missing = command.args.filter((a) => a.required)[args.length]?.name ?? 'argument';
    return { kind: 'usage-error', message: `missing ${missing}`, topic, globals };
  }
  if (!variadic && args.length > command.args.length) {
    return {
      kind: 'usage-error',
      message: `unexpected argument: ${args[command.args.length]!}`,
      topic,
      globals,
    };
  }
  const options: Record<string, unknown> = {};
  for (const name of Object.keys(command.options))
    if (strict.values[name] !== undefined) options[name] = strict.values[name];
  return { kind: 'run', command, globals, options, args };
}

function pickGlobals(values: Record<string, unknown>): GlobalValues {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(GLOBAL_OPTIONS)) {
    const v = values[name];
    if (v === undefined) continue;
    if (spec.type === 'boolean' ? typeof v === 'boolean' : typeof v === 'string') out[name] = v;
  }
  return out;
}
