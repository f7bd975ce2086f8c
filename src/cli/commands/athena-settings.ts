import { formatSize, parseSize, splitS3 } from '../../athena/layout.js';
import { UsageError } from '../../errors.js';
import type { OptionValues, RunEnv } from '../spec.js';
import type { ATHENA_OPTIONS } from './athena-options.js';

/** What every `--engine athena` run takes from its options: where to query and when to stop. */
export interface AthenaSettings {
  workGroup: string;
  database: string;
  output: string | undefined;
  maxScan: number;
  confirm(estimate: string): Promise<boolean>;
}

/** Read (and check, before any AWS call) the Athena options; over --max-scan asks unless --yes. */
export function athenaSettings(options: OptionValues<typeof ATHENA_OPTIONS>, env: RunEnv): AthenaSettings {
  if (options['athena-output']) splitS3(options['athena-output'], '--athena-output');
  const maxScan = parseSize(options['max-scan'] ?? '50GB', '--max-scan');
  return {
    workGroup: options['athena-workgroup'] ?? 'primary',
    database: options['athena-database'] ?? 'tourniquet',
    output: options['athena-output'],
    maxScan,
    confirm: async (estimate) =>
      options.yes === true ||
      (await env.confirm(
        `The Athena queries would scan ${estimate}, above --max-scan ${formatSize(maxScan)}. Run them?`,
      )),
  };
}

/** `--engine` is `athena` (the commands that take it call this once they know it is not local). */
export function requireAthenaEngine(engine: string | undefined): void {
  if (engine === 'lake')
    throw new UsageError(
      '--engine lake runs hunt and collect only.',
      'Use --engine local (after collect --engine lake) or --engine athena.',
    );
  if (engine !== 'athena')
    throw new UsageError(
      `--engine ${engine ?? ''} is not an engine.`,
      'Use --engine local, --engine athena or (hunt, collect) --engine lake.',
    );
}
