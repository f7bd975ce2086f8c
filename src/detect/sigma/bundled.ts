import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withGate } from '../sql.js';
import { BUNDLED_GATES, BUNDLED_RULES } from './bundled-rules.js';
import type { SigmaLoad } from './load.js';

// The APIs a predicate needs are recorded by its text as the compiler builds it (sql.ts `gateOf`);
// rules shipped compiled record theirs here. Without them every bundled rule ran on every store,
// its APIs present or not (48 of the 56 name theirs).
for (const rule of BUNDLED_RULES.rules) {
  const gate = BUNDLED_GATES[rule.id];
  if (gate) withGate(rule.where, gate);
}

/**
 * The SigmaHQ AWS CloudTrail rules shipped with the package (data/sigma, Detection Rule License
 * 1.1: the rules' authors and the SigmaHQ project are named wherever a rule's finding is shown).
 */
export const BUNDLED_SIGMA_DIR = fileURLToPath(
  new URL('../../../data/sigma/aws-cloudtrail', import.meta.url),
);

/**
 * The bundled Sigma rules, compiled ahead of time into ./bundled-rules.ts (`npm run build:sigma`
 * regenerates it; a test fails while it differs from a fresh compile): every file listed, compiled
 * or not. Compiling them here took 120-130 ms of the main thread, which a hunt spent while its
 * workers needed both cores.
 */
export function bundledSigma(): SigmaLoad {
  return BUNDLED_RULES;
}

/**
 * What `--no-sigma` and `--rules DIR` ask for: the bundled set (or none) plus a folder's rules.
 * The compiler and its YAML parser load only for a folder (70 ms of CPU that a hunt otherwise
 * spends while its workers need both cores).
 */
export async function sigmaFor(options: { noSigma?: boolean; extraDir?: string }): Promise<SigmaLoad> {
  const parts = [
    ...(options.noSigma ? [] : [bundledSigma()]),
    ...(options.extraDir ? [(await import('./load.js')).loadSigmaRules(options.extraDir)] : []),
  ];
  // A rule given again in --rules (the same SigmaHQ file) runs and is listed once.
  const seen = new Set<string>();
  const listed = new Set<string>();
  const load: SigmaLoad = { rules: [], report: [] };
  for (const part of parts) {
    for (const rule of part.rules) {
      if (seen.has(rule.id)) continue;
      seen.add(rule.id);
      load.rules.push(rule);
    }
    for (const entry of part.report) {
      const key = entry.ruleId ?? `file:${basename(entry.file)}`;
      if (listed.has(key)) continue;
      listed.add(key);
      load.report.push(entry);
    }
  }
  return load;
}
