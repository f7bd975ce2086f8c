import { describe, expect, it } from 'vitest';
import { categoryOfCall } from './call-category.js';
import { lineageMap } from './chart-lineage.js';
import { BREAK_W, PLOT_W, timelineChart, timelineSegments } from './chart-timeline.js';
import type { TimelineEntry } from './facts.js';
import type { LineageNode } from './input.js';
import { foldLineage } from './lineage-fold.js';

const MIN = 60_000;
const T0 = Date.parse('2026-12-03T01:08:00Z');

function session(n: number, at: string, children: LineageNode[] = []): LineageNode {
  return {
    credential: `ASIAROUTINE${String(n).padStart(9, '0')}`,
    kind: 'assumed-role',
    principal: `arn:aws:sts::111122223333:assumed-role/deploy-role/ci-build-${n}`,
    account: '111122223333',
    via: 'AssumeRole',
    at,
    eventId: `routine-${n}`,
    children,
  };
}

function call(time: string, accessKey: string, eventId: string, name = 'ListBuckets'): TimelineEntry {
  return {
    time,
    region: 'us-east-1',
    eventSource: 's3.amazonaws.com',
    eventName: name,
    category: 'recon',
    categoryFrom: 'call',
    sourceIp: '198.51.100.7',
    userAgent: null,
    principal: null,
    accessKey,
    error: null,
    eventId,
  };
}

describe('timeline axis', () => {
  it('zooms to a 16-minute attack when awareness comes 30 hours later: the attack gets over half the width, the gap a break', () => {
    const events = Array.from({ length: 22 }, (_, i) => T0 + (i * 16 * MIN) / 21);
    const segments = timelineSegments(events, [T0 + 30 * 60 * MIN, T0 + 30 * 60 * MIN + 10_000]);
    expect(segments).toHaveLength(2);
    const [attack, marks] = segments;
    expect(attack!.events).toBe(22);
    expect(marks!.events).toBe(0);
    expect(attack!.width).toBeGreaterThanOrEqual(PLOT_W / 2);
    expect(attack!.width + marks!.width + BREAK_W).toBeLessThanOrEqual(PLOT_W);
    // The attack's own stretch spans its calls, padded a little, not the day after.
    expect(attack!.to - attack!.from).toBeLessThan(20 * MIN);
  });

  it('keeps the attack over half the width with many bursts days apart and the marks far away', () => {
    const bursts = [0, 26, 50, 75, 99, 130].flatMap((h) => [T0 + h * 60 * MIN, T0 + h * 60 * MIN + 5 * MIN]);
    const segments = timelineSegments(bursts, [T0 + 400 * 60 * MIN, T0 + 900 * 60 * MIN]);
    expect(segments.length).toBeLessThanOrEqual(6);
    const attack = segments.filter((s) => s.events > 0).reduce((w, s) => w + s.width, 0);
    expect(attack).toBeGreaterThanOrEqual(PLOT_W / 2);
    expect(segments.reduce((w, s) => w + s.width, 0) + (segments.length - 1) * BREAK_W).toBeLessThanOrEqual(
      PLOT_W,
    );
  });

  it('draws a break with the quiet time, both marks, and escapes lane names', () => {
    const timeline = [
      call('2026-12-03T01:08:00Z', 'AKIA1', 'e1'),
      { ...call('2026-12-03T01:20:00Z', 'AKIA1', 'e2'), region: '<script>x</script>' },
    ];
    const { svg } = timelineChart(timeline, {
      awareness: '2026-12-04T07:08:00Z',
      containment: '2026-12-04T07:09:00Z',
    });
    expect(svg).toContain('30 h');
    expect(svg).toContain('awareness 07:08');
    expect(svg).toContain('contained 07:09');
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toMatch(/style=/);
  });
});

describe('lineage folding', () => {
  const routine = Array.from({ length: 38 }, (_, i) =>
    session(i, `2026-11-${String(13 + (i % 17)).padStart(2, '0')}T10:00:00Z`),
  );
  const attackerSession: LineageNode = {
    ...session(99, '2026-12-03T01:09:00Z', [session(100, '2026-12-03T01:10:00Z')]),
    credential: 'ASIAATTACKER00000001',
    eventId: 'attacker-assume',
  };
  const root: LineageNode = {
    credential: 'AKIALEAKED0000000001',
    kind: 'access-key',
    principal: 'arn:aws:iam::111122223333:user/dev-sam',
    account: '111122223333',
    via: null,
    at: null,
    eventId: null,
    children: [...routine.slice(0, 20), attackerSession, ...routine.slice(20)],
  };
  const timeline = [
    call('2026-12-03T01:08:00Z', 'AKIALEAKED0000000001', 'attacker-assume', 'AssumeRole'),
    call('2026-12-03T01:11:00Z', 'ASIAATTACKER00000001', 'e2'),
  ];

  it("shows the attacker's path and folds the owner's routine sessions into one node with their count", () => {
    const boxes = foldLineage(root, timeline);
    expect(boxes.map((b) => [b.role, b.title, b.count])).toEqual([
      ['leaked', 'AKIALEAKED0000000001', 1],
      ['attacker', 'ASIAATTACKER00000001', 1],
      // The attacker's session's own child is not on the path and is shown muted, not folded alone.
      ['routine', 'ASIAROUTINE000000100', 1],
      ['routine', '38 routine sessions', 38],
    ]);
    expect(boxes.at(-1)!.via).toBe('AssumeRole ×38');
    expect(boxes.at(-1)!.detail).toContain('2026-11-13 → 2026-11-29');
  });

  it('lays the boxes out with dagre, left to right, the attacker edge in bold', () => {
    const { svg } = lineageMap(root, timeline);
    expect(svg.match(/<rect /g)).toHaveLength(4);
    expect(svg).toContain('38 routine sessions');
    expect(svg).toContain('stroke="#c0392b" stroke-width="3"');
    const xs = [...svg.matchAll(/<rect x="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs[0]).toBeLessThan(xs[1]!);
  });
});

describe('call categories', () => {
  it('puts every call in a category of the catalogue', () => {
    expect(categoryOfCall('iam.amazonaws.com', 'GenerateCredentialReport')).toBe('recon');
    expect(categoryOfCall('ec2.amazonaws.com', 'CreateSecurityGroup')).toBe('resource-creation');
    expect(categoryOfCall('iam.amazonaws.com', 'CreateAccessKey')).toBe('persistence');
    expect(categoryOfCall('cloudtrail.amazonaws.com', 'StopLogging')).toBe('defense-evasion');
    expect(categoryOfCall('sts.amazonaws.com', 'AssumeRole')).toBe('lateral-movement');
    expect(categoryOfCall('lambda.amazonaws.com', 'ListFunctions20150331')).toBe('recon');
    expect(categoryOfCall('s3.amazonaws.com', 'GetObject')).toBe('data-access');
    expect(categoryOfCall('ec2.amazonaws.com', 'TerminateInstances')).toBe('impact');
    expect(categoryOfCall('<weird>', '\u001b[31m')).toBe('recon');
  });
});
