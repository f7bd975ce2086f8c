import { CATEGORIES } from '../detect/finding.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseFolder } from '../case/case.js';
import { investigate } from '../detect/investigate.js';
import { saveInvestigation } from '../detect/save.js';
import { openEventStore, STORE_FILE } from '../store/store.js';
import { buildFacts } from './build.js';
import { renderReport } from './render.js';
import {
  ACCOUNT,
  AS_OF,
  ATTACKER_EVENT_IDS,
  ATTACKER_IP,
  AWARENESS,
  CONTAINED,
  HOSTILE,
  LEAKED_KEY,
  makeIncidentCase,
  SESSION_KEY,
} from './test-support/incident.js';
import { isUnknown } from './unknown.js';

function settableClock() {
  let now = Date.parse('2026-03-02T00:00:00Z');
  return {
    now: () => new Date(now),
    sleep: () => Promise.resolve(),
    set: (iso: string) => void (now = Date.parse(iso)),
  };
}

let root: string;
let caseDir: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-report-'));
  caseDir = await makeIncidentCase(join(root, 'case'), settableClock(), root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('buildFacts on a real case folder and DuckDB store', () => {
  it('reads the attributed events from the store, with regions, addresses, resources and data touched', async () => {
    const facts = await buildFacts(caseDir, { asOf: AS_OF });
    if (isUnknown(facts.timeline)) throw new Error(facts.timeline.unknown);
    expect(facts.timeline.map((e) => e.eventId)).toEqual(ATTACKER_EVENT_IDS);
    expect(facts.attribution).toMatch(/^calls of the 2 credential\(s\) in the lineage/);
    expect(facts.timeline.find((e) => e.eventId === 'ev-04')).toMatchObject({
      category: 'crypto-mining',
      region: 'eu-north-1',
      accessKey: SESSION_KEY,
    });
    expect(facts.regions).toEqual(['eu-north-1', 'us-east-1']);
    expect(facts.attackerIps).toEqual([ATTACKER_IP]);
    expect(facts.account).toBe(ACCOUNT);
    expect(facts.credentialType).toBe('access key');
    expect(facts.severity).toEqual({ level: 'P1', reasons: ['admin rights'] });
    expect(facts.keyStatus).toBe('Active');
    if (isUnknown(facts.resources)) throw new Error('resources unknown');
    expect(facts.resources.filter((r) => r.type === 'EC2 instance').map((r) => r.id)).toHaveLength(5);
    expect(facts.resources.filter((r) => r.type === 'EBS volume').map((r) => r.id)).toContain(
      'vol-0bbb0000000000003',
    );
    expect(facts.resources.find((r) => r.type === 'IAM user')!.id).toBe(`backdoor${HOSTILE.img}`);
    if (isUnknown(facts.dataAccessed)) throw new Error('data unknown');
    expect(facts.dataAccessed).toEqual([
      expect.objectContaining({ what: 'S3 object', id: `payroll/${HOSTILE.formula}.csv`, succeeded: true }),
    ]);
    if (isUnknown(facts.findingsByCategory)) throw new Error('findings unknown');
    expect(facts.findingsByCategory.map((c) => c.category)).toEqual([
      'recon',
      'persistence',
      'crypto-mining',
      'data-access',
    ]);
  });

  it('prices the instances: 2 terminated by the responder after 10 h, 3 still running at the report time', async () => {
    const facts = await buildFacts(caseDir, { asOf: AS_OF });
    if (isUnknown(facts.cost)) throw new Error(facts.cost.unknown);
    // 08:05 → 18:05 for all five (the responder terminated two at 18:05; the report is made at
    // 18:05): 50 instance-hours × $24.48.
    expect(facts.cost.totalUsd).toBe(1224);
    expect(facts.cost.otherBillable.filter((o) => o.type === 'EBS volume')).toHaveLength(5);
    expect(facts.cost.lines.map((l) => [l.region, l.instances, l.hours])).toEqual([
      ['eu-north-1', 3, 30],
      ['us-east-1', 2, 20],
    ]);
  });

  it('takes awareness, containment and the actions with their times from the journal', async () => {
    const facts = await buildFacts(caseDir, { asOf: AS_OF });
    expect(facts.times.awareness).toBe(AWARENESS);
    expect(facts.times.containment).toBe(CONTAINED);
    expect(facts.metrics.timeToDetect).toEqual({ ms: 2 * 3_600_000, text: '2 h' });
    expect(facts.metrics.timeToContain).toEqual({ ms: 30 * 60_000, text: '30 min' });
    const verified = facts.actions.find((a) => a.kind === 'step.verified')!;
    expect(verified).toMatchObject({
      at: CONTAINED,
      what: 'deactivate-access-key verified',
      result: 'Inactive',
    });
    expect(verified.target).toContain(ACCOUNT);
    expect(facts.coverage).toEqual({
      unknown: 'coverage: collection has not run; not recorded in the case (no coverage.json)',
    });
    if (isUnknown(facts.lineage)) throw new Error('lineage unknown');
    expect(facts.lineage.children[0]!.credential).toBe(SESSION_KEY);
  });

  it('writes unknown (reason) for a case that has only been triaged', async () => {
    const dir = join(root, 'bare');
    const clock = settableClock();
    CaseFolder.create(dir, { clock, subject: { input: 'alice', kind: 'user', userName: 'alice' } }).close();
    const facts = await buildFacts(dir, { asOf: AS_OF });
    expect(facts.timeline).toEqual({
      unknown: 'no events collected (the case has no event store; run tourniquet collect)',
    });
    expect(facts.credentialType).toBe('IAM user credentials');
    const md = renderReport(facts, 'full', 'md');
    expect(md).toContain('unknown (no events collected');
    expect(md).toContain('was reported compromised; unknown (no events collected');
    expect(md).not.toMatch(/\[[A-Z_ ]+\]|\{\{|TODO|TBD/);
  });
});

describe('buildFacts on the investigation’s own output', () => {
  it('reports what `investigate` concluded on the same store: attacker events, regions, cost', async () => {
    const dir = join(root, 'investigated');
    const clock = settableClock();
    await makeIncidentCase(dir, clock, root);
    rmSync(join(dir, 'investigation.json'));
    const store = await openEventStore(join(dir, STORE_FILE), { readOnly: true });
    const result = await investigate(store, { subjectKeys: [LEAKED_KEY] }).finally(() => store.close());
    const folder = CaseFolder.open(dir, { clock });
    try {
      saveInvestigation(folder, result);
    } finally {
      folder.close();
    }
    const facts = await buildFacts(dir, { asOf: AS_OF });
    if (isUnknown(facts.timeline)) throw new Error(facts.timeline.unknown);
    const ids = facts.timeline.map((e) => e.eventId);
    // The owner's call before the incident and the responder's call are not the attacker's.
    expect(ids).not.toContain('ev-owner');
    expect(ids).not.toContain('ev-responder');
    expect(ids).toEqual(expect.arrayContaining(['ev-03', 'ev-04', 'ev-05', 'ev-06']));
    expect(facts.regions).toEqual(['eu-north-1', 'us-east-1']);
    expect(facts.attackerIps).toEqual([ATTACKER_IP]);
    if (isUnknown(facts.lineage)) throw new Error(facts.lineage.unknown);
    expect(facts.lineage.children.map((c) => [c.credential, c.kind, c.via])).toEqual([
      [SESSION_KEY, 'assumed-role', 'AssumeRole'],
    ]);
    if (isUnknown(facts.cost)) throw new Error(facts.cost.unknown);
    expect(facts.cost.totalUsd).toBe(1224);
    expect(facts.timeline.find((e) => e.eventId === 'ev-04')!.categoryFrom).toBe('finding');
    // Calls no finding covers take the category of what the call does: none is left uncategorised.
    expect(facts.timeline.every((e) => CATEGORIES.includes(e.category))).toBe(true);
  });
});

describe('buildFacts when the investigation found nothing', () => {
  it('says no attacker activity was found when the lineage has no incident window', async () => {
    const dir = join(root, 'quiet');
    await makeIncidentCase(dir, settableClock(), root);
    const investigation = JSON.parse(readFileSync(join(dir, 'investigation.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(
      join(dir, 'investigation.json'),
      JSON.stringify({ ...investigation, findings: [], window: null }),
    );
    const facts = await buildFacts(dir, { asOf: AS_OF });
    expect(facts.timeline).toEqual([]);
    expect(facts.attribution).toBe('the investigation found nothing suspicious on the lineage');
    expect(facts.cost).toMatchObject({ totalUsd: 0, lines: [] });
    const md = renderReport(facts, 'status', 'md');
    expect(md).toContain('was reported compromised; no attacker activity was found in the collected events.');
    expect(facts.decisions.find((d) => d.id === 'gdpr')!.answer).toBe('no');
  });
});

describe('buildFacts with the caller’s open store', () => {
  it('reads through a store the caller holds open for writing', async () => {
    const store = await openEventStore(join(caseDir, STORE_FILE));
    try {
      const facts = await buildFacts(caseDir, { asOf: AS_OF, store });
      expect(facts.timeline).toHaveLength(ATTACKER_EVENT_IDS.length);
      expect(await store.count()).toBe(9);
    } finally {
      store.close();
    }
  });
});
