import { listScenarios } from '../../sim/scenarios/index.js';
import { demoRuns, describeDemo } from './test-support/demo.js';

// Every scenario's demo runs once in the suite, in the file that checks the most on it (CI is
// CPU-bound): llmjacking, ses-spam, sms-pumping and s3-ransomware have their own files
// (demo.<name>.test.ts); the eradication bar's files (src/eradicate/scenarios-*.test.ts) run
// the demo of theirs and check both the demo and the account it leaves, as do scope's files for
// persistence and backdoors (src/scope/scope.persistence.test.ts, scope.backdoors.test.ts). rds-exfil has no demo
// run here: src/eradicate/scenarios-mining-rds.test.ts answers it with respond.
const ELSEWHERE = new Set([
  'llmjacking',
  'ses-spam',
  'sms-pumping',
  's3-ransomware',
  'rds-exfil',
  'exfiltration',
  'defense-evasion',
  'role-chain',
  'console-takeover',
  'hostile-strings',
  'quiet',
  'persistence',
  'backdoors',
]);
const NAMES = listScenarios()
  .map((s) => s.name)
  .filter((n) => !ELSEWHERE.has(n));

const demos = demoRuns(NAMES);
for (const name of NAMES) describeDemo(name, demos);
