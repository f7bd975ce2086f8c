import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { AS_OF, HOSTILE, makeIncidentCase } from '../../report/test-support/incident.js';

function capture(cwd: string) {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {},
      cwd,
    },
    out: () => out,
    err: () => err,
  };
}

let root: string;
let caseDir: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-report-cli-'));
  let now = 0;
  const clock = {
    now: () => new Date(now),
    sleep: () => Promise.resolve(),
    set: (iso: string) => void (now = Date.parse(iso)),
  };
  caseDir = await makeIncidentCase(join(root, 'case'), clock, root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const asOf = ['--as-of', AS_OF.toISOString()];
// eslint-disable-next-line no-control-regex -- looking for escape bytes is the point
const RAW_CONTROL = /[\u001b\u009b\u0007]/;

describe('tourniquet report', () => {
  it('prints the status update for a case, with no raw escape bytes on the terminal', async () => {
    const c = capture(root);
    expect(await main(['report', '--case', caseDir, '--kind', 'dev', ...asOf], c.io)).toBe(0);
    expect(c.out()).toContain('# Notice to development teams');
    expect(c.out()).toContain('AKIAEXAMPLELEAKED001');
    expect(c.out()).toContain('203.0.113.7');
    expect(c.out()).not.toMatch(RAW_CONTROL);
    expect(c.out()).not.toContain('<script>');
  });

  it('writes the HTML report, the JSON facts and the defused CSV timeline to files', async () => {
    const html = join(root, 'r.html');
    const c = capture(root);
    expect(await main(['report', '--case', caseDir, '--format', 'html', '--out', html, ...asOf], c.io)).toBe(
      0,
    );
    expect(c.out()).toContain('Report written');
    expect(c.out()).toContain('$1,224.00');
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/);

    const json = join(root, 'facts.json');
    expect(
      await main(['report', '--case', caseDir, '--format', 'json', '--out', json, ...asOf], capture(root).io),
    ).toBe(0);
    const facts = JSON.parse(readFileSync(json, 'utf8')) as { cost: { totalUsd: number }; regions: string[] };
    expect(facts.cost.totalUsd).toBe(1224);
    expect(facts.regions).toEqual(['eu-north-1', 'us-east-1']);

    const csv = join(root, 't.csv');
    const args = [
      'report',
      '--case',
      caseDir,
      '--kind',
      'timeline',
      '--format',
      'csv',
      '--out',
      csv,
      ...asOf,
    ];
    expect(await main(args, capture(root).io)).toBe(0);
    const text = readFileSync(csv, 'utf8');
    expect(text.split('\r\n')[0]).toBe(
      'time,region,event_source,event_name,category,source_ip,user_agent,principal,access_key,error,event_id',
    );
    expect(text).not.toMatch(RAW_CONTROL);
    // A user agent that starts with a formula arrives as text: apostrophe first, quoted.
    expect(text).toContain(`"'${HOSTILE.formula.replace(/"/g, '""')}`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it('exits 3 when the case coverage is partial, as collect does, with the file written', async () => {
    const partialCase = join(root, 'partial-case');
    cpSync(caseDir, partialCase, { recursive: true });
    const line = { source: 'lookup-events', region: 'eu-north-1', scope: 'account', records: 0 };
    const entries = [
      {
        ...line,
        from: '2026-11-27T00:00:00Z',
        to: '2026-11-28T16:00:00Z',
        status: 'partial',
        reason: 'AccessDenied',
      },
    ];
    writeFileSync(
      join(partialCase, 'coverage.json'),
      JSON.stringify({ updated: AS_OF.toISOString(), entries }),
    );
    const c = capture(root);
    const out = join(root, 'partial.md');
    const args = ['report', '--case', partialCase, '--kind', 'status', '--out', out, ...asOf];
    expect(await main(args, c.io)).toBe(3);
    expect(c.err()).toMatch(/Coverage of the evidence is partial/);
    expect(readFileSync(out, 'utf8').length).toBeGreaterThan(0);
    expect(await main(['report', '--case', partialCase, '--kind', 'status', ...asOf], capture(root).io)).toBe(
      3,
    );
  });

  it('--json prints the facts model on stdout', async () => {
    const c = capture(root);
    expect(await main(['report', '--case', caseDir, '--format', 'json', '--json', ...asOf], c.io)).toBe(0);
    const facts = JSON.parse(c.out()) as { contained: boolean; decisions: { id: string }[] };
    expect(facts.contained).toBe(true);
    expect(facts.decisions.map((d) => d.id)).toEqual([
      'forensics',
      'aws-support',
      'gdpr',
      'nis2',
      'internal',
    ]);
  });

  it('refuses a bad kind, a CSV of a non-timeline kind and a missing case with one-line errors', async () => {
    let c = capture(root);
    expect(await main(['report', '--case', caseDir, '--kind', 'poem'], c.io)).toBe(2);
    expect(c.err()).toContain(
      '--kind poem: not one of status, dev, executive, aws-support, timeline, decisions, lessons, full',
    );
    c = capture(root);
    expect(await main(['report', '--case', caseDir, '--kind', 'status', '--format', 'csv'], c.io)).toBe(2);
    expect(c.err()).toContain('--format csv exists only for --kind timeline');
    c = capture(root);
    expect(await main(['report', '--case', join(root, 'nope')], c.io)).toBe(1);
    expect(c.err()).toContain('is not a case folder');
  });
});
