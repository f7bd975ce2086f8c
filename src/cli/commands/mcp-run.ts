import { ratesFromEnv } from '../../aws/ratelimit.js';
import type { Readable, Writable } from 'node:stream';
import { ClientPool } from '../../aws/pool.js';
import { defaultCasesRoot } from '../../case/list.js';
import { UsageError } from '../../errors.js';
import { serveMcp } from '../../mcp/server.js';
import type { Outcome, RunEnv } from '../spec.js';
import type { McpInput } from './mcp.js';

/** Run `tourniquet mcp`: serve until the client closes standard input. */
export async function runMcp(_input: McpInput, env: RunEnv): Promise<Outcome> {
  if (env.globals.json)
    throw new UsageError(
      '--json: `tourniquet mcp` already speaks JSON-RPC on standard output.',
      'Drop --json.',
    );
  const { stdin, stdout } = env.stdio;
  if (!stdin || !('once' in stdout))
    throw new UsageError('`tourniquet mcp` needs standard input and output (an MCP client starts it).');
  // stdout carries the protocol alone: anything a library prints there would corrupt it.
  const restore = { log: console.log, info: console.info, debug: console.debug };
  console.log = console.info = console.debug = console.error;
  let pool: ClientPool | undefined;
  try {
    await serveMcp(
      {
        cwd: env.cwd,
        casesRoot: defaultCasesRoot(env.env, env.cwd),
        clock: env.clock,
        log: env.log,
        async aws() {
          pool ??= await ClientPool.create(
            {
              profile: env.globals.profile,
              region: env.globals.region,
              endpointUrl: env.globals['endpoint-url'],
              readOnly: true,
              ...ratesFromEnv(env.env),
            },
            env.clock,
          );
          return pool;
        },
      },
      stdin as Readable,
      stdout as unknown as Writable,
    );
  } finally {
    Object.assign(console, restore);
    pool?.destroy();
  }
  return { json: null, blocks: [] };
}
