import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseFolder } from '../../case/case.js';
import { verifyCase } from '../../case/verify.js';
import { systemClock } from '../../clock.js';
import type { Investigation } from '../../detect/investigate.js';
import { ALICE_KEY, scenarioRecords } from '../../detect/test-support/scenario.js';
import { STORE_FILE, openEventStore } from '../../store/store.js';
import { ingestPaths } from '../../trail/ingest.js';
import { main } from '../main.js';

const SIGMA = join(process.cwd(), '..', 'shared', 'datasets', 'sigma-aws-cloudtrail');

function run(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    cwd,
  };
  return main(argv, io).then((code) => ({ code, out, err }));
}

let root: string;
let caseDir: string;

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-investigate-cli-'));
  caseDir = join(root, 'case');
  CaseFolder.create(caseDir, {
    clock: systemClock,
    subject: { input: ALICE_KEY, kind: 'access-key', accessKeyId: ALICE_KEY },
  }).close();
  const records = scenarioRecords();
  // The attacker controls the user agent: a terminal escape sequence must not reach the screen raw.
  records.find((r) => r.eventName === 'GetSessionToken')!.userAgent = 'evil\u001b[2J\u001b[31mUA';
  writeFileSync(join(root, 'trail.json'), JSON.stringify({ Records: records }));
  const store = await openEventStore(join(caseDir, STORE_FILE));
  await ingestPaths(store, [join(root, 'trail.json')]);
  store.close();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('tourniquet investigate', () => {
  it('exits 3 when the case coverage is partial, as collect and report do', async () => {
    const entries = [
      {
        source: 'lookup-events',
        region: 'eu-west-1',
        scope: 'account',
        from: '2024-05-01T00:00:00Z',
        to: '2024-05-21T00:00:00Z',
        status: 'partial',
        reason: 'AccessDenied',
        records: 0,
      },
    ];
    writeFileSync(
      join(caseDir, 'coverage.json'),
      JSON.stringify({ updated: '2024-05-21T00:00:00Z', entries }),
    );
    const { code, err } = await run(['investigate', '--case', caseDir, '--no-sigma'], root);
    expect(code).toBe(3);
    expect(err).toMatch(/Coverage of the evidence is partial/);
  });

  it('investigates the case subject, stores findings.json and investigation.json, keeps the case verifiable', async () => {
    const { code, out } = await run(['investigate', '--case', caseDir, '--rules', SIGMA, '--json'], root);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as Investigation & { files: { path: string; sha256: string }[] };
    expect(doc.subjectKeys).toEqual([ALICE_KEY]);
    expect(doc.window).toEqual({ since: '2024-05-20T10:00:00Z', until: '2024-05-20T11:30:00Z' });
    // The office address of the three baseline weeks is the owner's; the attacker's is not.
    expect(doc.attribution).toMatchObject({ ownerAddresses: ['10.0.0.5'], ownerCalls: 0 });
    expect(doc.findings.find((f) => f.ruleId === 'ec2-crypto-mining-launch')).toMatchObject({
      severity: 'critical',
      category: 'crypto-mining',
      attributed: true,
      region: 'ap-southeast-3',
    });
    expect(doc.sigmaReport.filter((s) => s.status === 'unsupported').map((s) => s.file)).toEqual([
      'aws_delete_saml_provider.yml',
    ]);
    // The Sigma rule repeats the built-in finding on the same StopLogging call: named on it, once.
    expect(doc.findings.some((f) => f.ruleId === 'sigma:aws_cloudtrail_disable_logging')).toBe(false);
    expect(
      doc.findings.filter((f) =>
        f.alsoMatched?.some((a) => a.ruleId === 'sigma:aws_cloudtrail_disable_logging'),
      ),
    ).toHaveLength(1);
    const stored = JSON.parse(readFileSync(join(caseDir, 'findings.json'), 'utf8')) as {
      findings: unknown[];
    };
    expect(stored.findings).toHaveLength(doc.findings.length);
    expect(doc.files.map((f) => f.path)).toEqual(['findings.json', 'investigation.json']);
    const journal = readFileSync(join(caseDir, 'journal.jsonl'), 'utf8');
    expect(journal).toContain('"kind":"investigation.saved"');
    expect(journal).toContain('"phase":"investigate"');
    expect((await verifyCase(caseDir)).ok).toBe(true);
  });

  it('prints findings, the lineage tree, anomalies and the timeline, with attacker text escaped', async () => {
    const { code, out } = await run(
      ['investigate', '--case', caseDir, '--key', ALICE_KEY, '--since', '2024-05-20T10:00:00+00:00'],
      root,
    );
    expect(code).toBe(0);
    for (const heading of [
      'Findings',
      'Credential lineage:',
      'New source IPs',
      'Timeline of attacker activity',
    ]) {
      expect(out).toContain(heading);
    }
    expect(out).toContain('└─ ConsoleLogin');
    expect(out).toContain('2024-05-20T10:00:00Z … 2024-05-20T11:30:00Z');
    expect(out).toContain('ec2-crypto-mining-launch');
    expect(out).toMatch(
      /Owner’s calls left out +0 call\(s\) in the window from addresses the key used before it: 10\.0\.0\.5/,
    );
    expect(out).not.toContain('\u001b[2J');
    // The bundled SigmaHQ rules ran without --rules, the one that cannot compile named with why.
    expect(out).toContain('Sigma: 56 rules compiled, 1 unsupported');
    expect(out).toMatch(/unsupported aws_delete_saml_provider\.yml: field status/);
  });

  it('follows the long-term keys of a subject given as a user', async () => {
    const userCase = join(root, 'user-case');
    CaseFolder.create(userCase, {
      clock: systemClock,
      subject: { input: 'alice', kind: 'user', userName: 'alice' },
    }).close();
    const store = await openEventStore(join(userCase, STORE_FILE));
    await ingestPaths(store, [join(root, 'trail.json')]);
    store.close();
    const { code, out } = await run(['investigate', '--case', userCase, '--json'], root);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as Investigation;
    expect(doc.subjectKeys).toEqual([ALICE_KEY]);
    expect(doc.lineage!.keys).toHaveLength(7);
  });

  it('refuses bad input with one line naming it and the way out', async () => {
    const noStore = join(root, 'empty');
    CaseFolder.create(noStore, { clock: systemClock }).close();
    const missing = await run(['investigate', '--case', noStore], root);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('has no event store');
    expect(missing.err).toContain('tourniquet collect');

    const days = await run(['investigate', '--case', caseDir, '--baseline-days', 'soon'], root);
    expect(days.code).toBe(2);
    expect(days.err).toContain('--baseline-days');

    const since = await run(['investigate', '--case', caseDir, '--since', 'yesterday'], root);
    expect(since.code).toBe(2);
    expect(since.err).toContain('--since must be an ISO-8601 time');

    const geoip = await run(['investigate', '--case', caseDir, '--geoip', join(root, 'trail.json')], root);
    expect(geoip.code).toBe(1);
    expect(geoip.err).toContain('not a readable MaxMind database');
    expect(existsSync(join(caseDir, 'findings.json'))).toBe(false);
  });
});
