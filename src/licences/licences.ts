import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Permissive or weak-copyleft licences the FSF lists as GPL-3.0-compatible (MPL-2.0 through its
 * secondary-licence clause), hence compatible with AGPL-3.0-or-later.
 */
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

/** An SPDX expression is fine when one alternative of an OR, or every part of an AND, is. */
export function licenceOk(expr: string): boolean {
  const e = expr.replace(/[()]/g, '').trim();
  if (/ OR /.test(e)) return e.split(/ OR /).some(licenceOk);
  if (/ AND /.test(e)) return e.split(/ AND /).every(licenceOk);
  return COMPATIBLE.has(e);
}

interface Node {
  path?: string;
  dependencies?: Record<string, Node>;
}

function walk(node: Node, out: Set<string>): void {
  for (const child of Object.values(node.dependencies ?? {})) {
    if (!child.path || out.has(child.path)) continue;
    out.add(child.path);
    walk(child, out);
  }
}

/** Each licence of the installed production tree under `root`, with its packages (`name@version`). */
export function runtimeLicences(root: string): Map<string, string[]> {
  const tree = JSON.parse(
    execFileSync('npm', ['ls', '--omit=dev', '--all', '--json', '--long'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    }),
  ) as Node;
  const paths = new Set<string>();
  walk(tree, paths);
  const byLicence = new Map<string, string[]>();
  for (const path of paths) {
    const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string | { type?: string };
    };
    const licence = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
    byLicence.set(licence, [...(byLicence.get(licence) ?? []), `${pkg.name}@${pkg.version}`]);
  }
  return byLicence;
}
