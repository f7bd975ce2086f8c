import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from '../index.js';
import { CORPUS, FAMILIES, evaluateCorpus, type Evaluation } from './index.js';
import { contextOf, recordOf } from './record.js';

/**
 * The whole catalogue over the labelled corpus, through the ingest and the engine: every positive
 * must raise its rule, no near miss may raise its own rule, and every rule has both.
 */
describe('the built-in catalogue on the labelled corpus', () => {
  let evaluation: Evaluation;

  beforeAll(async () => {
    evaluation = await evaluateCorpus(CORPUS, { rules: BUILTIN_RULES, families: FAMILIES });
  });

  it('runs every rule', () => {
    expect(evaluation.ruleFailures).toEqual([]);
  });

  it('raises every positive’s rule', () => {
    const missed = evaluation.outcomes.filter((o) => o.sample.fires && !o.fired);
    expect(missed.map((o) => `${o.sample.rule}: ${o.sample.note}`)).toEqual([]);
  });

  it('stays quiet on every near miss (its own rule)', () => {
    const firing = evaluation.outcomes.filter((o) => !o.sample.fires && o.fired);
    expect(firing.map((o) => `${o.sample.rule}: ${o.sample.note}`)).toEqual([]);
  });

  it('has a positive and a near miss for every rule, and only for rules that exist', () => {
    expect(evaluation.untested).toEqual({ noPositive: [], noNegative: [] });
    const ids = new Set(BUILTIN_RULES.map((r) => r.id));
    expect(CORPUS.map((s) => s.rule).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('meets the bar: recall ≥ 0.95, false alarms (any medium+ finding of the category) ≤ 0.05', () => {
    expect(evaluation.overall.recall).toBeGreaterThanOrEqual(0.95);
    expect(evaluation.overall.falseAlarmRate).toBeLessThanOrEqual(0.05);
  });

  it('covers every family of the issue with at least two existing rules', () => {
    const ids = new Set(BUILTIN_RULES.map((r) => r.id));
    expect(Object.keys(FAMILIES)).toHaveLength(20);
    for (const [family, rules] of Object.entries(FAMILIES)) {
      expect(rules.length, family).toBeGreaterThanOrEqual(2);
      expect(
        rules.filter((id) => !ids.has(id)),
        family,
      ).toEqual([]);
    }
  });

  it('is written in the shapes CloudTrail records: identity types, error codes, data events', () => {
    const records = CORPUS.flatMap((s, i) => s.calls.map((c, j) => recordOf(c, contextOf(i), j)));
    const types = new Set(records.map((r) => (r.userIdentity as { type?: string }).type));
    for (const type of [
      'IAMUser',
      'AssumedRole',
      'Root',
      'AWSService',
      'FederatedUser',
      'SAMLUser',
      'WebIdentityUser',
    ])
      expect(types, type).toContain(type);
    const errors = new Set(records.map((r) => r.errorCode).filter(Boolean));
    for (const code of [
      'AccessDenied',
      'AccessDeniedException',
      'Client.UnauthorizedOperation',
      'ValidationException',
    ])
      expect(errors, code).toContain(code);
    expect(records.some((r) => r.eventCategory === 'Data' && r.managementEvent === false)).toBe(true);
    // A failed call has no response; a console sign-in carries no access key.
    for (const r of records.filter((x) => x.errorCode)) expect(r.responseElements).toBeNull();
    for (const r of records.filter((x) => x.eventSource === 'signin.amazonaws.com'))
      expect((r.userIdentity as { accessKeyId?: string }).accessKeyId ?? '').toBe('');
    expect(new Set(records.map((r) => r.eventID)).size).toBe(records.length);
  });
});
