/**
 * The package as a user gets it: `npm pack`, then, in clean folders, a global install without dev
 * dependencies, `tourniquet --version`, `npx` from the tarball, `tourniquet demo`, a `hunt` and an
 * `mcp` session on what the demo left. Also checks
 * what the tarball holds and that the built code imports nothing but its dependencies and Node's
 * own modules. Run by CI (`.ci/run`) and by `npm run test:package`.
 *
 * CI's time is short: the build `npm ci` made is packed as it is (`--ignore-scripts`, after
 * checking it matches the sources, instead of a second build), and `npx` runs while the demo does.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MCP_TOOL_NAMES } from '../src/cli/commands/mcp.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** What must be in the tarball, and what must not (paths inside it, under `package/`). */
const MUST_HOLD = [
  'package.json',
  'README.md',
  'LICENSE',
  'bin/tourniquet.js',
  'dist/cli/main.js',
  'dist/mcp/server.js',
  'dist/sim/scenarios/index.js',
  'data/ec2-prices.json',
  'data/ec2-extra-prices.json',
];
const MUST_NOT = [
  /^src\//,
  /\.test\.js$/,
  /\.fixture\.js$/,
  /test-support/,
  /^\.ci\//,
  /^cases\//,
  /^node_modules\//,
  /^scripts\//,
];

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; okCodes?: number[] },
): Promise<{ stdout: string; stderr: string; seconds: number }> {
  const t0 = Date.now();
  try {
    const { stdout, stderr } = await exec(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      maxBuffer: 64 << 20,
    });
    return { stdout, stderr, seconds: (Date.now() - t0) / 1000 };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (e.code === undefined || !options.okCodes?.includes(e.code)) throw error;
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', seconds: (Date.now() - t0) / 1000 };
  }
}

