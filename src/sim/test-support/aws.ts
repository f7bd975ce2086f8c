import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSim } from '../index.js';

/** Credentials for a client of the simulated account. */
export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** Client config for the JS SDK against the simulator (no retries unless asked). */
export function sdkConfig(sim: RunningSim, creds: Creds, region = 'us-east-1', maxAttempts = 1) {
  return { region, endpoint: sim.endpoint, credentials: creds, maxAttempts };
}

let home: string | undefined;

/** A throw-away HOME with an empty AWS config, so the CLI never reads the developer's profile. */
function cliHome(): string {
  if (!home) {
    home = mkdtempSync(join(tmpdir(), 'tq-awscli-'));
    writeFileSync(join(home, 'config'), '[default]\n');
  }
  return home;
}

/** Result of one `aws` run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cliEnv(sim: RunningSim, creds: Creds, region: string): NodeJS.ProcessEnv {
  const h = cliHome();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: h,
    AWS_CONFIG_FILE: join(h, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(h, 'credentials'),
    AWS_ENDPOINT_URL: sim.endpoint,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_REGION: region,
    AWS_PAGER: '',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  if (creds.sessionToken) env.AWS_SESSION_TOKEN = creds.sessionToken;
  return env;
}

/**
 * Run a bash script (for pipes such as `aws … | base64 -d`) with the CLI environment; `$AWS` is
 * `/usr/bin/aws --endpoint-url <sim>`.
 */
export function runShell(
  sim: RunningSim,
  creds: Creds,
  script: string,
  region = 'us-east-1',
): Promise<CliResult> {
  const env = { ...cliEnv(sim, creds, region), AWS: `/usr/bin/aws --endpoint-url ${sim.endpoint}` };
  return new Promise((resolve) => {
    execFile(
      '/bin/bash',
      ['-o', 'pipefail', '-c', script],
      { env, cwd: cliHome(), maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Run `/usr/bin/aws` against the simulator with the given credentials. The Debian CLI here
 * (2.9.x) predates `AWS_ENDPOINT_URL` support (2.13), so `--endpoint-url` is passed as well.
 */
export function runAws(
  sim: RunningSim,
  creds: Creds,
  args: string[],
  region = 'us-east-1',
): Promise<CliResult> {
  const env = cliEnv(sim, creds, region);
  const h = cliHome();
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/aws',
      [...args, '--endpoint-url', sim.endpoint],
      { env, cwd: h },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
