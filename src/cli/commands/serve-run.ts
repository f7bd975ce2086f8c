import { resolve } from 'node:path';
import { defaultCasesRoot } from '../../case/list.js';
import { UsageError } from '../../errors.js';
import { LOOPBACK, startDashboard } from '../../serve/server.js';
import type { Outcome, RunEnv } from '../spec.js';
import type { ServeInput } from './serve.js';

function portOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(
      `--port ${text}: not a port number.`,
      'Give a number from 1 to 65535, or leave it out.',
    );
  return port;
}

/** Run `tourniquet serve` until Ctrl+C (or SIGTERM). */
export async function runServe({ options }: ServeInput, env: RunEnv): Promise<Outcome> {
  if (env.globals.case && options.cases)
    throw new UsageError(
      '--case and --cases: give one.',
      '--case DIR serves one case, --cases DIR every case under DIR.',
    );
  const source = env.globals.case
    ? { case: resolve(env.cwd, env.globals.case) }
    : { cases: options.cases ? resolve(env.cwd, options.cases) : defaultCasesRoot(env.env, env.cwd) };
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.includes(host))
    env.log.warn(
      `--host ${host}: the dashboard is reachable from other machines; anyone with the URL (token included) can read the case.`,
    );
  const dashboard = await startDashboard({ source, clock: env.clock, host, port: portOf(options.port) });
  env.stdio.stdout.write(`${dashboard.url}\n`);
  env.log.info(
    'Read-only dashboard serving; open the URL above (its token is the only key). Ctrl+C stops it.',
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await dashboard.close();
  return { json: null, blocks: [] };
}
