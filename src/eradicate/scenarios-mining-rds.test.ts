import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { expect, it } from 'vitest';
import { runAws } from '../sim/test-support/aws.js';
import { checkBar, eradicationBar, respondTo } from './test-support/bar.js';

eradicationBar(() => {
  it('cryptomining: instances terminated after a snapshot of every volume (ids in the evidence, snapshots in EC2), groups gone', async () => {
    const p = await respondTo('cryptomining');
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

  it('rds-exfil: the attacker’s snapshot and its cross-region copy deleted after their record is kept, the share gone, the database and its own snapshot intact, the export’s bucket named', async () => {
    const p = await respondTo('rds-exfil');
    const second = await checkBar(p);
    const files = p.manifest().map((f) => f.split('/').at(-1));
    // Both snapshots' records (the one in the database's region and the copy), and the share's.
    expect(files.filter((f) => f === 'rds-snapshot.json')).toHaveLength(2);
    expect(files).toContain('rds-snapshot-restore.json');
    // The data already left: the export stays a line for the responder, naming where it went.
    expect(second.manual.join('\n')).toMatch(/s3:\/\/acme-orders-dr-4471/);
  });
});
