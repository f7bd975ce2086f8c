import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What the CLI loads, seen from outside: each case runs `main` in a fresh `node` (through tsx,
 * from the sources) with a module hook that records every resolved module. Start-up time is part
 * of every command's time (issue 4: `hunt --key` against plain `zcat`), and the AWS SDK, DuckDB
 * and the simulator each take a good part of a second to load.
 */

const run = promisify(execFile);
const MAIN = resolve('src/cli/main.ts');

// Module hooks run on their own thread in Node 20; appending to a file is the simplest channel.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context);
  appendFileSync(process.env.TQ_IMPORTS_LOG, found.url + '\\n');
  return found;
}
`;

/** A command that calls `env.aws()` only when asked, to see when the client pool is loaded. */
const PROBE = `{
  name: 'probe', summary: 'probe', args: [], options: {}, examples: [],
  load: async () => async (_input, env) => {
    if (process.env.TQ_PROBE_AWS) await env.aws();
    return { json: null, blocks: [] };
  },
}`;

let dir: string;
let register: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tq-lazy-'));
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
  register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  // One CloudTrail delivery file, so `hunt` runs end to end.
  writeFileSync(
    join(dir, 'trail.json'),
    JSON.stringify({
      Records: [
        {
          eventVersion: '1.08',
          eventTime: '2024-05-01T10:00:00Z',
          eventSource: 'sts.amazonaws.com',
          eventName: 'GetCallerIdentity',
          awsRegion: 'us-east-1',
          sourceIPAddress: '203.0.113.7',
          userAgent: 'aws-cli/2.15.0',
          eventID: '00000000-0000-4000-8000-000000000001',
          eventType: 'AwsApiCall',
          recipientAccountId: '111122223333',
          userIdentity: {
            type: 'IAMUser',
            principalId: 'AIDAEXAMPLE',
            arn: 'arn:aws:iam::111122223333:user/alice',
            accountId: '111122223333',
            accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
            userName: 'alice',
          },
        },
      ],
    }),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;

/** Run the CLI with these arguments (and, optionally, extra commands); return what it loaded. */
async function loaded(
  argv: string[],
  { probe = false, env = {} }: { probe?: boolean; env?: Record<string, string> } = {},
): Promise<string[]> {
  const log = join(dir, `imports-${++seq}.log`);
  writeFileSync(log, '');
  const script =
    `const { main } = await import(${JSON.stringify(MAIN)});\n` +
    `const { COMMANDS } = await import(${JSON.stringify(resolve('src/cli/commands/index.ts'))});\n` +
    `const commands = ${probe ? `[...COMMANDS, ${PROBE}]` : 'COMMANDS'};\n` +
    `process.exitCode = await main(process.argv.slice(1), { stdout: { write: () => true }, ` +
    `stderr: process.stderr, env: process.env, cwd: process.cwd() }, commands);`;
  // A usage error exits 2; what was loaded is what counts here.
  await run(
    process.execPath,
    ['--import', 'tsx', '--import', register, '--input-type=module', '-e', script, '--', ...argv],
    {
      env: {
        ...process.env,
        ...env,
        TQ_IMPORTS_LOG: log,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    },
  ).catch((error: { code?: unknown }) => {
    if (typeof error.code !== 'number') throw error;
  });
  return [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
}

/** The modules of a list that match a pattern, by path inside the project. */
function matching(modules: string[], pattern: RegExp): string[] {
  const root = pathToFileURL(resolve('.')).href + '/';
  return modules.map((m) => m.replace(root, '')).filter((m) => pattern.test(m));
}

/** No package, no command implementation, nothing outside src/cli but the few top-level helpers. */
const NOT_FOR_HELP =
  /node_modules\/|^src\/(?!cli\/|clock\.ts$|errors\.ts$|untrusted\.ts$|version\.ts$)|-run\.ts$/;

describe('what the CLI loads', () => {
  it.each(['--help', '--version', 'hunt --help', 'demo --help', 'contain --help', 'case', 'nope'])(
    '`tourniquet %s` loads no package and no command implementation',
    async (args) => {
      const modules = await loaded(args.split(' '));
      // The log really records the CLI's own modules (so an empty match below means something).
      expect(matching(modules, /^src\/cli\/commands\/hunt\.ts$/)).toHaveLength(1);
      expect(matching(modules, NOT_FOR_HELP)).toEqual([]);
    },
    30_000,
  );

  it('`tourniquet hunt FILE` loads DuckDB but not the AWS SDK, the simulator, the report, the playbook or the Sigma compiler', async () => {
    const modules = await loaded([
      'hunt',
      join(dir, 'trail.json'),
      '--key',
      'AKIAIOSFODNN7EXAMPLE',
      '--json',
    ]);
    expect(matching(modules, /^src\/cli\/commands\/hunt-run\.ts$/)).toHaveLength(1);
    expect(matching(modules, /node_modules\/@duckdb\//).length).toBeGreaterThan(0);
    expect(
      matching(
        modules,
        /node_modules\/(@aws-sdk|@smithy|yaml)\/|^src\/(sim|report|playbook|aws|actions|triage)\/|^src\/detect\/sigma\/(load|compile)\.ts$|commands\/(?!hunt-run)[\w-]+-run\.ts$/,
      ),
    ).toEqual([]);
  }, 60_000);

  it('imports the AWS client pool only when a command calls env.aws()', async () => {
    const pool = /^src\/aws\/pool\.ts$|node_modules\/@aws-sdk\//;
    const without = await loaded(['probe', '--region', 'us-east-1'], { probe: true });
    expect(matching(without, /^src\/cli\/main\.ts$/)).toHaveLength(1);
    expect(matching(without, pool)).toEqual([]);
    const withAws = await loaded(['probe', '--region', 'us-east-1'], {
      probe: true,
      env: { TQ_PROBE_AWS: '1' },
    });
    expect(matching(withAws, /^src\/aws\/pool\.ts$/)).toHaveLength(1);
  }, 60_000);
});
