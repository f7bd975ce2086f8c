import { join } from 'node:path';
import { vi } from 'vitest';
import type { Clock } from '../clock.js';
import { main } from '../cli/main.js';

/** Credentials of one actor of a test. */
export interface TestCreds {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Run the CLI in-process against an endpoint as the given credentials (through the SDK's
 * default chain, as a person's shell would), with cases under `root/cases`; the tool's clock may
 * be a test's, and its LookupEvents pace the simulated account's limit when that is raised. Returns the exit code, stdout and stderr.
 */
export async function runCli(
  args: string[],
  o: {
    endpoint: string;
    creds: TestCreds;
    root: string;
    clock?: Clock;
    /** LookupEvents calls per second the tool keeps to (`TOURNIQUET_LOOKUP_RATE`): the account's limit. */
    lookupRate?: number;
  },
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.stubEnv('AWS_ACCESS_KEY_ID', o.creds.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', o.creds.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_CONFIG_FILE', join(o.root, 'none'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(o.root, 'none'));
  try {
    const code = await main([...args, '--endpoint-url', o.endpoint, '--region', 'us-east-1'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {
        ...process.env,
        TOURNIQUET_CASES: join(o.root, 'cases'),
        ...(o.lookupRate ? { TOURNIQUET_LOOKUP_RATE: String(o.lookupRate) } : {}),
      },
      cwd: o.root,
      ...(o.clock ? { clock: o.clock } : {}),
    });
    return { code, out, err };
  } finally {
    vi.unstubAllEnvs();
  }
}

/** Stderr without the journal head line a command that changed a case prints last. */
export function withoutJournalHead(stderr: string): string {
  return stderr.replace(/^Journal head: line \d+ sha256 [0-9a-f]{64} [^\n]*\n/m, '');
}
