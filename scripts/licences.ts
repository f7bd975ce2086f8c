/**
 * The licences of the runtime dependencies (the installed production tree), and whether each is
 * one AGPL-3.0-or-later may combine with. `tsx scripts/licences.ts` prints the counts; `--list`
 * every package. Exit 1 names a package whose licence is not on the list below.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Permissive or weak-copyleft licences the FSF lists as GPL-3.0-compatible (MPL-2.0 through its
// secondary-licence clause), hence compatible with AGPL-3.0-or-later.
const COMPATIBLE = new Set([
  'MIT',
  'MIT-0',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Unlicense',
  'MPL-2.0',
  'Python-2.0',
  'AGPL-3.0-or-later',
]);

interface Node {
  path?: string;
  dependencies?: Record<string, Node>;
}

function walk(node: Node, out: Map<string, string>): void {
  for (const [name, child] of Object.entries(node.dependencies ?? {})) {
    if (!child.path || out.has(child.path)) continue;
    out.set(child.path, name);
    walk(child, out);
  }
}

const tree = JSON.parse(
  execFileSync('npm', ['ls', '--omit=dev', '--all', '--json', '--long'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  }),
) as Node;
const paths = new Map<string, string>();
walk(tree, paths);
const byLicence = new Map<string, string[]>();
for (const [path] of paths) {
  const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string | { type?: string };
  };
  const licence = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
  byLicence.set(licence, [...(byLicence.get(licence) ?? []), `${pkg.name}@${pkg.version}`]);
}
/** An SPDX expression is fine when every alternative of an OR, or every part of an AND, is. */
const ok = (expr: string): boolean => {
  const e = expr.replace(/[()]/g, '').trim();
  if (/ OR /.test(e)) return e.split(/ OR /).some(ok);
  if (/ AND /.test(e)) return e.split(/ AND /).every(ok);
  return COMPATIBLE.has(e);
};
let bad = 0;
for (const [licence, pkgs] of [...byLicence].sort((a, b) => b[1].length - a[1].length)) {
  const fine = ok(licence);
  if (!fine) bad += pkgs.length;
  console.log(`${fine ? 'ok ' : 'NO '} ${licence.padEnd(28)} ${pkgs.length}`);
  if (process.argv.includes('--list') || !fine) for (const p of pkgs.sort()) console.log(`      ${p}`);
}
console.log(`${paths.size} runtime packages; ${bad} with a licence not known to be AGPL-3.0-compatible`);
process.exitCode = bad ? 1 : 0;
