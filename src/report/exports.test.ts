import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facts } from './facts.js';
import { renderReport } from './render.js';
import { HOSTILE, HOSTILE_ALL, incidentFacts } from './test-support/incident.js';

let root: string;
let facts: Facts;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-exports-'));
  ({ facts } = await incidentFacts(root));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const lines = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('report --format ocsf', () => {
  it('writes one Detection Finding (class 2004) per finding, each valid against the schema written from the OCSF documentation', () => {
    const schema = JSON.parse(
      readFileSync(new URL('./test-support/ocsf-detection-finding.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const out = renderReport(facts, 'full', 'ocsf');
    const events = lines(out);
    const findings = Array.isArray(facts.findingsByCategory)
      ? facts.findingsByCategory.flatMap((c) => c.findings)
      : [];
    expect(events).toHaveLength(findings.length);
    expect(findings.length).toBeGreaterThan(2);
    for (const event of events) expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    const crypto = events.find((e) =>
      (e.finding_info as { title: string }).title.startsWith('GPU instances'),
    )!;
    expect(crypto).toMatchObject({ class_uid: 2004, type_uid: 200401, severity_id: 5, severity: 'Critical' });
    // Attacker text stays data: the planted markup round-trips exactly inside the JSON string.
    expect((crypto.finding_info as { title: string }).title).toBe(`GPU instances launched ${HOSTILE.img}`);
    expect(out).not.toContain('\u001b');
    // A broken event is refused by the same schema (the test can fail).
    expect(validate({ ...crypto, class_uid: 2001 })).toBe(false);
    expect(validate({ ...crypto, finding_info: { title: 'x' } })).toBe(false);
  });
});

describe('report --format timesketch', () => {
  it("round-trips each attacker call through Timesketch's documented fields", () => {
    const out = renderReport(facts, 'timeline', 'timesketch');
    const rows = lines(out);
    const timeline = Array.isArray(facts.timeline) ? facts.timeline : [];
    expect(rows).toHaveLength(timeline.length);
    rows.forEach((row, i) => {
      const e = timeline[i]!;
      expect(typeof row.message).toBe('string');
      expect(row.timestamp_desc).toBe('Event Recorded');
      expect(row.datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(row.datetime as string)).toBe(Date.parse(e.time));
      expect(row.timestamp).toBe(Date.parse(e.time) * 1000);
      expect([row.event_id, row.event_name, row.aws_region, row.user_agent]).toEqual([
        e.eventId,
        e.eventName,
        e.region,
        e.userAgent,
      ]);
    });
    expect(rows.some((r) => (r.user_agent as string).includes(HOSTILE_ALL))).toBe(true);
    expect(out).not.toContain('\u001b');
  });
});
