import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '../../../store/store.js';
import { ingestPaths } from '../../../trail/ingest.js';
import { runRules, severityRank } from '../../engine.js';
import type { Category, Finding } from '../../finding.js';
import { mergeSigmaDuplicates } from '../../merge.js';
import type { DetectionRule } from '../types.js';
import { contextOf, recordOf } from './record.js';
import type { Sample } from './sample.js';

/** What the catalogue did on one sample. */
export interface SampleOutcome {
  sample: Sample;
  index: number;
  category: Category;
  /** The sample's own rule fired on its calls. */
  fired: boolean;
  /**
   * On a near miss, the rules that raised an alarm: its own rule at any rating, or any rule of its
   * category rated medium or above (a benign call must not look like the attack it resembles).
   */
  alarms: string[];
}

/** Recall over the positives and false-alarm rate over the near misses. */
export interface Score {
  rules: number;
  positives: number;
  detected: number;
  negatives: number;
  falseAlarms: number;
  recall: number;
  falseAlarmRate: number;
}

export interface Evaluation {
  outcomes: SampleOutcome[];
  byCategory: Map<Category, Score>;
  byFamily: Map<string, Score>;
  overall: Score;
  records: number;
  ruleFailures: { ruleId: string; error: string }[];
  /** Rules of the list without a positive, or without a near miss, in the corpus. */
  untested: { noPositive: string[]; noNegative: string[] };
}

export interface EvaluateOptions {
  rules: readonly DetectionRule[];
  /** Run these too (compiled Sigma rules), merged into the built-in findings as `investigate` does. */
  extra?: readonly DetectionRule[];
  /** Family name → the rule ids that cover it. */
  families?: Record<string, readonly string[]>;
}

/**
 * Run a rule list over the labelled corpus the way the tool runs it (records written to a trail
 * file, read by the ingest, rules run by the engine) and score every sample.
 */
export async function evaluateCorpus(
  samples: readonly Sample[],
  options: EvaluateOptions,
): Promise<Evaluation> {
  const dir = mkdtempSync(join(tmpdir(), 'tq-corpus-'));
  const sampleOf = new Map<string, number>();
  const records = samples.flatMap((sample, index) =>
    sample.calls.map((spec, i) => {
      const record = recordOf(spec, contextOf(index), i);
      sampleOf.set(record.eventID as string, index);
      return record;
    }),
  );
  const store = await openEventStore(':memory:');
  let findings: Finding[];
  let ruleFailures: Evaluation['ruleFailures'];
  try {
    writeFileSync(join(dir, 'corpus.json'), JSON.stringify({ Records: records }));
    await ingestPaths(store, [dir]);
    const run = await runRules(store, [...options.rules, ...(options.extra ?? [])]);
    findings = options.extra ? mergeSigmaDuplicates(run.findings) : run.findings;
    ruleFailures = run.failures;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const categoryOf = new Map(options.rules.map((r) => [r.id, r.category]));
  const onSample = new Map<number, Finding[]>();
  for (const f of findings) {
    for (const index of new Set(f.eventIds.map((id) => sampleOf.get(id)))) {
      if (index !== undefined) onSample.set(index, [...(onSample.get(index) ?? []), f]);
    }
  }
  const outcomes = samples.map((sample, index): SampleOutcome => {
    const category = categoryOf.get(sample.rule) ?? 'recon';
    const here = onSample.get(index) ?? [];
    const fired = here.some((f) => f.ruleId === sample.rule);
    const alarms = sample.fires
      ? []
      : [
          ...new Set(
            here
              .filter(
                (f) =>
                  f.ruleId === sample.rule ||
                  (f.category === category && severityRank(f.severity) >= severityRank('medium')),
              )
              .map((f) => f.ruleId),
          ),
        ];
    return { sample, index, category, fired, alarms };
  });

  const score = (list: SampleOutcome[], rules: number): Score => {
    const positives = list.filter((o) => o.sample.fires);
    const negatives = list.filter((o) => !o.sample.fires);
    const detected = positives.filter((o) => o.fired).length;
    const falseAlarms = negatives.filter((o) => o.alarms.length > 0).length;
    return {
      rules,
      positives: positives.length,
      detected,
      negatives: negatives.length,
      falseAlarms,
      recall: positives.length ? detected / positives.length : 1,
      falseAlarmRate: negatives.length ? falseAlarms / negatives.length : 0,
    };
  };
  const byCategory = new Map<Category, Score>();
  for (const category of new Set(options.rules.map((r) => r.category))) {
    const rules = options.rules.filter((r) => r.category === category).length;
    byCategory.set(
      category,
      score(
        outcomes.filter((o) => o.category === category),
        rules,
      ),
    );
  }
  const byFamily = new Map<string, Score>();
  for (const [family, ids] of Object.entries(options.families ?? {})) {
    byFamily.set(
      family,
      score(
        outcomes.filter((o) => ids.includes(o.sample.rule)),
        ids.length,
      ),
    );
  }
  const tested = (fires: boolean): Set<string> =>
    new Set(samples.filter((s) => s.fires === fires).map((s) => s.rule));
  const positives = tested(true);
  const negatives = tested(false);
  return {
    outcomes,
    byCategory,
    byFamily,
    overall: score(outcomes, options.rules.length),
    records: records.length,
    ruleFailures,
    untested: {
      noPositive: options.rules.filter((r) => !positives.has(r.id)).map((r) => r.id),
      noNegative: options.rules.filter((r) => !negatives.has(r.id)).map((r) => r.id),
    },
  };
}
