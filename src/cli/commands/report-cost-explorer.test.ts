import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseFolder } from '../../case/case.js';
import { systemClock } from '../../clock.js';
import { createUserWithKey, SimClock, startSim, VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import { main } from '../main.js';

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
let sim: RunningSim;
let root: string;
let admin: { accessKeyId: string; secretAccessKey: string };
let nobody: { accessKeyId: string; secretAccessKey: string };

async function launch(region: string, count: number): Promise<void> {
  const client = new EC2Client({ region, endpoint: sim.endpoint, credentials: admin, maxAttempts: 1 });
  const images = await client.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [{ Name: 'name', Values: ['al2023-ami-*-x86_64'] }],
    }),
  );
  await client.send(
    new RunInstancesCommand({
      ImageId: images.Images![0]!.ImageId!,
      InstanceType: 'p3.16xlarge',
      MinCount: count,
      MaxCount: count,
    }),
  );
  client.destroy();
}

function caseFolder(name: string): string {
  const dir = join(root, name);
  CaseFolder.create(dir, {
    clock: systemClock,
    subject: { input: admin.accessKeyId, kind: 'access-key', accessKeyId: admin.accessKeyId },
    awareness: new Date('2026-03-02T09:00:00Z'),
  }).close();
  return dir;
}

async function report(dir: string, creds: { accessKeyId: string; secretAccessKey: string }) {
  // The SDK's default credential chain reads the process environment: set for this run only.
  const saved = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: process.env,
    cwd: root,
  };
  const args = ['report', '--case', dir, '--cost-explorer', '--format', 'json', '--json'];
  let code: number;
  try {
    code = await main(
      [...args, '--as-of', '2026-03-02T18:00:00Z', '--endpoint-url', sim.endpoint, '--region', 'us-east-1'],
      { ...io, env: { ...process.env } },
    );
  } finally {
    process.env = saved;
  }
  return {
    code,
    facts: JSON.parse(out) as { cost: unknown; billed: { total?: number; unknown?: string } },
    err,
  };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tq-ce-'));
  sim = await startSim({
    port: 0,
    seed: 8,
    clock: new SimClock({ start: '2026-03-02T08:00:00Z', frozen: true }),
  });
  admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: [ADMIN] }).key;
  nobody = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'intern').key;
  // The attacker's mining: 2 × p3.16xlarge in us-east-1 and 3 in eu-north-1, for 10 hours.
  await launch('us-east-1', 2);
  await launch('eu-north-1', 3);
  sim.clock.advance(10 * 3_600_000);
});

afterAll(async () => {
  await sim?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('tourniquet report --cost-explorer against the simulated account', () => {
  it('reads the billed figures, keeps them as evidence, and the briefing shows them next to the estimate', async () => {
    const dir = caseFolder('billed');
    const { code, facts } = await report(dir, admin);
    expect(code).toBe(0);
    const kept = JSON.parse(readFileSync(join(dir, 'evidence', 'cost-explorer.json'), 'utf8')) as {
      total: number;
      byService: { service: string; amount: number }[];
      start: string;
      end: string;
    };
    // 50 instance-hours × $24.48, billed by the account from the same price table.
    expect(kept.total).toBeCloseTo(1224, 2);
    expect(kept.byService[0]!.service).toMatch(/Elastic Compute Cloud/);
    expect(kept.start).toBe('2026-03-01T00:00:00.000Z');
    expect(kept.end).toBe('2026-03-03T00:00:00.000Z');
    // Before collection the attacker's calls are unknown, so the estimate is too, but the bill is not.
    expect(facts.cost).toHaveProperty('unknown');
    expect(facts.billed.total).toBeCloseTo(1224, 2);
    const md = await markdown(dir, 'executive');
    expect(md).toMatch(
      /Billed figures \(Cost Explorer GetCostAndUsage.*\): 1224\.00 USD — Amazon Elastic Compute Cloud/,
    );
  });

  it('reports a refusal as a result: the report is written and says the figures were not read', async () => {
    const dir = caseFolder('refused');
    const { code, err, facts } = await report(dir, nobody);
    expect(code).toBe(0);
    expect(err).toMatch(/Cost Explorer could not be read: .*(AccessDenied|not authorized)/);
    expect(existsSync(join(dir, 'evidence', 'cost-explorer.json'))).toBe(false);
    expect(facts.billed.unknown).toMatch(/Cost Explorer figures were not read/);
  });
});

async function markdown(dir: string, kind: string): Promise<string> {
  let out = '';
  const io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    env: process.env,
    cwd: root,
  };
  expect(await main(['report', '--case', dir, '--kind', kind, '--as-of', '2026-03-02T18:00:00Z'], io)).toBe(
    0,
  );
  return out;
}
