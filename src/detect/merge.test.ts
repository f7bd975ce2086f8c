import { describe, expect, it } from 'vitest';
import type { Finding } from './finding.js';
import { mergeSigmaDuplicates } from './merge.js';

function finding(id: string, ruleId: string, eventIds: string[], more: Partial<Finding> = {}): Finding {
  const sigma = ruleId.startsWith('sigma:');
  return {
    id,
    ruleId,
    title: ruleId,
    category: 'defense-evasion',
    technique: 'T1562.008',
    severity: 'medium',
    eventIds,
    principal: null,
    accessKey: null,
    region: null,
    firstSeen: '2026-01-01T00:00:00Z',
    lastSeen: '2026-01-01T00:00:00Z',
    summary: '',
    eventCount: eventIds.length,
    ...(sigma ? { ruleSource: 'sigma' as const, attribution: `by ${ruleId}` } : {}),
    ...more,
  };
}

const also = (f: Finding | undefined): string[] => (f?.alsoMatched ?? []).map((a) => a.ruleId);

describe('mergeSigmaDuplicates', () => {
  it('folds a Sigma finding whose every event a built-in finding holds into each of those findings', () => {
    const x = finding('X', 'stop-logging', ['e1', 'e2', 'e3']);
    const y = finding('Y', 'delete-trail', ['e3', 'e4']);
    const z = finding('Z', 'unrelated', ['e9']);
    const covered = finding('S1', 'sigma:disable', ['e1', 'e4']);
    // The same Sigma rule's second finding over the same hosts: named once on each.
    const again = finding('S2', 'sigma:disable', ['e3']);
    // An event two built-in findings hold: both name the Sigma rule.
    const shared = finding('S3', 'sigma:shared', ['e3']);
    const kept = mergeSigmaDuplicates([x, y, z, covered, again, shared]);
    expect(kept.map((f) => f.id)).toEqual(['X', 'Y', 'Z']);
    expect(also(x)).toEqual(['sigma:disable', 'sigma:shared']);
    expect(also(y)).toEqual(['sigma:disable', 'sigma:shared']);
    expect(also(z)).toEqual([]);
    expect(x.alsoMatched?.[0]).toEqual({
      ruleId: 'sigma:disable',
      title: 'sigma:disable',
      attribution: 'by sigma:disable',
    });
  });

  it('keeps a Sigma finding with an event of its own, one whose list was capped, and one without events', () => {
    const x = finding('X', 'stop-logging', ['e1', 'e2', 'e3']);
    const partly = finding('S1', 'sigma:partly', ['e1', 'e7']);
    const capped = finding('S2', 'sigma:capped', ['e1', 'e2'], { eventCount: 3 });
    const empty = finding('S3', 'sigma:empty', [], { eventCount: 0 });
    const covered = finding('S4', 'sigma:covered', ['e2']);
    const kept = mergeSigmaDuplicates([partly, x, capped, empty, covered]);
    expect(kept.map((f) => f.id)).toEqual(['S1', 'X', 'S2', 'S3']);
    expect(also(x)).toEqual(['sigma:covered']);
  });

  it('does not count another Sigma finding as cover', () => {
    const a = finding('S1', 'sigma:a', ['e1']);
    const b = finding('S2', 'sigma:b', ['e1']);
    expect(mergeSigmaDuplicates([a, b]).map((f) => f.id)).toEqual(['S1', 'S2']);
  });
});
