import { VERSION } from '../version.js';
import { GLOBAL_OPTIONS, type CommandSpec, type OptionTable } from './spec.js';

function optionLines(table: OptionTable): string[] {
  const rows = Object.entries(table).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}${o.multiple ? '…' : ''}`;
    return [flag, o.description] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

function commandLines(commands: CommandSpec[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length));
  return commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
}

function usage(c: CommandSpec): string {
  const args = c.args.map((a) => {
    const name = `${a.name}${a.variadic ? '…' : ''}`;
    return a.required ? name : `[${name}]`;
  });
  return `tourniquet ${c.name}${Object.keys(c.options).length ? ' [options]' : ''}${args.length ? ` ${args.join(' ')}` : ''}`;
}

/** Help for the whole tool, a command group (`case`) or one command; generated from the tables. */
export function helpText(topic: string[], commands: CommandSpec[]): string {
  const exact = commands.find((c) => c.name === topic.join(' '));
  if (exact) {
    const lines = [`Usage: ${usage(exact)}`, '', exact.summary];
    if (exact.description) lines.push('', exact.description);
    if (exact.args.length) {
      const width = Math.max(...exact.args.map((a) => a.name.length));
      lines.push('', 'Arguments:', ...exact.args.map((a) => `  ${a.name.padEnd(width)}  ${a.description}`));
    }
    if (Object.keys(exact.options).length) lines.push('', 'Options:', ...optionLines(exact.options));
    lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
    if (exact.examples.length) lines.push('', 'Examples:', ...exact.examples.map((e) => `  ${e}`));
    return lines.join('\n') + '\n';
  }
  const group = topic.length ? commands.filter((c) => c.name.startsWith(`${topic[0]} `)) : [];
  if (group.length) {
    return (
      [
        `Usage: tourniquet ${topic[0]} <command> [options]`,
        '',
        'Commands:',
        ...commandLines(group),
        '',
        'Global options:',
        ...optionLines(GLOBAL_OPTIONS),
        '',
        `Run \`tourniquet ${topic[0]} <command> --help\` for a command's options.`,
      ].join('\n') + '\n'
    );
  }
  return (
    [
      `Tourniquet ${VERSION}: incident response for compromised AWS credentials.`,
      '',
      'Usage: tourniquet <command> [options]',
      '',
      'Commands:',
      ...commandLines(commands),
      '',
      'Global options:',
      ...optionLines(GLOBAL_OPTIONS),
      '',
      'Exit codes: 0 done, 1 failure, 2 usage error, 3 finished but something could not be checked.',
      "Run `tourniquet <command> --help` for a command's options.",
    ].join('\n') + '\n'
  );
}