/** The package a bare import specifier belongs to (`@aws-sdk/client-iam/x` → `@aws-sdk/client-iam`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Every bare module specifier imported (statically or dynamically) by the built code. */
function importsOf(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) {
        const text = readFileSync(path, 'utf8');
        // `import … from 'x'`, `export … from 'x'`, `import 'x'` at a statement's start, and `import('x')`.
        const statements = /(?:^|[;\n])\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?(['"])([^'"\n]+)\1/g;
        const dynamic = /\bimport\(\s*(['"])([^'"\n]+)\1\s*\)/g;
        for (const m of [...text.matchAll(statements), ...text.matchAll(dynamic)]) {
          const spec = m[2]!;
          if (!spec.startsWith('.') && !spec.startsWith('/') && !found.has(spec)) found.set(spec, path);
        }
      }
    }
  };
  walk(dir);
  return found;
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

/**
 * Why dist/ is not the build of src/ (null when it is): a source newer than its output or without
 * one, or an output whose source is gone. `npm pack` alone would clean and build again (prepack).
 */
function staleBuild(): string | null {
  const src = join(ROOT, 'src');
  const dist = join(ROOT, 'dist');
  if (!existsSync(dist)) return 'there is no dist/';
  const built = (f: string) => !/\.(test|fixture)\.ts$|(^|\/)test-support\//.test(f) && /\.ts$/.test(f);
  const sources = new Set(
    filesUnder(src)
      .filter(built)
      .map((f) => f.replace(/\.ts$/, '.js')),
  );
  for (const js of sources) {
    const out = join(dist, js);
    if (!existsSync(out)) return `dist/${js} is missing`;
    if (statSync(out).mtimeMs < statSync(join(src, js.replace(/\.js$/, '.ts'))).mtimeMs)
      return `dist/${js} is older than its source`;
  }
  const orphan = filesUnder(dist).find((f) => f.endsWith('.js') && !sources.has(f));
  return orphan ? `dist/${orphan} has no source` : null;
}

const work = mkdtempSync(join(tmpdir(), 'tq-package-'));
const started = Date.now();
try {
  // 1. Pack the build as it is (prepack would clean and build it a second time).
  const stale = staleBuild();
  if (stale) throw new Error(`${stale}: run \`npm run build\` (or \`npm pack\`, which builds) first.`);
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: ROOT,
  });
  const [info] = JSON.parse(packed.stdout) as { filename: string; size: number; files: { path: string }[] }[];
  const tarball = join(work, info!.filename);
  const files = info!.files.map((f) => f.path);
  console.log(
    `npm pack: ${info!.filename}, ${files.length} files, ${(info!.size / 1024).toFixed(0)} KiB (${packed.seconds.toFixed(1)} s)`,
  );
  for (const f of MUST_HOLD) check(files.includes(f), `the tarball holds ${f}`);
  const stray = files.filter((f) => MUST_NOT.some((re) => re.test(f)));
  check(
    stray.length === 0,
    `the tarball holds no sources, tests or local folders${stray.length ? `: ${stray.slice(0, 5).join(', ')}` : ''}`,
  );

  // 2. The built code imports only runtime dependencies and Node's modules.
  const builtins = new Set(builtinModules);
  const foreign = [...importsOf(join(ROOT, 'dist'))].filter(([spec]) => {
    const name = packageOf(spec);
    return !spec.startsWith('node:') && !builtins.has(name) && !(name in pkg.dependencies);
  });
  check(
    foreign.length === 0,
    `dist/ imports only dependencies and node: modules${foreign.length ? `: ${foreign.map(([s, f]) => `${s} (${f})`).join(', ')}` : ''}`,
  );

  // 3. A global install into a clean prefix: no dev dependency comes with it.
  const prefix = join(work, 'global');
  const installed = await run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
    ],
    { cwd: work },
  );
  console.log(`npm install -g ${info!.filename}: ${installed.seconds.toFixed(1)} s`);
  // A dev dependency the runtime tree also needs (e.g. @smithy/signature-v4, under the AWS SDK) is
  // rightly installed; only the ones nothing at run time needs must be absent.
  const runtime = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT });
  const needed = new Set(runtime.stdout.split('\n').map((p) => p.split('node_modules/').at(-1)));
  const modules = join(prefix, 'lib', 'node_modules', pkg.name, 'node_modules');
  const devInstalled = Object.keys(pkg.devDependencies).filter(
    (d) => !needed.has(d) && existsSync(join(modules, d)),
  );
  check(
    devInstalled.length === 0,
    `no dev dependency installed${devInstalled.length ? `: ${devInstalled.join(', ')}` : ''}`,
  );
  const bin = join(prefix, 'bin', 'tourniquet');
  const clean = join(work, 'clean');
  mkdirSync(clean);
  const env = {
    ...process.env,
    PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
    TOURNIQUET_CASES: join(clean, 'cases'),
  };
  const version = await run('tourniquet', ['--version'], { cwd: clean, env });
  check(
    version.stdout.trim() === pkg.version,
    `tourniquet --version prints ${pkg.version} (got ${version.stdout.trim()})`,
  );

  // 4. npx from the tarball, in an empty folder, while 5. the demo runs from the installed package
  // (simulated account, scenario, whole playbook, report): most of the demo is waiting on
  // LookupEvents' pace, not the CPU.
  const [npx, demo] = await Promise.all([
    run('npx', ['--yes', '--prefer-offline', `--package=${tarball}`, 'tourniquet', '--version'], {
      cwd: clean,
    }),
    run(bin, ['demo', '--out', join(clean, 'demo-case')], { cwd: clean, env }),
  ]);
  check(
    npx.stdout.trim() === pkg.version,
    `npx --package=${info!.filename} tourniquet --version prints ${pkg.version} (${npx.seconds.toFixed(1)} s)`,
  );
  check(
    existsSync(join(clean, 'demo-case', 'report.html')),
    `tourniquet demo wrote the case and its report (${demo.seconds.toFixed(1)} s)`,
  );
  check(/Contained\s+yes/.test(demo.stdout), 'tourniquet demo contained the leaked credential');

  // 6. An offline hunt (its worker threads load from dist/) over the pages the demo collected.
  const truth = JSON.parse(readFileSync(join(clean, 'demo-case', 'sim-truth.json'), 'utf8')) as {
    leakedAccessKeyId: string;
  };
  // Exit 3 (something could not be read) still prints the summary.
  const hunt = await run(
    bin,
    ['hunt', join('demo-case', 'evidence'), '--key', truth.leakedAccessKeyId, '--json'],
    {
      cwd: clean,
      env,
      okCodes: [3],
    },
  );
  check(
    (JSON.parse(hunt.stdout) as { records: number }).records > 0,
    'tourniquet hunt --key reads the collected CloudTrail',
  );

  // 7. The MCP server answers an initialize and a tool list over stdio.
  const session = [
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'package-test', version: '1' },
      },
    },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  ];
  const mcp = await new Promise<string>((done, fail) => {
    const child = execFile(bin, ['mcp'], { cwd: clean, env, timeout: 30_000 }, (error, stdout) =>
      error ? fail(new Error(`tourniquet mcp: ${error.message}`)) : done(stdout),
    );
    child.stdin!.write(session.map((m) => JSON.stringify(m)).join('\n') + '\n');
    // The client ends the session by closing the server's standard input, once the list came.
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('"id":2')) child.stdin!.end();
    });
  });
  const answers = mcp
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: number; result?: { tools?: unknown[] } });
  check(
    answers.find((a) => a.id === 2)?.result?.tools?.length === MCP_TOOL_NAMES.length,
    `tourniquet mcp answers over stdio with its ${MCP_TOOL_NAMES.length} tools, and nothing else on stdout`,
  );
} catch (error) {
  const e = error as { message?: string; stderr?: string };
  failures.push(e.message ?? String(error));
  console.log(`FAIL ${e.message ?? String(error)}\n${e.stderr ?? ''}`);
} finally {
  if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
}
console.log(
  `${failures.length ? `${failures.length} check(s) failed` : 'package ok'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = failures.length ? 1 : 0;
