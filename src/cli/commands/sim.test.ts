import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../main.js';

/** Start `tourniquet sim` from the sources in a child process (it runs until signalled). */
function startCli(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  exports: Promise<Record<string, string>>;
  done: Promise<{ code: number | null; out: string; err: string }>;
} {
  const entry =
    "const { main } = await import('./src/cli/main.ts');" +
    'process.exitCode = await main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', entry, 'sim', ...args],
    {
      cwd: process.cwd(),
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let out = '';
  let err = '';
  const exports = new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('alias aws=')) {
        resolve(Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!])));
      }
    });
    child.on('exit', () => reject(new Error(`sim exited early: ${err}`)));
  });
  // Tests that expect an early exit never await the exports.
  exports.catch(() => undefined);
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out, err })),
  );
  return { child, exports, done };
}

function clients(env: Record<string, string>) {
  const config = {
    region: env.AWS_REGION!,
    endpoint: env.AWS_ENDPOINT_URL!,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  };
  return { sts: new STSClient(config), iam: new IAMClient(config) };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tq-sim-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('tourniquet sim', () => {
  it('prints export lines for an admin responder, serves until SIGTERM, saves --state and resumes from it', async () => {
    const stateFile = join(dir, 'drill.json');
    const first = startCli(['--port', '0', '--state', stateFile, '--seed', '42']);
    const env = await first.exports;
    expect(env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(env.AWS_REGION).toBe('us-east-1');
    // AWS CLI v1 (python3 -m awscli) works with the printed lines alone: it needs AWS_DEFAULT_REGION.
    const cli = spawnSync(
      'python3',
      [
        '-m',
        'awscli',
        '--endpoint-url',
        env.AWS_ENDPOINT_URL!,
        'sts',
        'get-caller-identity',
        '--query',
        'Arn',
        '--output',
        'text',
      ],
      {
        // No profile files: only the printed lines may give the region.
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_CONFIG_FILE: join(dir, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
          ...env,
        },
        encoding: 'utf8',
      },
    );
    expect(cli.stderr).toBe('');
    expect(cli.stdout.trim()).toBe('arn:aws:iam::111122223333:user/security-responder');
    const { sts, iam } = clients(env);
    expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: '111122223333',
      Arn: 'arn:aws:iam::111122223333:user/security-responder',
    });
    await iam.send(new CreateUserCommand({ UserName: 'drill-victim' }));
    first.child.kill('SIGTERM');
    const ended = await first.done;
    expect(ended.code).toBe(0);
    expect(ended.out).toContain(`Stopped on SIGTERM. State saved to ${stateFile}.`);
    expect(existsSync(stateFile)).toBe(true);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ version: 1, seed: '42' });

    const second = startCli(['--port', '0', '--state', stateFile]);
    const again = await second.exports;
    expect(again.AWS_ACCESS_KEY_ID).toBe(env.AWS_ACCESS_KEY_ID);
    const users = await clients(again).iam.send(new ListUsersCommand({}));
    expect(users.Users!.map((u) => u.UserName)).toEqual(['security-responder', 'drill-victim']);
    expect(second.child.kill('SIGINT')).toBe(true);
    expect((await second.done).code).toBe(0);
    // Two CLI processes started from the sources and the AWS CLI v1: slow on a loaded machine.
  }, 150_000);

  it('refuses a bad --port and an unreadable --state with a one-line error, leaving the file alone', async () => {
    let err = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (err += t) },
      env: {},
      cwd: dir,
    };
    expect(await main(['sim', '--port', 'abc'], io)).toBe(2);
    expect(err).toContain("--port must be a number from 0 to 65535, not 'abc'");
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"not":"a state"}');
    err = '';
    expect(await main(['sim', '--state', 'garbage.json'], io)).toBe(1);
    expect(err).toContain(`could not start the simulated account: ${garbage} is not a simulator state file`);
    expect(readFileSync(garbage, 'utf8')).toBe('{"not":"a state"}');
    // A port already taken is named as such, not blamed on the state file.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    err = '';
    try {
      expect(await main(['sim', '--port', String(port), '--state', 'new.json'], io)).toBe(1);
    } finally {
      taken.close();
    }
    expect(err).toContain('EADDRINUSE');
    expect(err).toContain(`Port ${port} is taken: give another --port, or 0 for any free one.`);
    expect(err).not.toContain('is a state file');
  }, 120_000);
});
