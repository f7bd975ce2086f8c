import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaseFile } from '../case/schema.js';
import type { Finding } from '../detect/finding.js';
import { UserError } from '../errors.js';
import { factsFromInput } from './facts.js';
import type { AttackerEvent, FactsInput } from './input.js';
import { durationText } from './metrics.js';
import { loadPriceTable, priceOf, PRICE_TABLE_FILE } from './prices.js';
import { ACCOUNT, attackerEvent } from './test-support/incident.js';
import { isUnknown, unknown } from './unknown.js';

const table = loadPriceTable();
const scratch = mkdtempSync(join(tmpdir(), 'tq-facts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function caseFile(patch: Partial<CaseFile> = {}): CaseFile {
  return {
    schema: 1,
    id: 'tq-test',
    created: '2026-03-02T10:00:00.000Z',
    subject: { input: 'AKIAEXAMPLELEAKED001', kind: 'access-key', accessKeyId: 'AKIAEXAMPLELEAKED001' },
    account: ACCOUNT,
    status: 'open',
    awareness: '2026-03-02T10:00:00.000Z',
    phases: {},
    responder: null,
    journal: { seq: 0, hash: '0'.repeat(64) },
    ...patch,
  };
}

function input(events: AttackerEvent[], patch: Partial<FactsInput> = {}): FactsInput {
  return {
    case: caseFile(),
    journal: [],
    findings: [],
    events,
    attribution: 'test',
    lineage: unknown('not traced in this test'),
    coverage: unknown('not collected in this test'),
    instanceChanges: [],
    costExplorer: unknown('not read in this test'),
    triage: unknown('not run in this test'),
    prices: table,
    asOf: new Date('2026-03-02T20:00:00Z'),
    ...patch,
  };
}

function run(id: string, region: string, type: string, ids: string[], launched: string): AttackerEvent {
  return attackerEvent({
    eventId: id,
    time: launched,
    eventName: 'RunInstances',
    region,
    responseElements: JSON.stringify({
      instancesSet: {
        items: ids.map((instanceId) => ({
          instanceId,
          instanceType: type,
          launchTime: Date.parse(launched),
        })),
      },
    }),
  });
}

describe('cost estimate', () => {
  it('prices N instance-hours of p3.16xlarge in two regions with the bundled table, its source and date', () => {
    // 2 instances × 10 h in us-east-1 (terminated) + 3 instances × 10 h in eu-north-1 (running
    // until the report time): 50 instance-hours × $24.48 = $1,224.00.
    const events = [
      run('e1', 'us-east-1', 'p3.16xlarge', ['i-1', 'i-2'], '2026-03-02T08:00:00Z'),
      run('e2', 'eu-north-1', 'p3.16xlarge', ['i-3', 'i-4', 'i-5'], '2026-03-02T10:00:00Z'),
    ];
    const changes = ['i-1', 'i-2'].map((instanceId) => ({
      instanceId,
      eventName: 'TerminateInstances',
      time: '2026-03-02T18:00:00Z',
    }));
    const facts = factsFromInput(input(events, { instanceChanges: changes }));
    expect(isUnknown(facts.cost)).toBe(false);
    if (isUnknown(facts.cost)) return;
    expect(facts.cost.totalUsd).toBe(1224);
    const byRegion = Object.fromEntries(facts.cost.lines.map((l) => [l.region, l]));
    expect(byRegion['us-east-1']).toMatchObject({
      instances: 2,
      hours: 20,
      usdPerHour: 24.48,
      usd: 489.6,
      note: null,
    });
    expect(byRegion['eu-north-1']).toMatchObject({
      instances: 3,
      hours: 30,
      usd: 734.4,
      note: 'us-east-1 price used for eu-north-1',
    });
    expect(byRegion['us-east-1']!.priceDate).toMatch(/2026/);
    expect(byRegion['us-east-1']!.priceSource).toMatch(/price tables/);
  });

  it('bills at least 60 s, stops at a stop call, and leaves an unknown type unpriced rather than guessed', () => {
    const events = [
      run('e1', 'us-east-1', 'p4d.24xlarge', ['i-1'], '2026-03-02T08:00:00Z'),
      run('e2', 'us-east-1', 'x9.weird', ['i-2'], '2026-03-02T08:00:00Z'),
    ];
    const changes = [{ instanceId: 'i-1', eventName: 'StopInstances', time: '2026-03-02T08:00:10Z' }];
    const facts = factsFromInput(input(events, { instanceChanges: changes }));
    if (isUnknown(facts.cost)) throw new Error('cost unknown');
    const p4d = facts.cost.lines.find((l) => l.instanceType === 'p4d.24xlarge')!;
    expect(p4d.hours).toBeCloseTo(1 / 60, 10);
    expect(p4d.usd).toBe(Math.round((21.957642 / 60) * 100) / 100);
    const weird = facts.cost.lines.find((l) => l.instanceType === 'x9.weird')!;
    expect(weird).toMatchObject({
      usd: null,
      usdPerHour: null,
      note: 'no price for x9.weird in the bundled table',
    });
    expect(facts.cost.unpriced).toBe(1);
  });

  it('has a source and a date for every bundled price, and a fallback for other regions', () => {
    for (const entry of table.prices) {
      expect(entry.source.length).toBeGreaterThan(10);
      expect(entry.date).toMatch(/\d{4}/);
    }
    expect(priceOf(table, 'p3.16xlarge', 'ap-south-1')).toMatchObject({ kind: 'fallback' });
    expect(priceOf(table, 'p3.16xlarge', 'us-east-1')).toMatchObject({ kind: 'exact' });
    expect(PRICE_TABLE_FILE).toMatch(/data[/\\]ec2-prices\.json$/);
  });

  it('refuses a malformed price table with a one-line error naming the file', () => {
    const bad = join(scratch, 'prices.json');
    writeFileSync(bad, JSON.stringify({ currency: 'USD', prices: [] }));
    expect(() => loadPriceTable(bad)).toThrow(UserError);
    expect(() => loadPriceTable(bad)).toThrow(/prices\.json is not a valid price table/);
  });
});

describe('decisions and metrics', () => {
  const events = [
    attackerEvent({ eventId: 'a', time: '2026-03-02T07:15:00Z', eventName: 'GetCallerIdentity' }),
    attackerEvent({
      eventId: 'b',
      time: '2026-03-02T07:20:00Z',
      eventName: 'GetObject',
      eventSource: 's3.amazonaws.com',
      requestParameters: JSON.stringify({ bucketName: 'hr', key: 'people.csv' }),
    }),
  ];
  const journal = [
    {
      seq: 1,
      at: '2026-03-02T10:40:00.000Z',
      kind: 'contain.timing',
      actor: 't',
      data: { verified: '2026-03-02T10:41:30.000Z' },
      prev: '',
      hash: '',
    },
  ];

  it('computes deadlines from the awareness time: NIS2 24 h and 72 h, GDPR 72 h', () => {
    const facts = factsFromInput(input(events, { journal }));
    const byId = Object.fromEntries(facts.decisions.map((d) => [d.id, d]));
    expect(byId.gdpr!.answer).toBe('depends');
    expect(byId.gdpr!.deadlines).toEqual([
      { label: 'notification (72 h from awareness)', at: '2026-03-05T10:00:00.000Z' },
    ]);
    expect(byId.nis2!.deadlines.map((d) => d.at)).toEqual([
      '2026-03-03T10:00:00.000Z',
      '2026-03-05T10:00:00.000Z',
      '2026-04-04T10:00:00.000Z',
    ]);
    expect(byId.forensics!.answer).toBe('yes');
    expect(byId.forensics!.basis).toMatch(/1 successful data read/);
    expect(byId['aws-support']!.answer).toBe('no');
    for (const d of facts.decisions) expect(d.criterion.length).toBeGreaterThan(30);
  });

  it('answers GDPR yes when a store left the account or was held to ransom, naming it; a read alone stays "depends"', () => {
    const ransom = [
      ...events,
      ...['a.csv', 'b.csv'].map((key, i) =>
        attackerEvent({
          eventId: `c${i}`,
          time: '2026-03-02T07:30:00Z',
          eventName: 'CopyObject',
          eventSource: 's3.amazonaws.com',
          requestParameters: JSON.stringify({
            bucketName: 'hr',
            key,
            'x-amz-server-side-encryption-customer-algorithm': 'AES256',
          }),
        }),
      ),
    ];
    const facts = factsFromInput(input(ransom, { journal }));
    expect(facts.dataStores).toEqual([
      { store: 'S3 bucket hr', how: 'objects read', whole: false, eventIds: ['b'] },
      {
        store: 'S3 bucket hr',
        how: 'objects re-encrypted with the attacker’s key (SSE-C)',
        whole: true,
        ransomedBucket: 'hr',
        eventIds: ['c0', 'c1'],
      },
    ]);
    const gdpr = facts.decisions.find((d) => d.id === 'gdpr')!;
    expect(gdpr.answer).toBe('yes');
    expect(gdpr.basis).toContain('S3 bucket hr objects re-encrypted with the attacker’s key (SSE-C)');
    expect(gdpr.deadlines[0]!.at).toBe('2026-03-05T10:00:00.000Z');
    expect(facts.decisions.find((d) => d.id === 'nis2')!.basis).toContain('held to ransom (S3 bucket hr)');
    // The same events without the re-encryption: one read, for the data owners to judge.
    expect(factsFromInput(input(events, { journal })).dataStores).toHaveLength(1);
  });

  it('measures time to detect (first attacker event → awareness) and to contain (awareness → verified)', () => {
    const facts = factsFromInput(input(events, { journal }));
    expect(facts.contained).toBe(true);
    expect(facts.metrics.timeToDetect).toEqual({ ms: (2 * 60 + 45) * 60_000, text: '2 h 45 min' });
    expect(facts.metrics.timeToContain).toEqual({ ms: 41 * 60_000 + 30_000, text: '41 min 30 s' });
    expect(facts.metrics.exposure).toMatchObject({ text: '3 h 26 min' });
  });

  it('writes unknown (reason) for what the case does not hold, never a template bracket', () => {
    const facts = factsFromInput(
      input([], {
        case: caseFile({ awareness: null, account: null, subject: null }),
        events: unknown('no events collected'),
        findings: unknown('the investigation has not run'),
      }),
    );
    expect(facts.account).toEqual({ unknown: 'triage has not identified the owning account' });
    expect(facts.metrics.timeToDetect).toEqual({ unknown: 'first attacker event: no events collected' });
    const gdpr = facts.decisions.find((d) => d.id === 'gdpr')!;
    expect(gdpr.answer).toBe('unknown');
    expect(gdpr.deadlines[0]!.at).toEqual({ unknown: 'awareness: the case has no awareness time' });
    expect(facts.contained).toBe(false);
  });

  it('says no attacker activity was found when the events are known and empty', () => {
    const facts = factsFromInput(input([]));
    expect(facts.times.firstAttackerEvent).toEqual({ unknown: 'no attacker activity was found' });
    expect(facts.decisions.find((d) => d.id === 'gdpr')!.answer).toBe('no');
    expect(facts.regions).toEqual([]);
  });

  it('spells durations the way a status update does', () => {
    expect(durationText(12_000)).toBe('12 s');
    expect(durationText(3 * 86_400_000 + 5 * 3_600_000 + 7 * 60_000 + 9_000)).toBe('3 d 5 h 7 min');
    expect(durationText(0)).toBe('0 s');
  });
});

describe('findings', () => {
  it('keeps the findings attributed to the credential and counts the others', () => {
    const finding = (id: string, severity: Finding['severity'], attributed: boolean): Finding => ({
      id,
      ruleId: id,
      title: id,
      category: attributed ? 'persistence' : 'impact',
      technique: 'T1098',
      severity,
      eventIds: [id],
      principal: null,
      accessKey: null,
      region: 'us-east-1',
      firstSeen: '2026-03-02T08:00:00Z',
      lastSeen: '2026-03-02T08:00:00Z',
      summary: id,
      attributed,
    });
    const facts = factsFromInput(
      input([], { findings: [finding('mine', 'high', true), finding('theirs', 'critical', false)] }),
    );
    expect(facts.otherFindings).toBe(1);
    expect(facts.findingsByCategory).toEqual([
      expect.objectContaining({ category: 'persistence', severity: 'high' }),
    ]);
    expect(facts.severity).toMatchObject({ level: 'P2' });
  });
});
