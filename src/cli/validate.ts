import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { GlobalValues } from './spec.js';

// us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1: checked by shape, not
// by a list, so a region AWS opens tomorrow still works.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Refuse a value that is not shaped like an AWS region, naming the option. */
export function checkRegions(values: readonly string[] | undefined, option: string): void {
  for (const value of values ?? []) {
    if (!REGION.test(value))
      throw new UsageError(
        `--${option} ${JSON.stringify(value)} is not an AWS region.`,
        'Use a region code such as us-east-1 or eu-west-3.',
      );
  }
}

/** Refuse an `--endpoint-url` that is not an http(s) URL. */
export function checkEndpoint(value: string | undefined): void {
  if (value === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new UsageError(
      `--endpoint-url ${JSON.stringify(value)} is not an http(s) URL.`,
      'Use e.g. --endpoint-url http://127.0.0.1:4566 (the simulated account prints its URL).',
    );
}

/** Check a command's options that have one meaning wherever they appear (`--only-region`). */
export function checkOptions(options: Record<string, unknown>): void {
  const regions = options['only-region'];
  if (Array.isArray(regions)) checkRegions(regions as string[], 'only-region');
}

/** Check the global options every command takes, before any credential or network is touched. */
export function checkGlobals(globals: GlobalValues, cwd: string): void {
  checkRegions(globals.region === undefined ? undefined : [globals.region], 'region');
  checkEndpoint(globals['endpoint-url']);
  if (globals.case !== undefined) {
    const dir = resolve(cwd, globals.case);
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new UsageError(
        `--case ${globals.case} is a file, not a folder.`,
        'Pass a case folder (or a new one to create), or leave --case out to use ./cases.',
      );
  }
}
