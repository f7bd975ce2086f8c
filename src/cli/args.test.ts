import { describe, expect, it } from 'vitest';
import { parseArgv } from './args.js';
import { COMMANDS } from './commands/index.js';
import { defineCommand, type CommandSpec } from './spec.js';

const probe = defineCommand({
  name: 'probe',
  summary: 'test command',
  args: [{ name: 'SUBJECT', description: 'who', required: true }],
  options: {
    yes: { type: 'boolean', description: 'go' },
    source: { type: 'string', multiple: true, description: 's' },
  },
  examples: [],
  load: () => Promise.resolve(() => Promise.resolve({ json: null, blocks: [] })),
});
const commands: CommandSpec[] = [...COMMANDS, probe];

describe('parseArgv', () => {
  it('finds two-word commands and global options anywhere', () => {
    const p = parseArgv(['--json', 'case', 'verify', '--case', '/tmp/x'], commands);
    expect(p.kind).toBe('run');
    if (p.kind !== 'run') return;
    expect(p.command.name).toBe('case verify');
    expect(p.globals).toEqual({ json: true, case: '/tmp/x' });
  });

  it('parses command options, repeated options and positionals', () => {
    const p = parseArgv(
      ['probe', 'AKIAEXAMPLE', '--yes', '--source', 'a', '--source', 'b', '--region', 'eu-west-1'],
      commands,
    );
    expect(p).toMatchObject({
      kind: 'run',
      args: ['AKIAEXAMPLE'],
      options: { yes: true, source: ['a', 'b'] },
      globals: { region: 'eu-west-1' },
    });
  });

  it('reports a missing required argument as a usage error', () => {
    expect(parseArgv(['probe'], commands)).toMatchObject({ kind: 'usage-error', message: 'missing SUBJECT' });
  });

  it('rejects an option the command does not take', () => {
    const p = parseArgv(['case', 'list', '--yes'], commands);
    expect(p.kind).toBe('usage-error');
    if (p.kind === 'usage-error') expect(p.message).toMatch(/--yes/);
  });

  it('rejects unknown commands and extra arguments', () => {
    expect(parseArgv(['frobnicate'], commands)).toMatchObject({
      kind: 'usage-error',
      message: expect.stringMatching(/unknown command/) as unknown,
    });
    expect(parseArgv(['case', 'list', 'extra'], commands)).toMatchObject({ kind: 'usage-error' });
    expect(parseArgv(['case', 'nope'], commands)).toMatchObject({ kind: 'usage-error', topic: ['case'] });
  });

  it('asks for help with no command, with --help, and for a bare group', () => {
    expect(parseArgv([], commands)).toMatchObject({ kind: 'help', topic: [] });
    expect(parseArgv(['--help'], commands)).toMatchObject({ kind: 'help', topic: [] });
    expect(parseArgv(['case'], commands)).toMatchObject({ kind: 'help', topic: ['case'] });
    expect(parseArgv(['case', '--help'], commands)).toMatchObject({ kind: 'help', topic: ['case'] });
    expect(parseArgv(['case', 'verify', '-h'], commands)).toMatchObject({
      kind: 'help',
      topic: ['case', 'verify'],
    });
    expect(parseArgv(['--version'], commands)).toMatchObject({ kind: 'version' });
  });

  it('gives every option name one type across all commands', () => {
    const seen = new Map<string, string>();
    for (const c of commands) {
      for (const [name, spec] of Object.entries(c.options)) {
        const prior = seen.get(name);
        if (prior) expect(`${name}:${spec.type}`).toBe(`${name}:${prior}`);
        seen.set(name, spec.type);
      }
    }
  });
});
