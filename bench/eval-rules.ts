/**
 * `npm run eval:rules`: how well the detection rules do, measured three ways.
 *   1. The labelled corpus (src/detect/rules/corpus): recall over the positives and false-alarm
 *      rate over the near misses, per category, per family of issue 14 and overall, for the
 *      built-in rules and for the built-in rules with the bundled SigmaHQ rules (as `investigate`
 *      runs them by default).
 *   2. Stratus Red Team's detonation logs: the technique files that give a finding of their tactic.
 *   3. The Invictus hour of a real account: the Stratus records found, and the high or critical
 *      alarms on the other records.
 * Exits 1 when the corpus bar (recall ≥ 0.95, false alarms ≤ 0.05) is not met.
 */
import { join, resolve } from 'node:path';
import { BUILTIN_RULES } from '../src/detect/rules/index.js';
import { CORPUS, FAMILIES, evaluateCorpus, type Score } from '../src/detect/rules/corpus/index.js';
import { findingsOn, scoreInvictus, scoreStratus, storeOf } from '../src/detect/rules/corpus/datasets.js';
import { bundledSigma } from '../src/detect/sigma/bundled.js';

const DATASETS = resolve(import.meta.dirname, '..', '..', 'shared', 'datasets');

const pct = (x: number): string => x.toFixed(3);

function table(title: string, rows: [string, Score][]): void {
  console.log(`\n${title}`);
  const head = ['', 'rules', 'pos', 'found', 'recall', 'near', 'alarms', 'false-alarm'];
  const width = Math.max(...rows.map(([name]) => name.length), 8);
  const line = (cells: (string | number)[]): string =>
    cells
      .map((c, i) => (i === 0 ? String(c).padEnd(width) : String(c).padStart(i === 7 ? 11 : 6)))
      .join('  ');
  console.log(line(head));
  for (const [name, s] of rows) {
    console.log(
      line([
        name,
        s.rules,
        s.positives,
        s.detected,
        pct(s.recall),
        s.negatives,
        s.falseAlarms,
        pct(s.falseAlarmRate),
      ]),
    );
  }
}

async function main(): Promise<number> {
  const sigma = bundledSigma();
  const compiled = sigma.rules.length;
  const unsupported = sigma.report.filter((r) => r.status === 'unsupported');
  console.log(
    `Rules: ${BUILTIN_RULES.length} built-in; SigmaHQ CloudTrail ${compiled} compiled, ${unsupported.length} not ` +
      `(${unsupported.map((u) => `${u.file}: ${u.reason ?? ''}`).join('; ')})`,
  );
  console.log(
    `Corpus: ${CORPUS.length} samples (${CORPUS.filter((s) => s.fires).length} positive, ${CORPUS.filter((s) => !s.fires).length} near misses)`,
  );

  const builtin = await evaluateCorpus(CORPUS, { rules: BUILTIN_RULES, families: FAMILIES });
  const withSigma = await evaluateCorpus(CORPUS, { rules: BUILTIN_RULES, extra: sigma.rules });
  table('Labelled corpus, built-in rules, per category', [
    ...[...builtin.byCategory.entries()].sort(([a], [b]) => a.localeCompare(b)),
    ['OVERALL', builtin.overall],
  ]);
  table('Labelled corpus, per family of issue 14', [...builtin.byFamily.entries()]);
  table('Labelled corpus, built-in + SigmaHQ (the default)', [['OVERALL', withSigma.overall]]);
  const missed = [...builtin.outcomes, ...withSigma.outcomes].filter((o) => o.sample.fires && !o.fired);
  const alarms = (e: typeof builtin, label: string): void => {
    for (const o of e.outcomes.filter((x) => !x.sample.fires && x.alarms.length))
      console.log(`  false alarm (${label}) on ${o.sample.rule}'s near miss: ${o.alarms.join(', ')}`);
  };
  for (const o of missed) console.log(`  missed: ${o.sample.rule}: ${o.sample.note}`);
  alarms(builtin, 'built-in');
  alarms(withSigma, 'built-in + SigmaHQ');
  const failures = [...builtin.ruleFailures, ...withSigma.ruleFailures];
  for (const f of failures) console.log(`  rule failed: ${f.ruleId}: ${f.error}`);

  console.log('\nStratus Red Team detonation logs (a finding of the technique’s tactic in its file)');
  const stratus = await storeOf(join(DATASETS, 'stratus-detonation-logs'));
  try {
    for (const [name, extra] of [
      ['built-in', []],
      ['built-in + SigmaHQ', sigma.rules],
    ] as const) {
      const { findings } = await findingsOn(stratus, BUILTIN_RULES, extra);
      const s = await scoreStratus(join(DATASETS, 'stratus-detonation-logs'), findings, stratus);
      console.log(
        `  ${name.padEnd(20)} ${s.detected.length}/${s.files} files, ${s.findings} findings` +
          (s.missed.length ? `; missed ${s.missed.join(', ')}` : ''),
      );
    }
  } finally {
    stratus.close();
  }

  console.log('\nInvictus: one hour of a real account (2,900 records, Stratus detonations among them)');
  const invictus = await storeOf(join(DATASETS, 'invictus-sigma-aws'));
  try {
    for (const [name, extra] of [
      ['built-in', []],
      ['built-in + SigmaHQ', sigma.rules],
    ] as const) {
      const { findings } = await findingsOn(invictus, BUILTIN_RULES, extra);
      const s = await scoreInvictus(findings, invictus);
      const severities = ['critical', 'high', 'medium', 'low', 'info']
        .map((k) => `${k} ${s.bySeverity[k as keyof typeof s.bySeverity] ?? 0}`)
        .join(', ');
      const other = Object.entries(s.otherHighRecords).map(([rule, n]) => `${rule} ${n}`);
      console.log(
        `  ${name.padEnd(20)} ${s.findings} findings (${severities}); Stratus records in a finding ` +
          `${s.stratusRecordsFound}/${s.stratusRecords}; other records in high/critical findings: ` +
          `${other.length ? other.join(', ') : 'none'}`,
      );
    }
  } finally {
    invictus.close();
  }

  const ok =
    builtin.overall.recall >= 0.95 &&
    builtin.overall.falseAlarmRate <= 0.05 &&
    withSigma.overall.recall >= 0.95 &&
    withSigma.overall.falseAlarmRate <= 0.05 &&
    failures.length === 0;
  console.log(`\nBar (recall ≥ 0.95, false-alarm rate ≤ 0.05, no rule failing): ${ok ? 'met' : 'NOT met'}`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
