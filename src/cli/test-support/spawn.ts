import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The command line that runs the real CLI from the sources in a child process (through tsx, as
 * `bin/tourniquet.js` runs the build), from any working folder: `{command, args}`, to which the
 * CLI's own arguments are appended.
 */
export function cliCommand(): { command: string; args: string[] } {
  const entry =
    `const { main } = await import(${JSON.stringify(pathToFileURL(resolve('src/cli/main.ts')).href)});` +
    'process.exitCode = await main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() });';
  // tsx by absolute URL: `--import tsx` would be looked for from the child's working folder.
  const tsx = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
  return { command: process.execPath, args: ['--import', tsx, '--input-type=module', '-e', entry] };
}
