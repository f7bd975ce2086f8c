import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestCreds } from './cli.js';

/**
 * Run `tourniquet ARGS` in a child process (the source through tsx) and SIGKILL it as soon as
 * the case journal holds a `step.applied` line of a plan whose id starts with `planPrefix`: a
 * crash between two steps, for real. Returns the journal as it was left.
 */
export async function killBetweenSteps(o: {
  args: string[];
  caseDir: string;
  endpoint: string;
  creds: TestCreds;
  home: string;
  planPrefix: string;
}): Promise<string> {
  const script = `const { main } = await import(${JSON.stringify(resolve('src/cli/main.ts'))});
    process.exitCode = await main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
      ...o.args,
      '--case',
      o.caseDir,
      '--endpoint-url',
      o.endpoint,
      '--region',
      'us-east-1',
    ],
    {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH,
        HOME: o.home,
        AWS_ACCESS_KEY_ID: o.creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: o.creds.secretAccessKey,
        AWS_CONFIG_FILE: join(o.home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(o.home, 'none'),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: 'ignore',
    },
  );
  const journal = join(o.caseDir, 'journal.jsonl');
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  const applied = () =>
    existsSync(journal) &&
    readFileSync(journal, 'utf8')
      .split('\n')
      .some((l) => l.includes('"step.applied"') && l.includes(`"planId":"${o.planPrefix}`));
  for (let i = 0; i < 2400 && !applied() && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 25));
  child.kill('SIGKILL');
  await exited;
  return existsSync(journal) ? readFileSync(journal, 'utf8') : '';
}
