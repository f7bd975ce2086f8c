import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../../errors.js';
import type { DetectionRule } from '../rules/types.js';
import { compileSigma } from './compile.js';

/** One line of the Sigma report: every file is listed, compiled or not, never silently dropped. */
export interface SigmaReportEntry {
  file: string;
  title: string;
  status: 'compiled' | 'unsupported';
  reason?: string;
  ruleId?: string;
  author?: string | null;
}

export interface SigmaLoad {
  rules: DetectionRule[];
  report: SigmaReportEntry[];
}

/** Load and compile every `.yml`/`.yaml` under a folder (recursively). */
export function loadSigmaRules(dir: string): SigmaLoad {
  let files: string[];
  try {
    files = listYaml(dir);
  } catch (error) {
    throw new UserError('SIGMA_DIR', `Cannot read Sigma rules folder ${dir}.`, {
      cause: error,
      hint: 'Pass --rules DIR pointing at a folder of SigmaHQ YAML files (logsource aws/cloudtrail).',
    });
  }
  const load: SigmaLoad = { rules: [], report: [] };
  for (const path of files) {
    const file = relative(dir, path) || path;
    const result = compileSigma(readFileSync(path, 'utf8'), file);
    if (result.ok) {
      load.rules.push(result.rule);
      const source = result.rule.source;
      load.report.push({
        file,
        title: result.title,
        status: 'compiled',
        ruleId: result.rule.id,
        author: source?.kind === 'sigma' ? source.author : null,
      });
    } else {
      load.report.push({ file, title: result.title, status: 'unsupported', reason: result.reason });
    }
  }
  return load;
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listYaml(path));
    else if (/\.ya?ml$/i.test(name)) out.push(path);
  }
  return out;
}
