import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../main.js';

const DATASETS = join(process.cwd(), '..', 'shared', 'datasets');

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

interface Doc {
  records: number;
  files: number;
  badFiles: { path: string; reason: string }[];
  badRecords: number;
  timeRange: { first: string; last: string };
  principals: { arn: string; count: number }[];
  accessKeys: { accessKeyId: string; count: number }[];
  findings: unknown[];
  detection: { sigma: { compiled: number; unsupported: { file: string; reason: string }[] } };
}

interface FindingLike {
  ruleId: string;
  ruleSource?: string;
  attribution?: string;
  alsoMatched?: { ruleId: string; attribution: string | null }[];
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tq-hunt-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('tourniquet hunt', () => {
  it('reports 310 records in 35 files for the Stratus logs, with per-key counts', async () => {
    const { code, out } = await run(['hunt', join(DATASETS, 'stratus-detonation-logs'), '--json'], dir);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as Doc;
    expect(doc).toMatchObject({ records: 310, files: 35, badFiles: [], badRecords: 0 });
    expect(doc.timeRange).toEqual({ first: '2024-07-30T21:31:10Z', last: '2024-11-30T08:43:18Z' });
    expect(doc.accessKeys.find((k) => k.accessKeyId === 'AKIAW9X2Q2U25SK79UCX')?.count).toBe(56);
    // The investigation's rules ran on the hunted events: the Stratus CloudTrail detonations show.
    const findings = doc.findings as FindingLike[];
    expect(findings.map((f) => f.ruleId)).toEqual(
      expect.arrayContaining(['cloudtrail-stopped', 'cloudtrail-deleted']),
    );
    // The bundled SigmaHQ rules ran by default; one that only repeats a built-in finding is named
    // on it, with its authors, instead of being a second finding.
    expect(doc.detection.sigma.compiled).toBe(56);
    expect(doc.detection.sigma.unsupported).toEqual([
      { file: 'aws_delete_saml_provider.yml', reason: 'field status is not a CloudTrail record field' },
    ]);
    const stopped = findings.find((f) => f.ruleId === 'cloudtrail-stopped');
    expect(stopped?.alsoMatched).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ruleId: 'sigma:aws_cloudtrail_disable_logging',
          attribution: expect.stringContaining('SigmaHQ') as string,
        }),
      ]),
    );
    expect(findings.filter((f) => f.ruleId === 'sigma:aws_cloudtrail_disable_logging')).toEqual([]);
  });

  it('reports 2,900 records in 55 files for the Invictus logs; --key keeps only that key', async () => {
    const all = JSON.parse(
      (await run(['hunt', join(DATASETS, 'invictus-sigma-aws'), '--json'], dir)).out,
    ) as Doc;
    expect(all).toMatchObject({ records: 2900, files: 55, badRecords: 0 });
    expect(all.accessKeys[0]).toMatchObject({ accessKeyId: 'AKIATFQR7NSC8Q4X20BJ', count: 2104 });
    expect(all.principals.reduce((s, p) => s + p.count, 0)).toBe(2900);

    const one = JSON.parse(
      (
        await run(
          ['hunt', join(DATASETS, 'invictus-sigma-aws'), '--key', 'ASIATFQR7NSCS5BLNV76', '--json'],
          dir,
        )
      ).out,
    ) as Doc;
    expect(one.records).toBe(109);
    expect(one.accessKeys).toEqual([
      expect.objectContaining({ accessKeyId: 'ASIATFQR7NSCS5BLNV76', count: 109 }),
    ]);
  });

  it('prints tables on a terminal, escaping attacker-controlled user agents, and exits 3 on bad input', async () => {
    const rec = {
      eventID: 'e1',
      eventTime: '2024-05-01T10:00:00Z',
      eventName: 'ListBuckets',
      eventSource: 's3.amazonaws.com',
      userAgent: 'evil\u001b[31mRED\u0007',
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/mallory',
        accessKeyId: 'AKIAMALLORY',
      },
    };
    writeFileSync(join(dir, 'one.json'), JSON.stringify({ Records: [rec] }));
    writeFileSync(join(dir, 'broken.json'), '{"Records": [');
    const { code, out } = await run(['hunt', dir, '--no-color'], dir);
    expect(code).toBe(3);
    expect(out).toContain('AKIAMALLORY');
    expect(out).toContain('arn:aws:iam::111122223333:user/mallory');
    expect(out).not.toContain('\u001b[31m');
    expect(out).toMatch(/broken\.json.*truncated/);
    expect(out).toContain('Sigma: 56 rules ran, 1 could not be compiled');
    expect(out).toMatch(/not compiled aws_delete_saml_provider\.yml: field status/);
  });

  it('runs a Sigma rule no built-in rule repeats by default, and not with --no-sigma', async () => {
    const rec = {
      eventVersion: '1.08',
      eventID: 'eks-1',
      eventTime: '2024-05-01T10:00:00Z',
      eventName: 'CreateCluster',
      eventSource: 'eks.amazonaws.com',
      awsRegion: 'eu-west-1',
      sourceIPAddress: '203.0.113.9',
      userAgent: 'aws-cli/2.15.0',
      userIdentity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/mallory',
        accessKeyId: 'AKIAMALLORY',
      },
    };
    writeFileSync(join(dir, 'eks.json'), JSON.stringify({ Records: [rec] }));
    const on = JSON.parse((await run(['hunt', dir, '--json'], dir)).out) as Doc;
    expect(on.findings as FindingLike[]).toEqual([
      expect.objectContaining({
        ruleId: 'sigma:aws_eks_cluster_created_or_deleted',
        ruleSource: 'sigma',
        attribution: expect.stringContaining('Detection Rule License 1.1') as string,
      }),
    ]);
    const off = JSON.parse((await run(['hunt', dir, '--no-sigma', '--json'], dir)).out) as Doc;
    expect(off.findings).toEqual([]);
    expect(off.detection.sigma).toEqual({ compiled: 0, unsupported: [] });
  });

  it('refuses a --rules folder it cannot read before reading any file (the store is never made)', async () => {
    writeFileSync(join(dir, 'one.json'), JSON.stringify({ Records: [] }));
    const store = join(dir, 'kept.duckdb');
    const { code, err } = await run(
      [
        'hunt',
        dir,
        '--key',
        'AKIAIOSFODNN7EXAMPLE',
        '--rules',
        join(dir, 'no-such-folder'),
        '--store',
        store,
      ],
      dir,
    );
    expect(code).not.toBe(0);
    expect(err).toContain('Cannot read Sigma rules folder');
    expect(existsSync(store)).toBe(false);
  });

  it('names a bad --since as a usage error', async () => {
    const { code, err } = await run(['hunt', dir, '--since', 'last tuesday'], dir);
    expect(code).toBe(2);
    expect(err).toMatch(/--since "last tuesday" is not a time/);
  });
});
