import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { expect, it } from 'vitest';
import type { ScopeDocument } from '../scope/types.js';
import { OWN_SNAPSHOT, PROD_DB, PROD_REGION, THEFT } from '../sim/scenarios/catalog/rds-exfil.js';
import { runAws } from '../sim/test-support/aws.js';
import { demoRuns, describeDemo } from '../cli/commands/test-support/demo.js';
import { checkBar, eradicationBar, fromDemo, type Played } from './test-support/bar.js';

// One `tourniquet demo` run per scenario feeds the demo's checks and the eradication bar.
const demos = demoRuns(['cryptomining', 'rds-exfil']);
describeDemo('cryptomining', demos);
describeDemo('rds-exfil', demos);

eradicationBar(() => {
  it('cryptomining: instances terminated after a snapshot of every volume (ids in the evidence, snapshots in EC2), groups gone', async () => {
    const p = await fromDemo(demos.get('cryptomining'));
    await checkBar(p);
    const listed = p
      .manifest()
      .filter((f) => f.endsWith('/snapshots.json'))
      .flatMap(
        (f) =>
          JSON.parse(readFileSync(join(p.dir, 'evidence', f), 'utf8')) as {
            snapshotId: string;
            volumeId: string;
          }[],
      );
    const instances = p.truth.resourcesCreated.filter((r) => r.type === 'AWS::EC2::Instance');
    expect(listed).toHaveLength(instances.length);
    for (const region of [...new Set(instances.map((i) => i.region!))]) {
      const ec2 = new EC2Client({
        region,
        endpoint: p.sim.endpoint,
        credentials: p.responder,
        maxAttempts: 1,
      });
      const snaps =
        (
          await ec2.send(
            new DescribeSnapshotsCommand({
              OwnerIds: ['self'],
              Filters: [{ Name: 'tag-key', Values: ['tourniquet:case'] }],
            }),
          )
        ).Snapshots ?? [];
      for (const s of snaps) expect(listed.map((l) => l.snapshotId)).toContain(s.SnapshotId);
    }
    expect(p.manifest().filter((f) => f.endsWith('/user-data'))).toHaveLength(instances.length);
    const described = await runAws(
      p.sim,
      p.responder,
      [
        'ec2',
        'describe-instances',
        '--instance-ids',
        instances[0]!.id,
        '--query',
        'Reservations[0].Instances[0].State.Name',
        '--output',
        'text',
      ],
      instances[0]!.region,
    );
    expect(described.stdout.trim()).toBe('terminated');
  });

  // The account the demo left, served again once for both tests.
  let played: Promise<Played> | undefined;
  const rdsAccount = () => (played ??= fromDemo(demos.get('rds-exfil')));

  it('rds-exfil: the demo names the campaign, its regions and address, and the theft’s cost within 5% of the truth', async () => {
    const d = demos.get('rds-exfil');
    expect(d.out).toMatch(/Campaign\s+RDS data theft/);
    const summary = d.out.split('Ground truth')[0]!;
    for (const region of new Set(d.truth.attackerEvents.map((e) => e.region)))
      expect(summary).toContain(region);
    for (const ip of d.truth.attacker.ips) expect(summary).toContain(ip);
    // The truth bills the account's own records (snapshot sizes and times, the export's size).
    const truth = d.truth.cost.rds;
    expect(truth.map((l) => [l.kind, l.gb])).toEqual([
      ['snapshot-storage', 200],
      ['snapshot-storage', 200],
      ['cross-region-copy', 200],
      ['export', 200],
    ]);
    const truthUsd = truth.reduce((sum, l) => sum + l.usd, 0);
    expect(d.truth.cost.usd).toBeCloseTo(truthUsd, 2);
    const facts = d.facts as unknown as {
      cost: { rds: { usd: number; unsized: number } };
      decisions: { id: string; answer: string; basis: string; deadlines: { label: string }[] }[];
    };
    expect(facts.cost.rds.unsized).toBe(0);
    expect(Math.abs(facts.cost.rds.usd - truthUsd)).toBeLessThanOrEqual(truthUsd * 0.05);
    expect(d.out).toMatch(
      /Estimated cost\s+\$\d+\.\d\d for 2 RDS snapshot\(s\) of 400 GB and 1 export\(s\) to S3 \(export \$2\.00, cross-region copy \$4\.00/,
    );
    expect(d.out).toMatch(
      /Cost\s+\$\d+\.\d\d \(snapshot storage \$\d+\.\d\d \(400 GB\), cross-region copy \$4\.00 \(200 GB\), export to S3 \$2\.00 \(200 GB\)\)/,
    );
    // The database left the account: GDPR's 72 h and NIS2's 24 h / 72 h clocks, the stores named.
    const gdpr = facts.decisions.find((x) => x.id === 'gdpr')!;
    expect(gdpr.answer).toBe('yes');
    expect(gdpr.basis).toContain(
      `RDS snapshot ${THEFT.copy} (${THEFT.copyRegion}) shared with ${THEFT.account}`,
    );
    expect(gdpr.basis).toContain(`exported to s3://${THEFT.bucket}/orders`);
    expect(gdpr.deadlines.map((x) => x.label)).toEqual(['notification (72 h from awareness)']);
    const nis2 = facts.decisions.find((x) => x.id === 'nis2')!;
    expect(nis2.basis).toContain(`RDS snapshot ${THEFT.copy}`);
    expect(nis2.deadlines.map((x) => x.label).slice(0, 2)).toEqual([
      'early warning (24 h from awareness)',
      'incident notification (72 h from awareness)',
    ]);
    expect(d.out).toMatch(
      /Decide: Notify the data-protection supervisory authority \(GDPR Art\. 33\)\? — yes/,
    );
    const briefing = await (await rdsAccount()).cli(['report', '--case', d.dir, '--kind', 'executive']);
    expect(briefing.code, briefing.err).toBe(0);
    const lines = briefing.out.split('\n').filter((l) => l.includes('RDS data theft: the stolen key'));
    expect(lines).toHaveLength(1);
  });

  it('rds-exfil: the attacker’s snapshot and its cross-region copy deleted after their record is kept, the share gone, the key pending deletion, the database and its own snapshot intact, the export’s bucket named', async () => {
    const p = await rdsAccount();
    const second = await checkBar(p);
    const files = p.manifest().map((f) => f.split('/').at(-1));
    // Both snapshots' records (the one in the database's region and the copy), and the share's.
    expect(files.filter((f) => f === 'rds-snapshot.json')).toHaveLength(2);
    expect(files).toContain('rds-snapshot-restore.json');
    // The copy's key: its policy (which admits the attacker's account) kept before the deletion.
    expect(files).toContain('kms-key.json');
    // The data already left: the export stays a line for the responder, naming where it went.
    expect(second.manual.join('\n')).toMatch(/s3:\/\/acme-orders-dr-4471/);
  });

  it('rds-exfil: scope reads the databases, snapshots and keys: the attacker’s snapshot, copy and key created by it, the database and its own snapshot from before', () => {
    const d = demos.get('rds-exfil');
    const scope = JSON.parse(readFileSync(join(d.dir, 'scope.json'), 'utf8')) as ScopeDocument;
    const origin = (type: string, id: string, region: string) => {
      const found = scope.inventory.find((i) => i.type === type && i.id === id && i.region === region);
      return found && `${found.attribution?.origin ?? '?'} ${found.attribution?.how ?? ''}`.trim();
    };
    const key = d.truth.resourcesCreated.find((r) => r.type === 'AWS::KMS::Key')!;
    expect(origin('AWS::KMS::Key', key.id.split('/').at(-1)!, THEFT.copyRegion)).toBe('attacker created');
    expect(origin('AWS::RDS::DBSnapshot', THEFT.snapshot, PROD_REGION)).toBe('attacker created');
    expect(origin('AWS::RDS::DBSnapshot', THEFT.copy, THEFT.copyRegion)).toBe('attacker created');
    expect(origin('AWS::RDS::DBInstance', PROD_DB, PROD_REGION)).toBe('pre-existing');
    expect(origin('AWS::RDS::DBSnapshot', OWN_SNAPSHOT, PROD_REGION)).toBe('pre-existing');
    const copy = scope.inventory.find((i) => i.id === THEFT.copy)!;
    expect(copy.data.sharedWith).toEqual([THEFT.account]);
    expect(scope.coverage.filter((c) => /^(kms|rds)\./.test(c.lister) && c.status !== 'complete')).toEqual(
      [],
    );
  });
});
